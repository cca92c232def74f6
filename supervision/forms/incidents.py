"""Input shapes of the incident pages. Business rules stay in ``supervision.services``."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from paperwork import bounds
from supervision.models import Incident

TEXT_MAX = 4000


def plausible_moment(value: datetime) -> None:
    """The window of ``bounds.HAPPENED``, for a moment rather than a day. Its own date, not the
    local one: turning year 1 into local time overflows, and a day either way does not matter."""
    first, last = bounds.HAPPENED.limits()
    if not first <= value.date() <= last:
        raise ValidationError(
            _("Enter a date from %(first)s to %(last)s."),
            code="date_window",
            params={"first": first.isoformat(), "last": last.isoformat()},
        )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class IncidentReportForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind of incident"), choices=Incident.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"), widget=DateTimeInput(), validators=[plausible_moment]
    )
    children_affected = forms.IntegerField(
        label=_("Children affected"), min_value=0, max_value=1000, initial=0, required=False
    )
    description = forms.CharField(
        label=_("What happened"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    actions_taken = forms.CharField(
        label=_("What was done"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions if institutions is not None else Incident.objects.none()
        if institutions is not None and len(institutions) == 1:
            self.fields["institution"].initial = institutions[0].pk
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if select else "form-control")

    def clean_children_affected(self) -> int:
        return self.cleaned_data["children_affected"] or 0


class IncidentCloseForm(forms.Form):
    note = forms.CharField(label=_("Follow-up"), max_length=TEXT_MAX, required=False)


class BanProposeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX)


class BanDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=[("confirm", _("Confirm")), ("reject", _("Do not list"))]
    )
    note = forms.CharField(label=_("Note"), max_length=TEXT_MAX, required=False)
