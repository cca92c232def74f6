"""Forms of the periodic report pages: input shape and messages only. The rules (whole
numbers from 0, a part no larger than its whole, a year up to this year, a source, a target in
range, who may write) are the services' (``dashboard.services.reports``), which say why in their own
words; a refusal is shown on the form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from dashboard.models import PeriodicReport, ReportFigure

FIGURE_PREFIX = "figure_"


def region_choices(regions, empty) -> list[tuple[str, str]]:
    return [("", empty)] + [(region.code, region.name) for region in regions]


# --- Periodic reports ------------------------------------------------------------------------


class ReportForm(StyledForm):
    """The year, one whole number per figure the report carries (each optional: a report gives
    the figures it has) and the source. On a change or a correction the year is fixed."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=_("Source of the figures"),
        max_length=200,
        help_text=_("For example the statistical yearbook, the health statistics report or the survey."),
    )

    def __init__(self, *args, fixed_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.fields.pop("source")
        for figure in ReportFigure:
            self.fields[FIGURE_PREFIX + figure.value] = forms.IntegerField(
                label=figure.label,
                required=False,
                widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "form-control"}),
            )
        self.fields["source"] = source
        if fixed_year is not None:
            self.fields["year"].disabled = True
            self.fields["year"].initial = fixed_year
        else:
            self.fields["year"].initial = timezone.localdate().year
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    @classmethod
    def initial_from(cls, report: PeriodicReport) -> dict:
        return {
            "year": report.year,
            "source": report.source,
            **{FIGURE_PREFIX + key: value for key, value in (report.figures or {}).items()},
        }

    def figure_fields(self):
        return [self[name] for name in self.fields if name.startswith(FIGURE_PREFIX)]

    def figures(self) -> dict:
        """{figure: whole number} for the figures given."""
        return {
            name[len(FIGURE_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(FIGURE_PREFIX) and value is not None
        }

    def show_refusal(self, error) -> None:
        """A service's refusal: its message for the whole form, and its notes on the fields."""
        self.add_error(None, error.message)
        for name, field_errors in error.fields.items():
            field = FIGURE_PREFIX + name if FIGURE_PREFIX + name in self.fields else name
            if field in self.fields and field not in self.errors:
                self.add_error(field, field_errors)


class ReportReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for return"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the report is returned.")},
    )


class IdListField(forms.Field):
    """A list of ids from checkboxes of the same name."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("The chosen reports are not valid.")}

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BulkApproveForm(forms.Form):
    ids = IdListField(label=_("Reports"), required=True, error_messages={"required": _("Choose reports to approve.")})
