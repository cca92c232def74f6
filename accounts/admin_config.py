from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django admin with the portal's own site, gated by operator duties."""

    default_site = "accounts.admin_site.PortalAdminSite"
