"""Input shapes of the staff and certificate pages. Business rules stay in
``training.services``: an ID number, a level or a scan is judged there, in its own words, so a
field the service checks is often plain here.

A typed ID number is never written back into a page: the field's widget renders empty, also
after an error, so that it must be typed again (as on the ban-list form of inspections)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.errors import ApplicationError
from accounts.forms import style
from accounts.widgets import DateInput
from paperwork import bounds, bulk
from registry.forms.pickers import InstitutionPickerField
from training.models import Certificate, StaffMember
from training.services.staff import EDITABLE_FIELDS

REASON_MAX = 200
NOTE_MAX = 2000


def add_service_errors(form, error: ApplicationError) -> None:
    """A service's refusal on the form: its message on top, its field messages under the
    fields (the same words may show twice: on top for the reader, at the field to find it)."""
    form.add_error(None, error.message)
    for name, messages in error.fields.items():
        if name in form.fields:
            form.add_error(name, messages)


class NeverEchoedInput(forms.TextInput):
    """A text input that renders without its value, whatever was posted."""

    def format_value(self, value):
        return None


# --- Staff ----------------------------------------------------------------------------------


class StaffFilterForm(forms.Form):
    STATUS_CHOICES = [("active", _("Active")), ("left", _("Left")), ("all", _("All"))]

    institution = InstitutionPickerField(label=_("Institution"), required=False, empty_label=_("All institutions"))
    township = forms.ChoiceField(label=_("Township"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *StaffMember.Role.choices])
    status = forms.ChoiceField(label=_("Employment"), required=False, choices=STATUS_CHOICES)
    q = forms.CharField(label=_("Full name"), required=False, max_length=64)

    def __init__(self, data=None, *, institutions, townships):
        """``institutions``: the queryset of the rosters in sight (an id outside it is an error);
        the page renders none of them but the chosen one."""
        super().__init__(data)
        self.fields["institution"].queryset = institutions
        self.fields["township"].choices = [("", _("All townships"))] + [(t.code, t.name) for t in townships]
        # Only what narrows something is offered: one institution needs no institution filter.
        if len(institutions.values_list("pk", flat=True)[:2]) < 2:
            del self.fields["institution"]
        if len(townships) < 2:
            del self.fields["township"]
        style(self)

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.staff_list`` (call after ``is_valid``, or unbound:
        the defaults, active staff)."""
        data = self.cleaned_data if self.is_bound else {}
        status = data.get("status") or "active"
        return {
            "institution": data.get("institution"),
            "township": data.get("township", ""),
            "role": data.get("role", ""),
            "active": {"active": True, "left": False, "all": None}[status],
            "search": (data.get("q") or "").strip(),
        }


class ClassGroupField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StaffForm(forms.Form):
    """A staff member; ``with_id_number`` for a new one (the number is fixed afterwards)."""

    name = forms.CharField(label=_("Full name"), max_length=64)
    # Judged by the service (length, characters, birth date, check character), with its reasons.
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        widget=NeverEchoedInput(attrs={"autocomplete": "off", "class": "form-control font-monospace"}),
        help_text=_("18 characters. Stored encrypted; shown masked. Type it again after an error."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=StaffMember.Gender.choices)
    role = forms.ChoiceField(label=_("Role"), choices=StaffMember.Role.choices)
    education = forms.ChoiceField(label=_("Education"), choices=StaffMember.Education.choices)
    class_group = ClassGroupField(
        label=_("Class group"),
        queryset=None,
        required=False,
        empty_label=_("No class"),
        help_text=_("For caregivers: the class they look after."),
    )
    hired_on = forms.DateField(label=_("Hired on"), widget=DateInput(), validators=bounds.of(StaffMember, "hired_on"))
    health_certificate_expires = forms.DateField(
        label=_("Health certificate valid until"),
        required=False,
        widget=DateInput(),
        validators=bounds.of(StaffMember, "health_certificate_expires"),
    )
    background_checked_on = forms.DateField(
        label=_("Background check date"),
        required=False,
        widget=DateInput(),
        validators=bounds.of(StaffMember, "background_checked_on"),
    )

    def __init__(self, data=None, *, institution, with_id_number: bool, initial=None):
        super().__init__(data, initial=initial)
        self.fields["class_group"].queryset = institution.class_groups.order_by("age_band", "name")
        if not with_id_number:
            del self.fields["id_number"]
        style(self)

    def forget(self, *names: str) -> None:
        """Blank posted values before the form is shown again."""
        self.data = self.data.copy()
        for name in names:
            self.data[name] = ""

    @staticmethod
    def initial_of(member: StaffMember) -> dict:
        return {field: getattr(member, field) for field in EDITABLE_FIELDS}

    def changes(self, member: StaffMember) -> dict:
        """The editable fields whose value differs from the member's."""
        return {name: value for name, value in self.cleaned_data.items() if getattr(member, name) != value}


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), validators=bounds.of(StaffMember, "left_on"))


class RevealForm(forms.Form):
    # Judged by the service, which says what a reason needs.
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX)


# --- Certificates ---------------------------------------------------------------------------


class CertificateForm(forms.Form):
    """A certificate of a staff member. The levels offered are grouped by kind; whether the
    chosen level belongs to the chosen kind is the service's question."""

    kind = forms.ModelChoiceField(label=_("Kind"), queryset=None)
    level = forms.CharField(label=_("Level"), required=False, max_length=32)
    number = forms.CharField(label=_("Certificate number"), max_length=64)
    issuer = forms.CharField(label=_("Issued by"), max_length=128)
    issued_on = forms.DateField(
        label=_("Issued on"), widget=DateInput(), validators=bounds.of(Certificate, "issued_on")
    )
    expires_on = forms.DateField(
        label=_("Valid until"), required=False, widget=DateInput(), validators=bounds.of(Certificate, "expires_on")
    )
    # Empty files pass here so that the service refuses them with its own message.
    scan = forms.FileField(
        label=_("Scan"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG, at most 10 MB; judged by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, data=None, files=None, *, kinds):
        """``kinds``: the queryset of kinds in use (``selectors.certificate_kinds``)."""
        super().__init__(data, files)
        self.fields["kind"].queryset = kinds
        groups = [(kind.name, [(level, level) for level in kind.levels]) for kind in kinds if kind.levels]
        self.fields["level"].widget = forms.Select(choices=[("", _("No level")), *groups])
        style(self)


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Verification note"), required=False, max_length=NOTE_MAX)


class RejectForm(forms.Form):
    # Required by the service, which says so in its own words.
    note = forms.CharField(label=_("Reason for rejection"), required=False, max_length=NOTE_MAX)


class BulkDecisionForm(forms.Form):
    """Many certificates verified or rejected at once (``paperwork.bulk``)."""

    ids = bulk.IdsField(label=_("Certificates"))
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Certificate.Status.VERIFIED, pgettext_lazy("certificate", "Verify")),
            (Certificate.Status.REJECTED, pgettext_lazy("certificate", "Reject")),
        ],
    )
    # Required for a rejection by the service, which says so in its own words.
    note = forms.CharField(label=_("Note or reason"), required=False, max_length=NOTE_MAX)


class KindCountsForm(forms.Form):
    counts_for_rate = forms.TypedChoiceField(
        label=_("Counts towards the certification rate"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda value: value == "1",
    )
