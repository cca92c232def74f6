"""Input shapes of the filing pages. Business rules stay in ``registry.services.filings``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from paperwork import bounds
from registry.models import Filing, FilingAttachment

GENERAL = "general"
NOTE_MAX = 2000


class FilingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Filing.Status.choices]
    )
    # A plain field: a checkbox widget would read "?overdue=0" as checked.
    overdue = forms.CharField(label=_("Only reviews past the time limit"), required=False, max_length=5)
    # The dashboard's 备案按时办结率 links here: decided late this year or waiting past the limit.
    late = forms.CharField(
        label=_("Only filings decided late this year or waiting past the time limit"), required=False, max_length=5
    )
    township = forms.RegexField(label=_("Township"), required=False, regex=r"^\d{9}$")
    q = forms.CharField(label=_("Institution name"), required=False, max_length=100)

    def clean_overdue(self) -> bool:
        return self.cleaned_data["overdue"].strip().lower() in ("1", "on", "true", "yes")

    def clean_late(self) -> bool:
        return self.cleaned_data["late"].strip().lower() in ("1", "on", "true", "yes")

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


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
