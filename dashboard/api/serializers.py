"""Serializers of the dashboard API (``dashboard/api/``): what goes out and what comes in.

Numbers leave as the snapshot holds them, decimal strings ("83.1"), so that a figure read from
the API is the figure on the dashboard; a missing value is null. Serializers hold no business
rules: the services judge the input (figures, years, targets) and say why in the one error shape.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import RegionCodeFilter
from accounts.models import Region
from dashboard.models import FIGURE_MAX, Indicator, PeriodicReport, ReportFigure, Target
from paperwork import bounds


def _enum(choices_class, component: str, *, blank: bool = False) -> type[serializers.ChoiceField]:
    """A choice field whose enum is its own named component in the schema (several models call
    their choices ``status``, ``unit`` or ``source``; auto-naming would make them collide)."""
    values = list(choices_class.values) + ([""] if blank else [])

    @extend_schema_field({"type": "string", "enum": values}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices_class.choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


UnitField = _enum(Indicator.Unit, "IndicatorUnitEnum")
DirectionField = _enum(Indicator.Direction, "IndicatorDirectionEnum")
SourceField = _enum(Indicator.Source, "IndicatorSourceEnum")
ReportStatusField = _enum(PeriodicReport.Status, "PeriodicReportStatusEnum")


@extend_schema_field(
    {"type": "string", "enum": ["met", "on_track", "behind", ""], "description": "Empty: no value or no target."},
    component_name="TargetStatusEnum",
)
class TargetStatusField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "nullable": True, "example": "83.1"})
class NumberField(serializers.Field):
    """A decimal as text (as the snapshot stores it), or null."""

    def to_representation(self, value):
        return None if value is None else str(value)


# --- References ------------------------------------------------------------------------------


class DashboardRegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]
        read_only_fields = fields


# --- Indicators and values -------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    unit = UnitField(read_only=True)
    direction = DirectionField(read_only=True)
    source = SourceField(read_only=True)
    levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    numerator = serializers.CharField(read_only=True, help_text=_("Report figure of the numerator (report source)."))
    denominator = serializers.CharField(read_only=True, help_text=_("Report figure of the denominator, if a share."))

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "name_en", "unit", "direction", "levels", "source", "numerator", "denominator",
            "description",
        ]  # fmt: skip
        read_only_fields = fields


class TargetRefSerializer(serializers.ModelSerializer):
    """The target a value is measured against: the region's own, or the city's for a rate."""

    region = serializers.CharField(source="region.code", read_only=True)
    value = NumberField(read_only=True)

    class Meta:
        model = Target
        fields = ["id", "region", "year", "value", "source"]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.Serializer):
    """One indicator's value for a region (a ``selectors.Row``)."""

    indicator = serializers.CharField(source="indicator.code", read_only=True)
    name = serializers.CharField(source="indicator.display_name", read_only=True)
    unit = UnitField(source="indicator.unit", read_only=True)
    direction = DirectionField(source="indicator.direction", read_only=True)
    value = NumberField(read_only=True)
    numerator = NumberField(read_only=True)
    denominator = NumberField(read_only=True)
    target = TargetRefSerializer(read_only=True, allow_null=True)
    status = TargetStatusField(read_only=True)


class RegionValuesSerializer(serializers.Serializer):
    """A region's indicator values from its snapshot: the current ones, or a year's history."""

    region = DashboardRegionSerializer(read_only=True)
    year = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The year asked for; null: the current values.")
    )
    computed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When the snapshot was computed; null: not yet.")
    )
    values = IndicatorValueSerializer(many=True, read_only=True)


class ValuesQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(r"^\d{6,12}$", required=False, help_text=_("The region's statistical code."))
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


# --- Targets ---------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.display_name", read_only=True)
    unit = UnitField(source="indicator.unit", read_only=True)
    region = DashboardRegionSerializer(read_only=True)
    value = NumberField(read_only=True)
    set_by = serializers.CharField(
        source="set_by.name", read_only=True, allow_null=True, default=None, help_text=_("Null: reference data.")
    )

    class Meta:
        model = Target
        fields = ["id", "indicator", "indicator_name", "unit", "region", "year", "value", "source", "set_by",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields


class TargetFilterSerializer(serializers.Serializer):
    region = RegionCodeFilter(levels=(Region.Level.CITY, Region.Level.TOWNSHIP))
    indicator = serializers.CharField(required=False, allow_blank=True, max_length=48)


class TargetSetSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=48, help_text=_("The indicator's code."))
    region = serializers.CharField(max_length=12, help_text=_("The city's or a township's statistical code."))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- Periodic reports ------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    """The figures of a report: whole numbers, each optional (null: none). An unknown name is
    refused. In a form-encoded body they are ``figures.population`` and so on."""

    def get_fields(self):
        return {
            figure.value: serializers.IntegerField(
                required=False, allow_null=True, min_value=0, max_value=FIGURE_MAX, help_text=figure.label
            )
            for figure in ReportFigure
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(ReportFigure.values))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown figure.")] for name in unknown})
        return super().to_internal_value(data)


def given(figures: dict) -> dict:
    """The figures with a value (a null removes a figure where figures are merged)."""
    return {name: value for name, value in (figures or {}).items() if value is not None}


class ReportSerializer(serializers.ModelSerializer):
    region = DashboardRegionSerializer(read_only=True)
    status = ReportStatusField(read_only=True)
    figures = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    decided_by = serializers.SerializerMethodField(help_text=_("Who approved or returned it."))
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The approved report it corrects.")
    )
    locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = PeriodicReport
        fields = [
            "id", "region", "year", "version", "status", "locked", "figures", "source", "organisation",
            "submitted_at", "decided_by", "decided_at", "return_reason", "corrects", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_decided_by(self, obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class ReportDetailSerializer(ReportSerializer):
    correction = serializers.SerializerMethodField(help_text=_("The correction of this report, if one was started."))
    may_change = serializers.SerializerMethodField()
    may_decide = serializers.SerializerMethodField()
    may_correct = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = ReportSerializer.Meta.fields + ["correction", "may_change", "may_decide", "may_correct"]
        read_only_fields = fields

    def get_correction(self, obj) -> int | None:
        return self.context.get("correction")

    def get_may_change(self, obj) -> bool:
        """Change or submit: the region's reporter, while a draft or returned."""
        return bool(self.context.get("may_change"))

    def get_may_decide(self, obj) -> bool:
        return bool(self.context.get("may_decide"))

    def get_may_correct(self, obj) -> bool:
        return bool(self.context.get("may_correct"))


class ReportCreateSerializer(serializers.Serializer):
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text=_("Statistical code of the region reported for: only your own (the default)."),
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    figures = FiguresSerializer()
    source = serializers.CharField(max_length=200, allow_blank=True)
    submit = serializers.BooleanField(default=False, help_text=_("Submit for approval at once."))


class ReportChangeSerializer(serializers.Serializer):
    """A change or a correction: the figures given replace those of the report (a null removes
    one); the others and the source stay as they are."""

    figures = FiguresSerializer(required=False)
    source = serializers.CharField(max_length=200, allow_blank=True, required=False)
    submit = serializers.BooleanField(default=False, help_text=_("Submit for approval at once."))


class ReportReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class ReportIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=bounds.ID_MAX), min_length=1, max_length=500
    )


class BulkApprovalSerializer(serializers.Serializer):
    approved = serializers.IntegerField(help_text=_("How many reports were approved."))
    problems = serializers.ListField(child=serializers.CharField(), help_text=_("Why the others were not."))
    not_found = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Ids not found (or out of your sight).")
    )
