"""The complaints API for the handling departments: the list, one complaint, and recording
the conclusion. The same selectors, services and rules as the pages
(``supervision.views.complaints``); errors in the one API error shape (``accounts.api_errors``).

The complainant's contact is never in the API: it is revealed on the page only, audited."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists
from supervision import rules
from supervision.lists import ComplaintFilterSet
from supervision.models import Complaint
from supervision.selectors import complaints as selectors
from supervision.services import complaints as services


def _choice_field(choices_class, component: str, *, allow_blank: bool = False):
    """A read-only choice field whose enum is its own named schema component."""
    values = list(choices_class.values)

    @extend_schema_field({"type": "string", "enum": values}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            super().__init__(choices=choices_class.choices, allow_blank=allow_blank, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


CategoryField = _choice_field(Complaint.Category, "ComplaintCategoryEnum")
StatusField = _choice_field(Complaint.Status, "ComplaintStatusEnum")
OutcomeField = _choice_field(Complaint.Outcome, "ComplaintOutcomeEnum", allow_blank=True)


class ComplaintHandlerSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    active = serializers.BooleanField(read_only=True)


class ComplaintSerializer(serializers.ModelSerializer):
    category = CategoryField()
    status = StatusField()
    outcome = OutcomeField()
    subject = serializers.CharField(read_only=True)
    institution_id = serializers.IntegerField(read_only=True, allow_null=True)
    township = serializers.CharField(source="township.name", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True)
    handlers = ComplaintHandlerSerializer(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id", "tracking_code", "category", "subject", "institution_id", "township", "township_code",
            "submitted_at", "acknowledge_due", "conclude_due", "status", "outcome", "is_overdue", "handlers",
            "acknowledged_at", "concluded_at", "escalated_at",
        ]  # fmt: skip

    def get_is_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj)


class ComplaintDetailSerializer(ComplaintSerializer):
    has_contact = serializers.SerializerMethodField()
    order_number = serializers.CharField(source="order.number", read_only=True, allow_null=True, default=None)

    class Meta(ComplaintSerializer.Meta):
        fields = ComplaintSerializer.Meta.fields + [
            "provider_name", "provider_address", "description", "findings", "reply", "has_contact", "order_number",
        ]  # fmt: skip

    def get_has_contact(self, obj) -> bool:
        """Whether the complainant left a name or phone (shown on the page, audited, never here)."""
        return bool(obj.contact_name or obj.contact_phone)


class ConcludeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[Complaint.Outcome.SUBSTANTIATED, Complaint.Outcome.NOT_SUBSTANTIATED])
    findings = serializers.CharField(max_length=4000)
    reply = serializers.CharField(max_length=2000)


def _require_reader(request) -> None:
    if not rules.may_see_complaints(request.user):
        raise PermissionDenied("complaint.handle")


class ComplaintList(ListAPIView):
    """Complaints routed or referred to the user's organisations (403 for organisations that
    handle no complaints)."""

    serializer_class = ComplaintSerializer

    # The complaint page's filter set (``supervision.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ComplaintFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(Complaint)
        return lists.spec_get("complaints").base(self.request.user)


class ComplaintDetail(RetrieveAPIView):
    serializer_class = ComplaintDetailSerializer

    def get_object(self):
        return selectors.complaint_get(actor=self.request.user, pk=self.kwargs["pk"])


class ComplaintConclude(APIView):
    """An active handler concludes the complaint: substantiated or not, with the findings and
    the reply the complainant reads with the tracking code. A concluded complaint answers 400."""

    @extend_schema(
        request=ConcludeSerializer,
        responses={200: ComplaintDetailSerializer, 400: OpenApiResponse(description="Already concluded.")},
    )
    def post(self, request, pk: int):
        complaint = selectors.complaint_get(actor=request.user, pk=pk)
        if rules.handling_organisation(request.user, complaint) is None:
            raise PermissionDenied("complaint.handle")
        body = ConcludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.complaint_conclude(actor=request.user, complaint=complaint, **body.validated_data)
        return Response(ComplaintDetailSerializer(selectors.complaint_get(actor=request.user, pk=pk)).data)


urlpatterns = [
    path("complaints/", ComplaintList.as_view(), name="api_complaint_list"),
    path("complaints/<int:pk>/", ComplaintDetail.as_view(), name="api_complaint_detail"),
    path("complaints/<int:pk>/conclude/", ComplaintConclude.as_view(), name="api_complaint_conclude"),
]
