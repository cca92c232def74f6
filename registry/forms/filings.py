"""Input shapes of the filing pages. Business rules stay in ``registry.services.filings``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from paperwork import bounds
from registry.models import Filing, FilingAttachment

GENERAL = "general"
NOTE_MAX = 2000


class FilingStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of filing"), choices=Filing.Kind.choices)


class FilingEditForm(forms.Form):
    summary = forms.CharField(
        label=_("What is filed or changed"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    commitment_signed_by = forms.CharField(
        label=_("Commitment signed by"),
        required=False,
        max_length=64,
        help_text=_("Name of the person who signed the filing commitment."),
    )
    # Closure filings only (the page shows them for a closure).
    closure_on = forms.DateField(
        label=_("Closure date"), required=False, validators=bounds.of(Filing, "closure_on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    placement = forms.CharField(
        label=_("Placement of the enrolled children"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class AttachmentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=FilingAttachment.Kind.choices)
    # Empty files pass here so that the service refuses them with its own message.
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class FilingAcceptForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX, widget=forms.Textarea)


class FilingRejectForm(forms.Form):
    # Required by the service, which says so in its own words.
    note = forms.CharField(label=_("Reason for the rejection"), required=False, max_length=NOTE_MAX)


class FilingReturnForm(forms.Form):
    """One reason per document (``reason_<kind>``) and a general one (``reason_general``)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in [*FilingAttachment.Kind.choices, (GENERAL, _("General"))]:
            self.fields[f"reason_{key}"] = forms.CharField(label=label, required=False, max_length=NOTE_MAX)

    def reasons(self) -> dict[str, str]:
        prefix = "reason_"
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value.strip()
        }


class ChangeWithdrawForm(forms.Form):
    """One item of a change filing's proposal: a field name or ``class:<key>``."""

    item = forms.CharField(label=_("Change"), max_length=64)


class FilingLedgerForm(forms.Form):
    """The month and township of the printable filing ledger (备案台账). The township choices are
    those in the user's sight, so a foreign township is a bad value, not an empty ledger."""

    month = forms.RegexField(
        label=_("Month"), regex=r"^(20\d\d)-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Enter a month as YYYY-MM, for example 2026-03.")},
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )  # fmt: skip
    township = forms.ChoiceField(
        label=_("Township"), required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, data=None, *, townships):
        super().__init__(data)
        self.fields["township"].choices = [("", _("All townships"))] + [(t.code, t.name) for t in townships]

    def period(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)
