from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Membership, NotificationPreference, SecurityEvent, User
from accounts.widgets import DateInput


def bootstrap_class(widget) -> str | None:
    """The Bootstrap class of a widget: check inputs for boxes and radios (a group of
    checkboxes is a kind of radio select), form-select for selects, form-control for the
    rest; none for hidden inputs."""
    if widget.is_hidden:
        return None
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # SelectMultiple too
        return "form-select"
    return "form-control"


def style(form) -> None:
    """Bootstrap classes on the widgets, so templates render ``{{ field }}`` as it is; a class
    a widget was given stays, the Bootstrap one joins it."""
    for field in form.fields.values():
        css = bootstrap_class(field.widget)
        classes = field.widget.attrs.get("class", "").split()
        if css and css not in classes:
            field.widget.attrs["class"] = " ".join([*classes, css])


class StyledForm(forms.Form):
    """A form with Bootstrap classes on its widgets. Django itself marks an invalid field with
    aria-invalid and points its aria-describedby at ``<id>_error``, the message under it
    (``_field.html``); the widget of an invalid field is also marked ``is-invalid``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. After 5 failures the account is locked for 30 minutes."
        ),
        "inactive": _("This account is disabled."),
    }


class LookupPicker(forms.Select):
    """A search-as-you-type select (``static/js/pickers.js``): it holds only the empty choice
    and the chosen row (if in scope); ``data-picker-url`` names the JSON choices to search."""

    def __init__(self, *, url, display, attrs=None):
        super().__init__(attrs={"class": "picker form-select", "data-picker-url": url, **(attrs or {})})
        self.display = display
        self.queryset = None

    def get_context(self, name, value, attrs):
        raw = getattr(value, "pk", value)
        chosen = None
        if self.queryset is not None and str(raw or "").isdigit() and len(str(raw)) < 12:
            chosen = self.queryset.filter(pk=int(raw)).first()
        self.choices = [("", "")] + ([(str(chosen.pk), self.display(chosen))] if chosen is not None else [])
        return super().get_context(name, value, attrs)


class LookupField(forms.Field):
    """A row id from a ``LookupPicker``, cleaned to the row if it is in ``queryset`` (the
    operator's scope); an id out of scope is a form error."""

    default_error_messages = {"invalid_choice": _("Choose an entry from the list.")}

    def __init__(self, *, url, display, queryset=None, **kwargs):
        kwargs.setdefault("widget", LookupPicker(url=url, display=display))
        super().__init__(**kwargs)
        self.queryset = queryset

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self._queryset = queryset
        self.widget.queryset = queryset

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        found = None
        if self.queryset is not None and value.isdigit() and len(value) < 12:
            found = self.queryset.filter(pk=int(value)).first()
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


def _organisation_label(organisation) -> str:
    return f"{organisation.name} · {organisation.get_kind_display()}"


def _user_label(user) -> str:
    return f"{user.real_name or user.username}（{user.username}）"


def organisation_field(**kwargs) -> LookupField:
    return LookupField(url=reverse_lazy("organisation_choices"), display=_organisation_label, **kwargs)


def user_field(**kwargs) -> LookupField:
    return LookupField(url=reverse_lazy("user_choices"), display=_user_label, **kwargs)


class AuditFilterForm(StyledForm):
    """The audit trail's filters: by person (part of a name) and organisation, never by id."""

    table = forms.ChoiceField(label=_("Record type"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + AuditEvent.Kind.choices)
    person = forms.CharField(label=_("Person"), required=False, max_length=64)
    organisation = organisation_field(label=_("Organisation"), required=False)
    text = forms.CharField(label=_("Event or object number"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, organisations=None, **kwargs):
        from accounts.audit_display import table_choices

        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [("", _("All"))] + table_choices()
        self.fields["organisation"].queryset = organisations


class SecurityFilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + SecurityEvent.Kind.choices)
    person = forms.CharField(label=_("Person"), required=False, max_length=64)
    organisation = organisation_field(label=_("Organisation"), required=False)
    ip = forms.CharField(label=_("IP address"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MembershipAssignForm(StyledForm):
    """The security administrator puts a person in an organisation with a role."""

    user = user_field(label=_("Person"))
    organisation = organisation_field(label=_("Organisation"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.OFFICER)

    def __init__(self, *args, users=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["organisation"].queryset = organisations


class OperatorRoleForm(StyledForm):
    """The security administrator gives an account one operator role, or takes it away."""

    user = user_field(label=_("Person"))
    operator_role = forms.ChoiceField(label=_("Operator role"), choices=User.OperatorRole.choices, required=False)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class ApiTokenIssueForm(forms.Form):
    """Issue a token for another department's system; the service checks the rules."""

    username = forms.CharField(label=_("User name"), max_length=150)
    organisation_code = forms.CharField(label=_("Organisation code"), max_length=64, required=False)
    name = forms.CharField(label=_("Name (the system that uses it)"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)


class NotificationSettingsForm(StyledForm):
    """The user's own address and how their messages are emailed; the kinds are the ones the
    apps declare (``accounts.notices.kinds``)."""

    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        help_text=_("A new address gets a link to verify it; no mail is sent to it before."),
    )
    delivery = forms.ChoiceField(
        label=_("Email delivery"), choices=NotificationPreference.Delivery.choices, widget=forms.RadioSelect
    )
    emailed_kinds = forms.MultipleChoiceField(
        label=_("Kinds of message sent by email"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Messages of a kind not ticked stay in the portal's inbox only."),
    )

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["emailed_kinds"].choices = list(kinds.items())

    def muted_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data["emailed_kinds"])
        return [kind for kind in self.kinds if kind not in chosen]
