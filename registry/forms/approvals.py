"""Input shape of the education bureau's decision on a nursery class. Rules stay in
``registry.services.approvals``."""

from django import forms
from django.utils.translation import gettext_lazy as _

NOTE_MAX = 2000


class NurseryClassDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    # Required for a refusal: the service says so in its own words.
    reason = forms.CharField(label=_("Reason"), required=False, max_length=NOTE_MAX)
