"""Forms of the target pages: input shape and messages only; the rules (a target in range,
who may write) are the services' (``dashboard.services.targets``), and a refusal is shown on the form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from dashboard.forms.reports import region_choices


class TargetFilterForm(StyledForm):
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, indicators, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("All indicators"))] + [(i.code, i.display_name) for i in indicators]
        self.fields["region"].choices = region_choices(regions, _("All regions"))

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        return {"indicator": self.cleaned_data["indicator"], "region": self.cleaned_data["region"]}


class TargetForm(StyledForm):
    """A target for one indicator, region (the city or a township) and year; setting one that
    exists replaces its value."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    region = forms.ChoiceField(label=_("Region"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args, indicators, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self._indicators = {indicator.code: indicator for indicator in indicators}
        self._regions = {region.code: region for region in regions}
        self.fields["indicator"].choices = [("", _("Choose…"))] + [
            (code, f"{indicator.display_name} ({indicator.get_unit_display()})")
            for code, indicator in self._indicators.items()
        ]
        self.fields["region"].choices = [("", _("Choose…"))] + [
            (code, region.name) for code, region in self._regions.items()
        ]
        self.fields["year"].initial = timezone.localdate().year

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "indicator": self._indicators[data["indicator"]],
            "region": self._regions[data["region"]],
            "year": data["year"],
            "value": data["value"],
            "source": data["source"],
        }

    def show_refusal(self, error) -> None:
        self.add_error(None, error.message)
        for name, field_errors in error.fields.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, field_errors)
