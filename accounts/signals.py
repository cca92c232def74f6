"""Receivers that write the security log. They only record; no business rule lives here."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import audit
from accounts.identity import BACKEND_PATH
from accounts.models import SecurityEvent


@receiver(user_logged_in, dispatch_uid="security_log_login")
def _logged_in(sender, request, user, **kwargs):
    via_identity = getattr(user, "backend", "") == BACKEND_PATH
    audit.security_event(
        kind=SecurityEvent.Kind.LOGIN, user=user, request=request, detail={"via": "identity"} if via_identity else None
    )


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.security_event(kind=SecurityEvent.Kind.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.security_event(
        kind=SecurityEvent.Kind.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150], request=request
    )


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.security_event(kind=SecurityEvent.Kind.LOCKED_OUT, username=str(username or "")[:150], request=request)
