"""The main menu: the portal's pages grouped by task, each shown only to the duties it serves.

Accounts owns the groups and the menu; every app names the group of its own entries (its
AppConfig's ``navigation_group``, or a fourth element on one entry), so accounts never names
another app's pages. Beside an entry stands the count of waiting work that the home page's work
queue already gives for that page. The menu never asks the database for them: whenever the queue
is computed (the home page, where every login lands) its counts are kept in the cache for a few
minutes, and the other pages show them from there (none once they are older than that), so that
no page costs a query more than before."""

from urllib.parse import urlsplit

from django.apps import apps
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.hooks import app_hooks

# The groups in menu order. An app's entry without a known group lands in "more" (last).
GROUPS = {
    "institutions": pgettext_lazy("menu group", "Institutions and filing"),
    "review": pgettext_lazy("menu group", "Annual review and enforcement"),
    "supervision": pgettext_lazy("menu group", "Daily supervision"),
    "workforce": pgettext_lazy("menu group", "Staff and training"),
    "targets": pgettext_lazy("menu group", "Targets and reports"),
    "system": pgettext_lazy("menu group", "System"),
    "more": pgettext_lazy("menu group", "More"),
}

# Accounts' own entries: (URL name, label, duties that show it, group; None: every member /
# not in a group, always in view).
ENTRIES = [
    ("home", _("Home"), None, None),
    ("notification_list", _("Messages"), None, None),
    ("organisation_list", _("Organisations"), None, "institutions"),
    ("audit_event_list", _("Audit trail"), {"audit.admin"}, "system"),
    ("security_event_list", _("Security log"), {"audit.admin"}, "system"),
    ("membership_assign", _("Memberships and roles"), {"security.admin"}, "system"),
    ("admin:index", _("Administration"), {"system.admin", "security.admin"}, "system"),
]

COUNTS_SECONDS = 10 * 60
COUNTS_KEY = "nav-counts:{}"


def _entries():
    yield from ENTRIES
    for label, entries in app_hooks("navigation"):
        default = getattr(apps.get_app_config(label), "navigation_group", "more")
        for entry in entries:
            name, title, needs, *group = entry
            group = group[0] if group else default
            yield name, title, needs, group if group in GROUPS else "more"


def remember_counts(*, user, queue: list[dict]) -> dict:
    """Keep what the work queue counts, by the page each item links to. An item marked
    ``subset`` counts part of another item on the same page (overdue among waiting) and does
    not add to it."""
    counts = {}
    for item in queue:
        path = urlsplit(item.get("url") or "#").path
        if not item.get("count") or not path:
            continue
        count, urgent = counts.get(path, (0, False))
        added = 0 if item.get("subset") else item["count"]
        counts[path] = (count + added, urgent or bool(item.get("urgent")))
    cache.set(COUNTS_KEY.format(user.pk), counts, COUNTS_SECONDS)
    return counts


def _counts(user) -> dict:
    return cache.get(COUNTS_KEY.format(user.pk)) or {}


def menu(*, user, duties: set, path: str) -> dict:
    """The entries the user's duties open: ``top`` (always in view) and ``groups`` in order,
    each entry with its URL, waiting count and whether it is the current page."""
    shown = []
    for name, label, needs, group in _entries():
        if name == "home" or (needs is None and not user.operator_role) or (needs and duties & needs):
            try:
                shown.append({"name": name, "url": reverse(name), "label": label, "group": group})
            except NoReverseMatch:  # an app's page that this deployment does not serve
                continue
    # The current entry: the page itself, else the entry whose address starts the page's
    # (a filing's page belongs to the filings); home only for itself.
    current = max(
        (e for e in shown if e["url"] == path or (e["url"] != "/" and path.startswith(e["url"]))),
        key=lambda e: len(e["url"]),
        default=None,
    )
    counts = _counts(user)
    for entry in shown:
        entry["count"], entry["urgent"] = counts.get(entry["url"], (0, False))
        entry["current"] = entry is current and ("page" if entry["url"] == path else "true")
    groups = []
    for key, label in GROUPS.items():
        items = [e for e in shown if e["group"] == key]
        if items:
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "items": items,
                    "count": sum(e["count"] for e in items),
                    "urgent": any(e["urgent"] for e in items),
                    "current": any(e["current"] for e in items),
                }
            )
    return {"top": [e for e in shown if e["group"] is None], "groups": groups}
