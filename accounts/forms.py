from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, SecurityEvent


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
