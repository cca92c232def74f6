"""The operators' pages by name (issue 17): the security administrator's memberships and roles
page, the audit administrator's exports, and the look-ups both use to find people and
organisations as they type. Everyone else is refused with 403 before anything is looked up,
so a search confirms no account."""

from tests.permission_matrix import Case

SECURITY = frozenset({"secadmin"})
AUDIT = frozenset({"auditor"})
LOOKUP = SECURITY | AUDIT

CASES = [
    Case("membership_assign", SECURITY, denied=403),
    Case("membership_assign", SECURITY, method="post", denied=403, data={"action": "membership"}),
    Case("user_choices", LOOKUP, denied=403),
    Case("organisation_choices", LOOKUP, denied=403),
    Case("audit_event_export", AUDIT, denied=403),
    Case("security_event_export", AUDIT, denied=403),
]
