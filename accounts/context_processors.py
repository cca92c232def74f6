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


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    duties = policy.duties(user)
    nav = [
        (name, label)
        for name, label, needs in NAVIGATION
        if (needs is None and not user.operator_role) or (needs and duties & needs) or (name == "home")
    ]
    return {
        "nav_items": nav,
        "unread_count": selectors.notification_unread_count(actor=user),
        "my_organisations": policy.organisations_of(user),
    }
