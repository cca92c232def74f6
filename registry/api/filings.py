"""The filing API: the review queue, one filing, and its transitions. The same selectors,
services and policy as the pages; errors in the one API error shape (``accounts.api_errors``)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists, policy
from registry import proposals, selectors
from registry.forms.filings import NOTE_MAX
from registry.lists import FilingFilterSet
from registry.models import Filing, FilingAttachment, Institution
from registry.services import filings as services

REVIEW_DUTY = "filing.review"


# --- Serializers ------------------------------------------------------------------------


def _choice_field(choices_class, component: str) -> type[serializers.ChoiceField]:
    """A read-only choice field whose enum is its own named component in the schema (several
    models call their choices ``kind`` or ``status``; auto-naming would make them collide)."""

    @extend_schema_field({"type": "string", "enum": list(choices_class.values)}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            super().__init__(choices=choices_class.choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


FilingKindField = _choice_field(Filing.Kind, "FilingKindEnum")
FilingStatusField = _choice_field(Filing.Status, "FilingStatusEnum")
DocumentKindField = _choice_field(FilingAttachment.Kind, "FilingDocumentKindEnum")
LegalFormField = _choice_field(Institution.LegalForm, "FilingInstitutionLegalFormEnum")
ProviderTypeField = _choice_field(Institution.ProviderType, "FilingInstitutionProviderTypeEnum")


class FilingInstitutionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name", read_only=True)
    legal_form = LegalFormField()
    provider_type = ProviderTypeField()

    class Meta:
        model = Institution
        fields = ["id", "name", "credit_code", "legal_form", "provider_type", "township"]


class FilingAttachmentSerializer(serializers.ModelSerializer):
    kind = DocumentKindField()
    original_name = serializers.CharField(source="stored.original_name", read_only=True)
    content_type = serializers.CharField(source="stored.content_type", read_only=True)
    size = serializers.IntegerField(source="stored.size", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = FilingAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "uploaded_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("filing_attachment_download", kwargs={"pk": obj.pk})


class FilingSerializer(serializers.ModelSerializer):
    institution = FilingInstitutionSerializer(read_only=True)
    kind = FilingKindField()
    status = FilingStatusField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Filing
        fields = [
            "id", "institution", "kind", "status", "submissions", "submitted_at", "due_on", "is_overdue",
            "decided_at", "number",
        ]  # fmt: skip


class ChangeRowSerializer(serializers.Serializer):
    item = serializers.CharField(help_text=_('A field name, or "class:<id>" / "class:new-<n>" for a class.'))
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class FilingDetailSerializer(FilingSerializer):
    attachments = FilingAttachmentSerializer(many=True, read_only=True)
    required_documents = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    proposed_changes = serializers.SerializerMethodField()

    class Meta(FilingSerializer.Meta):
        fields = FilingSerializer.Meta.fields + [
            "summary", "commitment_signed_by", "decision_note", "return_reasons", "attachments",
            "required_documents", "missing_documents", "proposed_changes",
        ]  # fmt: skip

    @extend_schema_field(ChangeRowSerializer(many=True))
    def get_proposed_changes(self, obj):
        """A change filing's changes, before → after (empty for other kinds)."""
        return ChangeRowSerializer(proposals.change_rows(obj, obj.institution, self._groups(obj)), many=True).data

    def _groups(self, obj):
        return list(obj.institution.class_groups.all()) if obj.kind == Filing.Kind.CHANGE else []

    def get_required_documents(self, obj) -> list[str]:
        return [str(kind) for kind in services.required_attachments(obj)]

    def get_missing_documents(self, obj) -> list[str]:
        present = {attachment.kind for attachment in obj.attachments.all()}
        return [str(kind) for kind in services.missing_attachments(obj, present)]


class FilingAcceptSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


class FilingRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX)


class FilingReturnSerializer(serializers.Serializer):
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=NOTE_MAX),
        help_text=_('A reason per document kind, or "general": {"fire_safety": "…", "general": "…"}.'),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


# --- Views ------------------------------------------------------------------------------


class FilingList(ListAPIView):
    """Filings in the user's sight: the review queue for the health bureau (waiting filings
    first, due soonest on top), an institution's own filings, a township's territory."""

    serializer_class = FilingSerializer
    # The filing page's filter set (``registry.lists``): a value outside its set answers 400.
    # The list's page and export filter with the same set (accounts.lists).
    filter_backends = [DjangoFilterBackend]
    filterset_class = FilingFilterSet

    def get_queryset(self):
        return lists.spec_get("filings").base(self.request.user)


class FilingDetail(RetrieveAPIView):
    serializer_class = FilingDetailSerializer

    def get_object(self):
        return selectors.filing_get(actor=self.request.user, pk=self.kwargs["pk"])


def _answer(request, pk: int) -> Response:
    """The filing as it is now, re-read through the policy."""
    return Response(FilingDetailSerializer(selectors.filing_get(actor=request.user, pk=pk)).data)


class FilingSubmit(APIView):
    @extend_schema(request=None, responses=FilingDetailSerializer, summary="Submit or resubmit a filing")
    def post(self, request, pk: int):
        filing = selectors.filing_get(actor=request.user, pk=pk)
        services.filing_submit(actor=request.user, filing=filing)
        return _answer(request, pk)


class _Decision(APIView):
    """A reviewer's decision: the duty is checked before the body is judged (403, not 400)."""

    input_serializer = FilingAcceptSerializer

    def post(self, request, pk: int):
        filing = selectors.filing_get(actor=request.user, pk=pk)
        policy.require_duty(request.user, REVIEW_DUTY)
        body = self.input_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.decide(request.user, filing, body.validated_data)
        return _answer(request, pk)


class FilingAccept(_Decision):
    input_serializer = FilingAcceptSerializer

    def decide(self, actor, filing, data):
        services.filing_accept(actor=actor, filing=filing, note=data["note"])

    @extend_schema(request=FilingAcceptSerializer, responses=FilingDetailSerializer, summary="Accept a filing")
    def post(self, request, pk: int):
        return super().post(request, pk)


class FilingReturn(_Decision):
    input_serializer = FilingReturnSerializer

    def decide(self, actor, filing, data):
        services.filing_return(actor=actor, filing=filing, reasons=data["reasons"], note=data["note"])

    @extend_schema(
        request=FilingReturnSerializer, responses=FilingDetailSerializer, summary="Return a filing for correction"
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class FilingReject(_Decision):
    input_serializer = FilingRejectSerializer

    def decide(self, actor, filing, data):
        services.filing_reject(actor=actor, filing=filing, note=data["note"])

    @extend_schema(request=FilingRejectSerializer, responses=FilingDetailSerializer, summary="Reject a filing")
    def post(self, request, pk: int):
        return super().post(request, pk)


urlpatterns = [
    path("filings/", FilingList.as_view(), name="api_filing_list"),
    path("filings/<int:pk>/", FilingDetail.as_view(), name="api_filing_detail"),
    path("filings/<int:pk>/submit/", FilingSubmit.as_view(), name="api_filing_submit"),
    path("filings/<int:pk>/accept/", FilingAccept.as_view(), name="api_filing_accept"),
    path("filings/<int:pk>/return/", FilingReturn.as_view(), name="api_filing_return"),
    path("filings/<int:pk>/reject/", FilingReject.as_view(), name="api_filing_reject"),
]
