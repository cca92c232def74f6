"""Input shapes of the objection pages. Business rules stay in ``supervision.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Case

TEXT_MAX = 4000


class ObjectionForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"})
    )
    evidence = forms.FileField(label=_("Evidence (PDF, JPEG or PNG)"), required=False)


class ObjectionAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"), choices=[("upheld", _("Uphold the decision")), ("changed", _("Change the decision"))]
    )
    answer = forms.CharField(label=_("Reasons of the answer"), max_length=TEXT_MAX, required=False)
    # A case decision changed: what it becomes (the service refuses a heavier one).
    changed_outcome = forms.ChoiceField(
        label=_("The decision becomes"),
        required=False,
        choices=[("", "—"), *[(v, label) for v, label in Case.Status.choices if v in Case.CLOSED_STATUSES]],
    )
