from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import policy, selectors

# Navigation entries, each shown to users holding one of its duties (None: every member).
NAVIGATION = [
    ("home", _("Home"), None),
    ("notification_list", _("Messages"), None),
    ("organisation_list", _("Organisations"), None),
    ("audit_event_list", _("Audit trail"), {"audit.admin"}),
    ("security_event_list", _("Security log"), {"audit.admin"}),
    ("admin:index", _("Administration"), {"system.admin", "security.admin"}),
]


def _app_navigation():
    """Entries other apps add through ``navigation`` on their AppConfig (accounts never
    imports them)."""
    from accounts.hooks import app_hooks

    for _label, entries in app_hooks("navigation"):
        yield from entries


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    duties = policy.duties(user)
    nav = []
    for name, label, needs in [*NAVIGATION[:1], *_app_navigation(), *NAVIGATION[1:]]:
        if (needs is None and not user.operator_role) or (needs and duties & needs) or name == "home":
            try:
                nav.append((name, reverse(name), label))
            except NoReverseMatch:  # an app's page that this deployment does not serve
                continue
    return {
        "nav_items": nav,
        "unread_count": selectors.notification_unread_count(actor=user),
        "my_organisations": policy.organisations_of(user),
    }
