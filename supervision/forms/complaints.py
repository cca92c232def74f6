"""Input shapes of the complaint pages; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import RectificationOrder
from paperwork import bounds
from supervision.models import Complaint
from supervision.models.complaints import DESCRIPTION_MAX

# An institution's own categories: an unregistered provider has its own form.
INSTITUTION_CATEGORIES = [c for c in Complaint.Category.choices if c[0] != Complaint.Category.UNREGISTERED]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and the invalid mark on a field with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class ComplaintForm(StyledForm):
    category = forms.ChoiceField(label=_("What is it about?"), choices=INSTITUTION_CATEGORIES)
    description = forms.CharField(
        label=_("What happened"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("When, where, what you saw. Do not name children."),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=20,
        required=False,
        help_text=_(
            "Only the department handling the complaint can read it, to call you back. "
            "Leave both empty to stay anonymous."
        ),
    )


class UnregisteredComplaintForm(ComplaintForm):
    """A provider with no record: its category is always "unregistered provider" (the township
    and the health bureau look into it, whatever else is wrong there)."""

    category = None
    provider_name = forms.CharField(label=_("Provider"), max_length=128)
    provider_address = forms.CharField(label=_("Address of the provider"), max_length=200)
    township = forms.ChoiceField(label=_("Township"))

    field_order = ["provider_name", "provider_address", "township", "description"]

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", "---------")] + [(t.code, t.name) for t in townships]


class TrackForm(StyledForm):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class ConcludeForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Complaint.Outcome.SUBSTANTIATED, _("Substantiated")),
            (Complaint.Outcome.NOT_SUBSTANTIATED, _("Not substantiated")),
        ],  # fmt: skip
    )
    findings = forms.CharField(
        label=_("Findings (internal)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reply = forms.CharField(
        label=_("Reply to the complainant"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReferForm(StyledForm):
    organisation = forms.TypedChoiceField(label=_("Refer to"), coerce=int)
    reason = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class OrderForm(StyledForm):
    text = forms.CharField(label=_("What must be rectified"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=bounds.of(RectificationOrder, "deadline"),
    )
