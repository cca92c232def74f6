"""Input shapes of the enforcement pages: rectification orders, revocation referrals, cases,
the ban list. Business rules stay in ``inspections.services``; a field the service requires
is often optional here so that the service says why in its own words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import idnumbers
from accounts.widgets import DateInput
from inspections.models import Area, BanEntry, Case, RectificationOrder
from paperwork import bounds
from registry.forms.pickers import InstitutionPickerField

NOTE_MAX = 2000
ITEM_ROWS = 5  # rows of items on the form of an ad-hoc order


class OrderIssueForm(forms.Form):
    """An ad-hoc order: the institution (from the query string or chosen here), up to
    ``ITEM_ROWS`` items (area, checklist code, what to rectify) and the deadline."""

    institution = InstitutionPickerField(label=_("Institution"), required=True, empty_label="—")
    deadline = forms.DateField(
        label=_("Deadline"), widget=DateInput(), validators=bounds.of(RectificationOrder, "deadline")
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        area_choices = [("", "—"), *Area.choices]
        for row in range(1, ITEM_ROWS + 1):
            self.fields[f"area_{row}"] = forms.ChoiceField(
                label=_("Area of inspection"), required=False, choices=area_choices
            )
            self.fields[f"code_{row}"] = forms.CharField(label=_("Checklist item"), required=False, max_length=16)
            self.fields[f"text_{row}"] = forms.CharField(
                label=_("What must be rectified"), required=False, max_length=300
            )

    def rows(self) -> list[dict]:
        """The item rows as the template draws them (with what was posted)."""
        return [
            {
                "number": row,
                "area": self[f"area_{row}"].value() or "",
                "code": self[f"code_{row}"].value() or "",
                "text": self[f"text_{row}"].value() or "",
            }
            for row in range(1, ITEM_ROWS + 1)
        ]

    def items(self) -> list[dict]:
        """The rows that say something; a row with a text but no area is passed on, so that
        the service refuses it with its message."""
        data = self.cleaned_data
        return [
            {"area": data[f"area_{row}"], "code": data[f"code_{row}"].strip(), "text": data[f"text_{row}"].strip()}
            for row in range(1, ITEM_ROWS + 1)
            if data[f"text_{row}"].strip() or data[f"area_{row}"]
        ]


class OrderAnswerForm(forms.Form):
    # Required by the service, which says so in its own words.
    response = forms.CharField(label=_("What was rectified"), required=False, max_length=4000)


class EvidenceUploadForm(forms.Form):
    # Empty files pass here so that the service refuses them with its own message.
    file = forms.FileField(label=_("Evidence"), allow_empty_file=True)


class OrderVerifyForm(forms.Form):
    RESULT_CHOICES = [("rectified", _("Rectified")), ("not_rectified", _("Not rectified"))]

    result = forms.ChoiceField(label=_("Result of the verification"), choices=RESULT_CHOICES)
    note = forms.CharField(label=_("Verification note"), required=False, max_length=NOTE_MAX)

    @property
    def rectified(self) -> bool:
        return self.cleaned_data["result"] == "rectified"


class OrderCloseUnmetForm(forms.Form):
    # Required by the service, which says so in its own words.
    note = forms.CharField(label=_("Why the rectification failed"), required=False, max_length=NOTE_MAX)


class ReferralDecideForm(forms.Form):
    DECISION_CHOICES = [("withdraw", _("Withdraw the registration")), ("keep", _("Do not withdraw"))]

    decision = forms.ChoiceField(label=_("Decision on the registration"), choices=DECISION_CHOICES)
    note = forms.CharField(label=_("Reasons for the decision"), required=False, max_length=NOTE_MAX)

    @property
    def withdraw(self) -> bool:
        return self.cleaned_data["decision"] == "withdraw"


class CaseRecordForm(forms.Form):
    provider_name = forms.CharField(label=_("Provider"), max_length=128)
    place = forms.CharField(label=_("Place"), max_length=200)
    # Any township is accepted here; the service refuses one outside the user's territory.
    township = forms.ModelChoiceField(label=_("Township"), queryset=None, to_field_name="code")
    found = forms.CharField(label=_("What was found"), max_length=4000)
    found_on = forms.DateField(label=_("Found on"), widget=DateInput(), validators=bounds.of(Case, "found_on"))

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


class CaseOrderForm(forms.Form):
    order_text = forms.CharField(label=_("What must be rectified"), required=False, max_length=4000)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), validators=bounds.of(Case, "deadline"))


class CaseCloseForm(forms.Form):
    """The outcome; for a penalty or a ban also the decision. What a closing needs is the
    service's to say (``case_close``), so the decision's fields are optional here."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(value, label) for value, label in Case.Status.choices if value in Case.CLOSED_STATUSES],
    )
    note = forms.CharField(label=_("Closing note"), required=False, max_length=NOTE_MAX)
    decision_number = forms.CharField(label=_("Decision document number"), required=False, max_length=64)
    decision_date = forms.DateField(
        label=_("Date of the decision"), required=False, widget=DateInput(), validators=bounds.of(Case, "decision_date")
    )
    decision_department = forms.ModelChoiceField(label=_("Deciding department"), queryset=None, required=False)
    # Empty files pass here so that the paperwork kit refuses them with its own message.
    scan = forms.FileField(label=_("Scan of the decision"), required=False, allow_empty_file=True)
    immediate_reason = forms.CharField(
        label=_("Reason for closing before the deadline"), required=False, max_length=NOTE_MAX
    )
    # The notice to a party institution (its facts and legal basis); the service asks for them.
    decision_facts = forms.CharField(label=_("Facts of the decision"), required=False, max_length=4000)
    decision_basis = forms.CharField(label=_("Legal basis of the decision"), required=False, max_length=2000)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_department"].queryset = departments


class IdNumberField(forms.CharField):
    """A resident ID number (GB 11643), upper-cased: 18 characters, a real birth date and a
    matching check character. Each problem has its own message (``accounts.idnumbers``);
    no length validator of its own, so that a short number gets that message too."""

    def clean(self, value):
        value = idnumbers.normalise(super().clean(value))
        error = idnumbers.id_number_error(value) if value else None
        if error:
            raise forms.ValidationError(error, code="invalid")
        return value


class BanAddForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    id_number = IdNumberField(label=_("ID number"))
    reason = forms.CharField(label=_("Reason"), max_length=4000)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=DateInput(), validators=bounds.of(BanEntry, "decided_on")
    )
    document = forms.CharField(label=_("Decision document"), required=False, max_length=128)


class BanCheckForm(forms.Form):
    id_number = IdNumberField(label=_("ID number"))
