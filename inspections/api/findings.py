"""The findings API: checklists, the findings in sight, one finding, and recording a finding.
The same selectors, services and policy as the pages; errors in the one API error shape
(``accounts.api_errors``): out of sight 404, not one's area 403, bad input 400."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from accounts import lists, policy
from inspections import selectors
from inspections.forms.findings import NOTE_MAX, NOTES_MAX, area_label
from inspections.lists import FindingFilterSet
from inspections.models import Area, ChecklistItem, ChecklistTemplate, Finding, FindingItem, InspectionFile
from inspections.services import findings as services
from inspections.services.checklists import YEAR_MAX, YEAR_MIN
from paperwork import bounds
from registry.models import Institution

FINDING_AREAS = [*Area.values, Finding.SUPERVISION]


def _choice_field(values: list[str], choices, component: str) -> type[serializers.ChoiceField]:
    """A read-only choice field whose enum is its own named component in the schema (several
    models call their choices ``result``, ``status`` or ``area``)."""

    @extend_schema_field({"type": "string", "enum": list(values)}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


AreaField = _choice_field(Area.values, Area.choices, "InspectionAreaEnum")
FindingAreaField = _choice_field(
    FINDING_AREAS, [*Area.choices, (Finding.SUPERVISION, Finding.SUPERVISION)], "FindingAreaEnum"
)
SeverityField = _choice_field(ChecklistItem.Severity.values, ChecklistItem.Severity.choices, "ChecklistSeverityEnum")
ResultField = _choice_field(FindingItem.Result.values, FindingItem.Result.choices, "FindingCheckResultEnum")


# --- Serializers ------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    severity = SeverityField()

    class Meta:
        model = ChecklistItem
        fields = ["code", "text", "severity", "order"]


class ChecklistSerializer(serializers.ModelSerializer):
    area = AreaField()
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "area", "year", "title", "items"]


class FindingPlaceSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "township"]


class FindingRowSerializer(serializers.ModelSerializer):
    institution = FindingPlaceSerializer(read_only=True)
    area = FindingAreaField()
    area_label = serializers.SerializerMethodField()
    review = serializers.IntegerField(source="review_id", read_only=True, allow_null=True)
    year = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", read_only=True)
    inspector = serializers.StringRelatedField()
    detail_url = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id", "review", "year", "institution", "area", "area_label", "department", "inspector", "inspected_on",
            "passed", "created_at", "detail_url",
        ]  # fmt: skip

    def get_area_label(self, obj) -> str:
        return area_label(obj.area)

    def get_year(self, obj) -> int | None:
        return obj.review.cycle.year if obj.review_id else None

    def get_detail_url(self, obj) -> str:
        return reverse("finding_detail", kwargs={"pk": obj.pk})


class FindingResultSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    text = serializers.CharField(source="item.text", read_only=True)
    severity = SeverityField(source="item.severity")
    result = ResultField()

    class Meta:
        model = FindingItem
        fields = ["code", "text", "severity", "result", "note"]


class InspectionFileSerializer(serializers.ModelSerializer):
    original_name = serializers.CharField(source="stored.original_name", read_only=True)
    content_type = serializers.CharField(source="stored.content_type", read_only=True)
    size = serializers.IntegerField(source="stored.size", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionFile
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("inspection_file_download", kwargs={"pk": obj.pk})


class FindingFullSerializer(FindingRowSerializer):
    items = FindingResultSerializer(many=True, read_only=True)
    photos = InspectionFileSerializer(many=True, read_only=True)

    class Meta(FindingRowSerializer.Meta):
        fields = FindingRowSerializer.Meta.fields + ["notes", "items", "photos"]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": FindingItem.Result.values},
            {
                "type": "object",
                "properties": {
                    "result": {"type": "string", "enum": FindingItem.Result.values},
                    "note": {"type": "string", "maxLength": NOTE_MAX},
                },
                "required": ["result"],
            },
        ]
    }
)
class ItemResultField(serializers.Field):
    """One item's result: ``{"result": "fail", "note": "…"}``, or just ``"pass"``."""

    default_error_messages = {
        "result": _("Give the result: pass, fail or na."),
        "note": _("A note is text of at most %(max)d characters.") % {"max": NOTE_MAX},
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            result, note = data, ""
        elif isinstance(data, dict):
            result, note = data.get("result"), data.get("note", "")
        else:
            self.fail("result")
        if result not in FindingItem.Result.values:
            self.fail("result")
        if note is None:
            note = ""
        if not isinstance(note, str) or len(note) > NOTE_MAX:
            self.fail("note")
        return result, note.strip()

    def to_representation(self, value):
        result, note = value
        return {"result": result, "note": note}


class FindingTargetSerializer(serializers.Serializer):
    review = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=bounds.ID_MAX,
        help_text=_("The annual review inspected."),
    )
    institution = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=bounds.ID_MAX,
        help_text=_("For an ad-hoc inspection: the institution."),
    )
    area = serializers.ChoiceField(choices=Area.choices)

    def validate(self, data):
        if not data.get("review") and not data.get("institution"):
            raise serializers.ValidationError(_("Choose the annual review or the institution to inspect."))
        return data


class FindingRecordSerializer(FindingTargetSerializer):
    inspected_on = serializers.DateField(validators=bounds.of(Finding, "inspected_on"))
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTES_MAX)
    results = serializers.DictField(
        child=ItemResultField(),
        help_text=_('Every checklist item by its code: {"F1": "pass", "F3": {"result": "fail", "note": "…"}}.'),
    )


class ChecklistFilterSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=Area.values, required=False, allow_blank=True)
    year = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)


# --- Views ------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, enum=Area.values, description="Only this area."),
        OpenApiParameter("year", OpenApiTypes.INT, description="Only this year."),
    ]
)
class ChecklistList(ListAPIView):
    """The checklists of every area and year, with their items (every member sees them)."""

    serializer_class = ChecklistSerializer

    def get_queryset(self):
        filters = ChecklistFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.checklist_list(actor=self.request.user, area=data.get("area", ""), year=data.get("year"))


class FindingListRecord(ListAPIView):
    """GET: the findings in the user's sight. POST: record a department's checks of one area,
    for an annual review or (with ``institution``) an ad-hoc inspection; recording the same
    review and area again replaces the earlier finding."""

    serializer_class = FindingRowSerializer
    # The finding page's filter set (``inspections.lists``): a value outside its set answers 400.
    # The list's page and export filter with the same set (accounts.lists).
    filter_backends = [DjangoFilterBackend]
    filterset_class = FindingFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(Finding)
        return lists.spec_get("findings").base(self.request.user)

    @extend_schema(
        request=FindingRecordSerializer,
        responses={201: FindingFullSerializer},
        summary="Record a finding",
    )
    def post(self, request):
        target = FindingTargetSerializer(data=request.data)
        target.is_valid(raise_exception=True)
        area, review = target.validated_data["area"], None
        if target.validated_data.get("review"):
            review = selectors.review_get(actor=request.user, pk=target.validated_data["review"])
            institution = review.institution
        else:
            institution = selectors.finding_institution_get(actor=request.user, pk=target.validated_data["institution"])
        policy.require_duty(request.user, Area.duty(area))  # before the body is judged: 403, not 400
        body = FindingRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        finding = services.finding_record(
            actor=request.user,
            institution=institution,
            area=area,
            inspected_on=data["inspected_on"],
            results=data["results"],
            notes=data["notes"].strip(),
            review=review,
        )
        answer = FindingFullSerializer(selectors.finding_get(actor=request.user, pk=finding.pk))
        return Response(answer.data, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
class FindingRecordName(FindingListRecord):
    """Only gives ``POST findings/`` its own URL name; requests reach the pattern above."""


class FindingDetail(RetrieveAPIView):
    serializer_class = FindingFullSerializer

    def get_object(self):
        return selectors.finding_get(actor=self.request.user, pk=self.kwargs["pk"])


urlpatterns = [
    path("checklists/", ChecklistList.as_view(), name="api_checklist_list"),
    path("findings/", FindingListRecord.as_view(), name="api_finding_list"),
    path("findings/", FindingRecordName.as_view(), name="api_finding_record"),
    path("findings/<int:pk>/", FindingDetail.as_view(), name="api_finding_detail"),
]
