from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.models import RiskBand
from supervision.services.risk import OVERRIDE_REASON_MAX


class BandOverrideForm(forms.Form):
    band = forms.ChoiceField(
        label=_("Risk band"),
        choices=[("", pgettext_lazy("risk band", "As computed"))] + list(RiskBand.choices),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=OVERRIDE_REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
