"""Sign-in through the government's unified identity (OpenID Connect), beside passwords.

mozilla-django-oidc runs the authorisation-code flow (state, nonce and PKCE kept in the session,
the code exchanged at the token endpoint, the ID token's signature checked against the
provider's published keys). On top of it, this module holds the portal's rules:

* Off unless configured (``settings.OIDC_ENABLED``): no button on the login page, and both
  URLs answer 404.
* The ID token must come from the configured issuer, for this portal (audience), unexpired,
  and carry a subject; the library checks the signature and nonce, the view the state.
* A verified identity reaches an EXISTING account only, through an ``IdentityLink`` the
  security administrator set. An unknown subject is refused with a message and a
  security-log entry; nothing is created, no duty is granted.
* The same gates as the password form: a deactivated account, or one locked out by
  django-axes (user name and address), does not get in. After sign-in the session rules
  (idle timeout) and the second factor (``SecondFactorMiddleware``) apply as to any session.
* Every refusal is written to the security log (``IDENTITY_REFUSED``, with the reason); a
  sign-in is the ordinary ``LOGIN`` entry, marked ``via: identity``.
"""

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import audit
from accounts.models import IdentityLink, SecurityEvent

BACKEND_PATH = "accounts.identity.IdentityBackend"


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


class IdentityRefused(Exception):
    """A verified identity that may not sign in; carries the reason for the security log."""

    def __init__(self, reason: str, message: str, *, user=None, subject: str = ""):
        super().__init__(reason)
        self.reason, self.message, self.user, self.subject = reason, message, user, subject


class IdentityBackend(OIDCAuthenticationBackend):
    """Maps the ID token's (issuer, subject) to a linked account; never creates one."""

    def __init__(self, *args, **kwargs):
        # Django instantiates every backend on every sign-in: unconfigured, this one stays inert
        # (the library's constructor would refuse the missing settings).
        self.UserModel = get_user_model()
        if enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; the password form's credentials are not ours.
        if not enabled() or request is None or "nonce" not in kwargs or "username" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks the signature, the algorithm and the nonce; the issuer, the
        audience and the expiry are checked here (the library leaves the audience unchecked)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("ID token from another issuer.")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client.")
        if "exp" not in payload:  # jwt.decode checks an expiry only when there is one
            raise SuspiciousOperation("ID token without an expiry.")
        if not isinstance(payload.get("sub"), str) or not payload["sub"]:
            raise SuspiciousOperation("ID token without a subject.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        subject = payload["sub"]
        link = IdentityLink.objects.select_related("user").filter(issuer=payload["iss"], subject=subject[:255]).first()
        if link is None or len(subject) > 255:
            raise IdentityRefused(
                "unknown_subject",
                _(
                    "This unified identity is not linked to an account of the portal. Ask the security "
                    "administrator to link it to your account, or sign in with your password."
                ),
                subject=subject[:255],
            )
        user = link.user
        if not user.is_active:
            raise IdentityRefused("inactive", _("This account is deactivated."), user=user, subject=subject)
        if AxesProxyHandler.is_locked(self.request, credentials={"username": user.get_username()}):
            raise IdentityRefused(
                "locked",
                _("This account is locked after failed logins; try again when the lock ends."),
                user=user,
                subject=subject,
            )
        return user

    def get_user(self, user_id):
        # The library's own get_user would return a deactivated user's session; Django's does not.
        return ModelBackend.get_user(self, user_id)

    # Permissions are ModelBackend's and guardian's: this backend only signs people in.
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return self.UserModel._default_manager.none()


class IdentityStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (with state, nonce and PKCE challenge)."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class IdentityCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: verified by the library and ``IdentityBackend``; every refusal
    is shown on the login page with a message and written to the security log."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            return super().get(request)
        except IdentityRefused as refusal:
            return self._refuse(refusal.reason, refusal.message, user=refusal.user, subject=refusal.subject)
        except SuspiciousOperation as error:  # unknown state, bad signature, nonce, issuer, audience
            return self._refuse("invalid", self._failed_message(), error=str(error))
        except jwt.PyJWTError as error:  # an expired or malformed ID token
            return self._refuse("invalid", self._failed_message(), error=str(error))
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            return self._refuse(
                "provider",
                _(
                    "The unified identity service could not be reached or gave an answer that cannot be "
                    "used. Try again later, or sign in with your password."
                ),
                error=f"{type(error).__name__}: {error}",
            )

    def login_failure(self):
        # The provider answered with an error (the person cancelled, say), or the session held
        # no sign-in in progress.
        return self._refuse(
            "failed", self._failed_message(), error=str(self.request.GET.get("error", ""))[:100] or "no state"
        )

    @staticmethod
    def _failed_message() -> str:
        return _("The sign-in through the unified identity could not be verified. Please try again.")

    def _refuse(self, reason: str, message: str, *, user=None, subject: str = "", error: str = ""):
        detail = {"reason": reason, "issuer": settings.OIDC_ISSUER or ""}
        if subject:
            detail["subject"] = subject
        if error:
            detail["error"] = error[:200]
        audit.security_event(kind=SecurityEvent.Kind.IDENTITY_REFUSED, user=user, request=self.request, detail=detail)
        messages.error(self.request, message)
        return redirect("login")
