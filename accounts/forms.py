from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, NotificationPreference, SecurityEvent


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


class AuditFilterForm(forms.Form):
    table = forms.CharField(label=_("Table"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + AuditEvent.Kind.choices)
    actor_id = forms.IntegerField(label=_("Actor id"), required=False, min_value=1)
    text = forms.CharField(label=_("Event or object id"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SecurityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + SecurityEvent.Kind.choices)
    username = forms.CharField(label=_("User name"), required=False)
    ip = forms.CharField(label=_("IP address"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


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
