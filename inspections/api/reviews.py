"""The annual-review API: cycles, the review queue, one review (self-report and the findings
the user may see) and the health bureau's decision. The same selectors, services and policy as
the pages; errors in the one API error shape (``accounts.api_errors``)."""

from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists, policy
from accounts.errors import ApplicationError
from inspections import selectors
from inspections.forms.reviews import REASON_MAX
from inspections.lists import ReviewFilterSet
from inspections.models import (
    AnnualReview,
    Area,
    ChecklistItem,
    Finding,
    FindingItem,
    RectificationOrder,
    ReviewCycle,
    SelfReport,
)
from inspections.services import decisions as decision_services
from paperwork import bounds
from registry.models import Institution

DECIDE_DUTY = "review.decide"


def _choice_field(choices, component: str, *, values=None) -> type[serializers.ChoiceField]:
    """A read-only choice field whose enum is its own named component in the schema (several
    models call their choices ``status`` or ``result``; auto-naming would make them collide)."""

    @extend_schema_field({"type": "string", "enum": list(values or [value for value, _label in choices])},
                         component_name=component)  # fmt: skip
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


CycleStatusField = _choice_field(ReviewCycle.Status.choices, "ReviewCycleStatusEnum")
ReviewStatusField = _choice_field(AnnualReview.Status.choices, "AnnualReviewStatusEnum")
ReviewResultField = _choice_field(AnnualReview.Result.choices, "AnnualReviewResultEnum")
SelfReportStatusField = _choice_field(SelfReport.Status.choices, "SelfReportStatusEnum")
ProviderTypeField = _choice_field(Institution.ProviderType.choices, "ReviewInstitutionProviderTypeEnum")
FindingItemResultField = _choice_field(FindingItem.Result.choices, "FindingItemResultEnum")
SeverityField = _choice_field(ChecklistItem.Severity.choices, "ChecklistItemSeverityEnum")
OrderStatusField = _choice_field(RectificationOrder.Status.choices, "ReviewOrderStatusEnum")


# --- Serializers ------------------------------------------------------------------------


class CycleStatsSerializer(serializers.Serializer):
    """Counts over the reviews of the cycle that the user sees."""

    total = serializers.IntegerField()
    awaiting = serializers.IntegerField()
    submitted = serializers.IntegerField()
    late = serializers.IntegerField()
    decided = serializers.IntegerField()
    undecided = serializers.IntegerField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()


class CycleSummarySerializer(serializers.ModelSerializer):
    """A cycle as a review names it: its dates, without the counts over its reviews."""

    status = CycleStatusField()

    class Meta:
        model = ReviewCycle
        fields = [
            "id", "year", "status", "self_report_due", "inspection_due", "decision_due", "opened_at", "closed_at",
            "close_note",
        ]  # fmt: skip


class CycleSerializer(CycleSummarySerializer):
    stats = CycleStatsSerializer(read_only=True)

    class Meta(CycleSummarySerializer.Meta):
        fields = CycleSummarySerializer.Meta.fields + ["stats"]


class ReviewInstitutionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True)
    provider_type = ProviderTypeField()

    class Meta:
        model = Institution
        fields = ["id", "name", "credit_code", "provider_type", "township", "township_code"]


class SelfReportSummarySerializer(serializers.ModelSerializer):
    status = SelfReportStatusField()

    class Meta:
        model = SelfReport
        fields = ["status", "submitted_at", "late"]


class SelfReportSerializer(SelfReportSummarySerializer):
    class Meta(SelfReportSummarySerializer.Meta):
        fields = SelfReportSummarySerializer.Meta.fields + ["return_comment", "data"]


class FindingSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "area", "passed", "inspected_on"]


class FindingItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    text = serializers.CharField(source="item.text", read_only=True)
    severity = SeverityField(source="item.severity")
    result = FindingItemResultField()

    class Meta:
        model = FindingItem
        fields = ["code", "text", "severity", "result", "note"]


class FindingSerializer(FindingSummarySerializer):
    department = serializers.CharField(source="department.name", read_only=True)
    inspector = serializers.StringRelatedField(read_only=True)
    items = FindingItemSerializer(many=True, read_only=True)

    class Meta(FindingSummarySerializer.Meta):
        fields = FindingSummarySerializer.Meta.fields + ["department", "inspector", "notes", "items"]


class OrderSummarySerializer(serializers.ModelSerializer):
    status = OrderStatusField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = RectificationOrder
        fields = ["id", "number", "status", "deadline", "items", "url"]

    def get_url(self, obj) -> str:
        try:
            return reverse("order_detail", kwargs={"pk": obj.pk})
        except NoReverseMatch:  # the orders' pages are not served here
            return ""


class ReviewSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="cycle.year", read_only=True)
    institution = ReviewInstitutionSerializer(read_only=True)
    status = ReviewStatusField()
    result = ReviewResultField()
    final_result = ReviewResultField()
    self_report = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = AnnualReview
        fields = [
            "id", "year", "institution", "status", "result", "final_result", "decided_at", "self_report", "findings",
            "url",
        ]  # fmt: skip

    @extend_schema_field(SelfReportSummarySerializer(allow_null=True))
    def get_self_report(self, obj):
        try:
            report = obj.self_report
        except SelfReport.DoesNotExist:
            return None
        return SelfReportSummarySerializer(report).data

    @extend_schema_field(FindingSummarySerializer(many=True))
    def get_findings(self, obj):
        """The findings the user may see (a department: its own areas only)."""
        return FindingSummarySerializer(getattr(obj, "visible_findings", []), many=True).data

    def get_url(self, obj) -> str:
        return reverse("review_detail", kwargs={"pk": obj.pk})


class ReviewDetailSerializer(ReviewSerializer):
    cycle = CycleSummarySerializer(read_only=True)
    decided_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    orders = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = ReviewSerializer.Meta.fields + ["cycle", "decision_reason", "decided_by", "orders"]

    @extend_schema_field(SelfReportSerializer(allow_null=True))
    def get_self_report(self, obj):
        try:
            report = obj.self_report
        except SelfReport.DoesNotExist:
            return None
        return SelfReportSerializer(report).data

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj):
        return FindingSerializer(self.context["findings"], many=True).data

    @extend_schema_field(OrderSummarySerializer(many=True))
    def get_orders(self, obj):
        return OrderSummarySerializer(self.context["orders"], many=True).data


class DecisionItemSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=Area.choices)
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    text = serializers.CharField(max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReviewDecideSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[AnnualReview.Result.PASS, AnnualReview.Result.FAIL])
    reason = serializers.CharField(max_length=REASON_MAX)
    checklist_items = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Failed checklist items of the findings to rectify, as `<area>:<code>` (e.g. `fire:F3`).",
    )
    items = DecisionItemSerializer(many=True, required=False, default=list, help_text="Other items to rectify.")
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, validators=bounds.of(RectificationOrder, "deadline")
    )


# --- Views ------------------------------------------------------------------------------


class CycleList(ListAPIView):
    """The annual review cycles (every member sees them), each with counts over the reviews the
    user sees."""

    serializer_class = CycleSerializer

    def get_queryset(self):
        return selectors.cycle_list(actor=self.request.user)


class ReviewList(ListAPIView):
    """The annual reviews in the user's sight: the health bureau all, a department those its
    check areas cover, a township its territory, an institution its own."""

    serializer_class = ReviewSerializer

    # The review page's filter set (``inspections.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReviewFilterSet

    def get_queryset(self):
        return lists.spec_get("reviews").base(self.request.user)


def _detail(request, pk: int) -> Response:
    review = selectors.review_get(actor=request.user, pk=pk)
    context = {
        "findings": selectors.review_findings(actor=request.user, review=review),
        "orders": selectors.review_orders(actor=request.user, review=review),
    }
    return Response(ReviewDetailSerializer(review, context=context).data)


class ReviewDetail(RetrieveAPIView):
    """One review: the self-report, the findings the user may see, the decision and its orders."""

    serializer_class = ReviewDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        return _detail(request, self.kwargs["pk"])


class ReviewDecide(APIView):
    """The health bureau's decision. A fail needs the items to rectify (failed checklist items
    by ``<area>:<code>`` and/or free items) and a deadline, and issues a rectification order.
    The duty is checked before the body is judged (403, not 400)."""

    @extend_schema(request=ReviewDecideSerializer, responses=ReviewDetailSerializer, summary="Decide an annual review")
    def post(self, request, pk: int):
        review = selectors.review_get(actor=request.user, pk=pk)
        policy.require_duty(request.user, DECIDE_DUTY)
        body = ReviewDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        items = None
        if data["result"] == AnnualReview.Result.FAIL:
            findings = selectors.review_findings(actor=request.user, review=review)
            failed = {item["key"]: item for item in selectors.failed_checklist_items(findings)}
            unknown = [key for key in data["checklist_items"] if key not in failed]
            if unknown:
                raise ApplicationError(
                    _("Not a failed checklist item of this review: %(keys)s") % {"keys": ", ".join(unknown)},
                    fields={"checklist_items": [_("Unknown item.")]},
                )
            items = [
                {key: failed[choice][key] for key in ("area", "code", "text", "note")}
                for choice in data["checklist_items"]
            ] + [dict(item) for item in data["items"]]
        decision_services.review_decide(
            actor=request.user,
            review=review,
            result=data["result"],
            reason=data["reason"],
            items=items,
            deadline=data["deadline"] if data["result"] == AnnualReview.Result.FAIL else None,
        )
        return _detail(request, pk)


urlpatterns = [
    path("cycles/", CycleList.as_view(), name="api_cycle_list"),
    path("reviews/", ReviewList.as_view(), name="api_review_list"),
    path("reviews/<int:pk>/", ReviewDetail.as_view(), name="api_review_detail"),
    path("reviews/<int:pk>/decide/", ReviewDecide.as_view(), name="api_review_decide"),
]
