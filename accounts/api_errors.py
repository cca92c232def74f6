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


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, ApplicationError):
        return Response(error_body("invalid", exc.message, exc.fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", _("Please correct the errors below."), fields), status=400)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return Response(error_body("not_found", _("Not found.")), status=404)
    if isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
        if request is not None:
            audit.security_event(
                kind=SecurityEvent.Kind.PERMISSION_DENIED, user=request.user, request=request, detail={"api": True}
            )
        return Response(error_body("permission_denied", _("You may not do this.")), status=403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", _("Please correct the errors below."), fields)
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response.data = error_body("not_authenticated", exc.detail)
    else:
        response.data = error_body(getattr(exc, "default_code", "error"), getattr(exc, "detail", str(exc)))
    return response


# The shape above as an OpenAPI component, and the answers every operation may give with it.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {}},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
ERROR_ANSWERS = {
    # Bad input: a body, a path value or a filter outside its set; also a page past the end.
    "400": "Invalid input; the fields name what to correct.",
    "401": "Not signed in, or the token is unknown, revoked or its user locked out.",
    "403": "Visible, but the caller lacks the duty to do this.",
    "404": "Absent or outside the caller's scope (the two look the same).",
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the error answers with
    the one error shape, and any 4xx an operation declares without a body gets that shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_ANSWERS.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith("4") and "content" not in response:
                    response["content"] = content
    return result
