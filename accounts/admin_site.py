from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import policy

OPERATOR_ADMIN_DUTIES = {"system.admin", "security.admin"}


class PortalAdminSite(admin.AdminSite):
    """Django admin for the system and security administrators only (reference data,
    accounts, memberships, lock-outs). ``is_staff``/``is_superuser`` alone open nothing."""

    site_header = _("Yuyao Childcare Oversight Portal administration")
    site_title = _("Portal administration")
    index_title = _("Reference data and accounts")

    def has_permission(self, request):
        return policy.has_any_duty(request.user, OPERATOR_ADMIN_DUTIES)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def gate(request, *args, **kwargs):
            # A logged-in user without an operator duty gets 403, not a login loop.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("admin")
            return inner(request, *args, **kwargs)

        return update_wrapper(gate, view)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied("admin")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
