from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from supervision.services.spotchecks import REASON_MAX, TITLE_MAX


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    departments = forms.ModelMultipleChoiceField(
        label=_("Participating departments"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    townships = forms.ModelMultipleChoiceField(
        label=_("Townships (none: the whole city)"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "class": "form-select"}),
    )  # fmt: skip
    percent_high = forms.IntegerField(label=_("High band: percent drawn"), min_value=0, max_value=100)
    percent_medium = forms.IntegerField(label=_("Medium band: percent drawn"), min_value=0, max_value=100)
    percent_low = forms.IntegerField(label=_("Low band: percent drawn"), min_value=0, max_value=100)
    inspectors_per_department = forms.IntegerField(
        label=_("Inspectors drawn per department"), min_value=1, max_value=10
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "percent_high", "percent_medium", "percent_low", "inspectors_per_department"):
            self.fields[name].widget.attrs["class"] = "form-control"
        from accounts.models import Organisation

        self.fields["departments"].queryset = Organisation.objects.filter(pk__in=[org.pk for org in departments])
        self.fields["townships"].queryset = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")


class DrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why draw again"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
