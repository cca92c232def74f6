from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions


class PasswordChangeRequired(exceptions.APIException):
    status_code = 403
    default_code = "password_change_required"
    default_detail = _("Change your initial password first.")


class PasswordChanged(permissions.BasePermission):
    """Accounts an administrator created must set their own password before using the API,
    whether they come with a session (the middleware answers) or with a token (this does)."""

    def has_permission(self, request, view):
        user = request.user
        if user and user.is_authenticated and user.must_change_password:
            raise PasswordChangeRequired
        return True
