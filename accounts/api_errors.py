"""One error shape for the whole API:

{"error": {"code": "...", "message": "a sentence in the user's language", "fields": {"name": ["..."]}}}
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import audit
from accounts.errors import ApplicationError
from accounts.models import SecurityEvent


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, ApplicationError):
        return Response(_body("invalid", exc.message, exc.fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(_body("invalid", _("Please correct the errors below."), fields), status=400)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return Response(_body("not_found", _("Not found.")), status=404)
    if isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
        if request is not None:
            audit.security_event(
                kind=SecurityEvent.Kind.PERMISSION_DENIED, user=request.user, request=request, detail={"api": True}
            )
        return Response(_body("permission_denied", _("You may not do this.")), status=403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = _body("invalid", _("Please correct the errors below."), fields)
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response.data = _body("not_authenticated", exc.detail)
    else:
        response.data = _body(getattr(exc, "default_code", "error"), getattr(exc, "detail", str(exc)))
    return response
