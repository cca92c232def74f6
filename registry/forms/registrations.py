"""Forms of the registration and import pages: input shape and messages only; the rules are in
``registry.services.registrations`` and ``registry.imports``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.errors import ApplicationError
from accounts.forms import StyledForm
from paperwork import bounds
from registry.models import ImportJob, Institution, Registration
from registry.validators import validate_credit_code

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: its sentence above the form, and the messages of
    the fields it names beside those fields."""
    placed = set()
    for name, messages in error.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
                placed.add(str(message))
    if str(error.message) not in placed:
        form.add_error(None, error.message)


class RegistrationForm(StyledForm):
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, min_length=18, validators=[validate_credit_code]
    )
    name = forms.CharField(label=_("Name of the institution"), max_length=128)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=Institution.LegalForm.choices)
    provider_type = forms.ChoiceField(label=_("Provider type"), choices=Institution.ProviderType.choices)
    village = forms.ChoiceField(label=_("Village or community"))
    address = forms.CharField(label=_("Address of the premises"), max_length=200)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=64)
    registered_on = forms.DateField(
        label=_("Registration date"), widget=DATE_INPUT, validators=bounds.of(Registration, "registered_on")
    )

    def __init__(self, *args, villages, legal_forms: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.villages = {village.code: village for village in villages}
        groups: dict[str, list[tuple[str, str]]] = {}
        for village in self.villages.values():
            groups.setdefault(village.parent.name, []).append((village.code, f"{village.name}（{village.code}）"))
        self.fields["village"].choices = [("", _("Choose the village or community"))] + list(groups.items())
        # Only the forms the organisation registers are offered. Another form still passes the
        # form, so that the service refuses it (403) rather than the form quietly hiding it.
        self.fields["legal_form"].widget.choices = [
            (value, label) for value, label in Institution.LegalForm.choices if value in legal_forms
        ]
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["registered_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_registered_on(self):
        day = self.cleaned_data["registered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The registration date cannot be in the future."))
        return day

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["village"] = self.villages[data["village"]]
        return data


class RevokeForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for the revocation"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    revoked_on = forms.DateField(
        label=_("Revocation date"), widget=DATE_INPUT, validators=bounds.of(Registration, "revoked_on")
    )


class ImportForm(StyledForm):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(value, label) for value, label in ImportJob.Kind.choices if value in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
