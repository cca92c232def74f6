import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import audit, second_factor
from accounts.api_permissions import PasswordChangeRequired
from accounts.models import SecurityEvent
from accounts.network import client_ip

PASSWORD_CHANGE_FIRST = PasswordChangeRequired.default_detail
SECOND_FACTOR_FIRST = _("Give the code of your authenticator app first (second factor).")


class IdleTimeoutMiddleware:
    """Push a signed-in session's idle expiry SESSION_COOKIE_AGE ahead, at most once a minute.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) wrote its row on every page
    and API call, three statements each; the expiry moves now when the last push is a minute
    old or more, so a session ends between 29 and 30 idle minutes after its last request."""

    PUSHED_AT = "_idle_pushed_at"
    INTERVAL_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if session.get(SESSION_KEY) is not None:  # signed in, and still so after this request
            now = int(time.time())
            if now - session.get(self.PUSHED_AT, 0) >= self.INTERVAL_SECONDS:
                session[self.PUSHED_AT] = now  # modified: the session middleware saves it
        return response


class AuditContextMiddleware:
    """Attribute every database change made while handling a request to its user and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        actor = user.pk if user is not None and user.is_authenticated else None
        with audit.acting_as(actor, client_ip(request), request.get_full_path()):
            return self.get_response(request)


class ForcePasswordChangeMiddleware:
    """An account an administrator created must set its own password before anything else."""

    ALLOWED = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "password_change_required",
                                "message": str(PASSWORD_CHANGE_FIRST),
                                "fields": {},
                            }
                        },
                        status=403,
                    )
                return redirect("password_change")
        return self.get_response(request)


class PermissionDeniedLogMiddleware:
    """Write every denied page request to the security log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            audit.security_event(
                kind=SecurityEvent.Kind.PERMISSION_DENIED,
                user=request.user,
                request=request,
                detail={"reason": str(exception)[:200]},
            )
        return None


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak Simplified Chinese unless the user chose English with the language switch
    (a cookie): the browser's Accept-Language is not consulted for pages, so an English
    browser on a government PC still opens the Chinese portal. API clients (other systems)
    may still ask for a language with Accept-Language."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer (``settings``), unless a
    view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SecondFactorMiddleware:
    """Operators and decision-makers give a second factor before anything else: enrolment on
    their first sign-in, a code on every later one (``accounts.second_factor``)."""

    ALLOWED = ("second_factor_verify", "second_factor_setup", "logout", "set_language", "javascript-catalog")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The password an administrator set is changed first (ForcePasswordChangeMiddleware), then
        # the second factor is set up: asking for both at once would send each page to the other.
        signed_in = user is not None and user.is_authenticated and not user.must_change_password
        if (
            signed_in
            and not second_factor.verified(request)
            and second_factor.required(user)
            and not self._allowed(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "second_factor_required", "message": str(SECOND_FACTOR_FIRST), "fields": {}}},
                    status=403,
                )
            target = "second_factor_verify" if second_factor.enrolled(user) else "second_factor_setup"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    def _allowed(self, path: str) -> bool:
        return path in {reverse(name) for name in self.ALLOWED} or path.startswith("/static/")
