"""The enforcement API: rectification orders, revocation referrals, cases and the ban-list
check. The same selectors, services and policy as the pages (``inspections.views.enforcement``);
errors in the one API error shape (``accounts.api_errors``)."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import idnumbers, lists
from inspections import selectors
from inspections.lists import CaseFilterSet, OrderFilterSet, ReferralFilterSet
from inspections.models import Case, InspectionFile, RectificationOrder, RevocationReferral
from inspections.services import enforcement
from inspections.views.enforcement import (
    area_label,
    ban_answer,
    ban_check_within_limit,
    require_ban_checker,
)
from registry.models import Institution

# --- Serializers ------------------------------------------------------------------------


def _choice_field(choices_class, component: str) -> type[serializers.ChoiceField]:
    """A read-only choice field whose enum is its own named component in the schema (several
    models call their choices ``status``; auto-naming would make them collide)."""

    @extend_schema_field({"type": "string", "enum": list(choices_class.values)}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            super().__init__(choices=choices_class.choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


OrderStatusField = _choice_field(RectificationOrder.Status, "RectificationOrderStatusEnum")
ReferralStatusField = _choice_field(RevocationReferral.Status, "RevocationReferralStatusEnum")
CaseStatusField = _choice_field(Case.Status, "EnforcementCaseStatusEnum")


class EnforcementInstitutionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "township"]


class OrderItemSerializer(serializers.Serializer):
    area = serializers.CharField()
    area_label = serializers.SerializerMethodField()
    code = serializers.CharField(required=False, allow_blank=True)
    text = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True)

    def get_area_label(self, obj) -> str:
        return area_label(obj.get("area", ""))


class OrderEvidenceSerializer(serializers.ModelSerializer):
    original_name = serializers.CharField(source="stored.original_name", read_only=True)
    content_type = serializers.CharField(source="stored.content_type", read_only=True)
    size = serializers.IntegerField(source="stored.size", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionFile
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("order_evidence_download", kwargs={"pk": obj.pk})


class OrderSerializer(serializers.ModelSerializer):
    institution = EnforcementInstitutionSerializer(read_only=True)
    review_year = serializers.SerializerMethodField()
    items = OrderItemSerializer(many=True, read_only=True)
    status = OrderStatusField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RectificationOrder
        fields = [
            "id", "number", "institution", "review_year", "items", "deadline", "status", "is_overdue",
            "escalated_at", "issued_at", "responded_at", "verified_at",
        ]  # fmt: skip

    def get_review_year(self, obj) -> int | None:
        """The year of the annual review the order follows; null after an ad-hoc inspection."""
        return obj.review.cycle.year if obj.review_id else None


class OrderDetailSerializer(OrderSerializer):
    evidence = OrderEvidenceSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = OrderSerializer.Meta.fields + ["response", "verification_note", "evidence"]


class ReferralSerializer(serializers.ModelSerializer):
    institution = EnforcementInstitutionSerializer(read_only=True)
    authority = serializers.CharField(source="authority.name", read_only=True)
    authority_code = serializers.CharField(source="authority.code", read_only=True)
    certificate_number = serializers.CharField(source="registration.certificate_number", read_only=True)
    status = ReferralStatusField()

    class Meta:
        model = RevocationReferral
        fields = [
            "id", "institution", "authority", "authority_code", "certificate_number", "status", "raised_at",
            "decided_at", "decision_note",
        ]  # fmt: skip


class CaseSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.name", read_only=True)
    status = CaseStatusField()

    class Meta:
        model = Case
        fields = [
            "id", "provider_name", "place", "township", "township_code", "found", "found_on", "recorded_by",
            "status", "order_text", "deadline", "closing_note", "closed_at",
        ]  # fmt: skip


class BanCheckSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32, help_text="18 characters with a valid check character (GB 11643).")

    def validate_id_number(self, value: str) -> str:
        value = idnumbers.normalise(value)
        error = idnumbers.id_number_error(value)
        if error:
            raise serializers.ValidationError(error)
        return value


class BanCheckAnswerSerializer(serializers.Serializer):
    barred = serializers.BooleanField()
    message = serializers.CharField()


# --- Views ------------------------------------------------------------------------------


class OrderList(ListAPIView):
    """Rectification orders in the user's sight: the health bureau all, an institution its own,
    a township its territory, a department those following reviews it inspected and those whose
    items name its areas (after an annual review or an ad-hoc inspection)."""

    serializer_class = OrderSerializer
    # The order page's filter set (``inspections.lists``): a value outside its set answers 400.
    # The list's page and export filter with the same set (accounts.lists).
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilterSet

    def get_queryset(self):
        return lists.spec_get("orders").base(self.request.user)


class OrderDetail(RetrieveAPIView):
    serializer_class = OrderDetailSerializer

    def get_object(self):
        return selectors.order_get(actor=self.request.user, pk=self.kwargs["pk"])


class ReferralList(ListAPIView):
    """Revocation referrals in the user's sight: the health bureau, the authority each is sent
    to, the institution, the township around it."""

    serializer_class = ReferralSerializer
    # The referral page's filter set (``inspections.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferralFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(RevocationReferral)
        return lists.spec_get("referrals").base(self.request.user)


class CaseList(ListAPIView):
    """Cases against unregistered or unsafe providers, for holders of ``case.manage`` within
    their jurisdiction (403 for anyone else)."""

    serializer_class = CaseSerializer
    # The case page's filter set (``inspections.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(Case)
        return lists.spec_get("cases").base(self.request.user)


class BanCheck(APIView):
    """For staff entry: is this ID number on the lifetime ban list? The answer says only
    barred (contact the health bureau) or not; a match is written to the security log."""

    @extend_schema(
        request=BanCheckSerializer,
        responses={200: BanCheckAnswerSerializer, 429: OpenApiResponse(description="Too many checks this hour.")},
        summary="Check an ID number",
    )
    def post(self, request):
        require_ban_checker(request.user)
        body = BanCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not ban_check_within_limit(request.user):
            return Response(
                {
                    "error": {
                        "code": "throttled",
                        "message": _("Too many checks this hour; try again later."),
                        "fields": {},
                    }
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        barred = enforcement.ban_check(actor=request.user, id_number=body.validated_data["id_number"], request=request)
        return Response({"barred": barred, "message": ban_answer(barred)})


urlpatterns = [
    path("orders/", OrderList.as_view(), name="api_order_list"),
    path("orders/<int:pk>/", OrderDetail.as_view(), name="api_order_detail"),
    path("referrals/", ReferralList.as_view(), name="api_referral_list"),
    path("cases/", CaseList.as_view(), name="api_case_list"),
    path("bans/check/", BanCheck.as_view(), name="api_ban_check"),
]
