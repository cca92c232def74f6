import datetime

from axes.handlers.proxy import AxesProxyHandler
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts import audit, services
from accounts.crypto import key_digest
from accounts.models import ApiTokenDetails
from accounts.network import client_ip


class AuditedTokenAuthentication(TokenAuthentication):
    """Token authentication whose caller is written into the audit trail like a session user.

    The audit middleware runs before DRF knows a token's user; this closes that gap for every
    API write. A token works only while its user could sign in: a deactivated user (DRF's own
    check) or one locked out by django-axes (the same user name and address rule as the login
    page) is answered 401, so a lock-out cannot be walked around with a token. An expired
    token (``ApiTokenDetails.expires_at``) answers 401 too. The presented key is hashed and
    the hash looked up (``key_digest``): the table holds no key."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key_digest(key))
        details = getattr(token, "details", None)
        # A token issued without details (DRF's own admin form) expires like a default one.
        default_expiry = token.created + datetime.timedelta(days=ApiTokenDetails.DEFAULT_DAYS)
        expires_at = details.expires_at if details else default_expiry
        now = timezone.now()
        if expires_at <= now:
            raise AuthenticationFailed(_("This token has expired; ask the security administrator for a new one."))
        if details:
            services.api_token_mark_used(details=details, now=now)
        return user, token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if AxesProxyHandler.is_locked(request._request, credentials={"username": user.get_username()}):
            raise AuthenticationFailed(
                _("This account is locked after failed logins; its tokens work again when the lock ends.")
            )
        audit.attribute_to(user, client_ip(request))
        return result
