import axes.apps
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(AdminConfig):
    """Django admin with the portal's own site, gated by operator duties."""

    default_site = "accounts.admin_site.PortalAdminSite"


class AxesConfig(axes.apps.AppConfig):
    """django-axes under a name in words: its app has no verbose name (the admin showed "Axes")."""

    verbose_name = _("Login lock-outs")
