"""The access model of the portal: what a user may see and what they may do.

This docstring is the specification; ``tests/accounts/test_policy.py`` and the permission
matrix (``tests/permission_matrix.py``) check it. Views, API views, exports and tasks never
filter by tenant themselves: they ask this module, through ``Model.objects.visible_to(user)``,
``get_visible_or_404`` and ``require_duty``.

Subjects
--------
1. **Deny by default.** An anonymous user, an inactive user or a user with no membership in
   an active organisation sees no tenant data and holds no duty. (The public registry, when
   it exists, uses its own public selectors that show public fields only.)
2. **Memberships.** A user acts through memberships in organisations (the tenants: the
   leading group, departments, township governments, institutions). Each membership has a
   role: *viewer* reads, *officer* and *head* also act.
3. **Duties** are the codes of Annex 2 that an organisation holds (data, loaded from
   ``accounts/data/organisations.json``). A user holds the duties of their organisations;
   a duty marked read-only (``dashboard.view``) is exercised by any role, every other duty
   only by officers and heads of an organisation that holds it.
4. **Operators** are the system, security and audit administrators. The role is one field on
   the user, so nobody holds two. Operators are members of no organisation and hold no
   business duty: none of them decides a filing or an inspection. They hold one operator
   duty each: ``system.admin`` (accounts, reference data), ``security.admin`` (memberships,
   grants, lock-outs), ``audit.admin`` (reads the audit trail and the security log).
   ``is_superuser`` grants nothing here.

What each user sees
-------------------
5. **Regions**: the subtrees of the jurisdictions of the user's organisations (a department
   or the leading group: the whole city; a township government: the township and its
   villages; an institution: its own village). The system administrator sees every region.
6. **Organisations**:
   a. the government organisations (leading group, departments, township governments) are a
      directory that every member of an organisation sees;
   b. an institution is seen by its own members; by the organisations to whose group a
      service granted ``accounts.view_organisation`` on it through django-guardian's direct
      foreign-key permission models (the township in whose territory it lies; later its
      registration authority); and by organisations whose group holds that permission at
      model level, which the reference data gives to holders of city-wide duties;
   c. operator teams are seen by operators only.
7. **Memberships**: a user's own; the security and system administrators see all.
8. **Users**: oneself; colleagues in one's own organisations; the system and security
   administrators see all.
9. **Notifications**: the recipient's own only.
10. **Audit trail and security log**: the audit administrator only.

Answers
-------
11. An object outside the user's sight answers 404, never 403, so that ids of other tenants
    are not confirmed; the attempt is written to the security log. An object in sight that
    the user may not act on answers 403, also logged.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import grants
from accounts.models import (
    Membership,
    Notification,
    Organisation,
    Region,
    SecurityEvent,
    User,
)

OPERATOR_DUTY = {
    User.OperatorRole.SYSTEM: "system.admin",
    User.OperatorRole.SECURITY: "security.admin",
    User.OperatorRole.AUDIT: "audit.admin",
}


# --- Who the user is --------------------------------------------------------------------


def memberships(user) -> list[Membership]:
    """The user's memberships in active organisations, loaded once per request object."""
    if not _is_member_capable(user):
        return []
    cached = getattr(user, "_policy_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, organisation__is_active=True)
            .select_related("organisation__jurisdiction")
            .prefetch_related("organisation__duties")
        )
        user._policy_memberships = cached
    return cached


def organisations_of(user) -> list[Organisation]:
    return [membership.organisation for membership in memberships(user)]


def duties(user) -> frozenset[str]:
    """Duty codes the user may exercise: read-only duties through any membership, acting
    duties only through a membership with the officer or head role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.operator_role:
        return frozenset({OPERATOR_DUTY[user.operator_role]})
    codes = set()
    for membership in memberships(user):
        may_act = membership.role in Membership.ACTING_ROLES
        codes.update(duty.code for duty in membership.organisation.duties.all() if may_act or duty.read_only)
    return frozenset(codes)


def has_duty(user, code: str) -> bool:
    """True if the user may exercise the duty (acting duties need officer or head)."""
    return code in duties(user)


def require_duty(user, code: str) -> None:
    """Raise PermissionDenied (403, logged by the middleware) unless the user has the duty."""
    if not has_duty(user, code):
        raise PermissionDenied(code)


def has_any_duty(user, codes) -> bool:
    return bool(duties(user) & set(codes))


def is_operator(user, role: str | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.operator_role:
        return False
    return role is None or user.operator_role == role


def _is_member_capable(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and not user.operator_role)


# --- What the user sees -----------------------------------------------------------------


def regions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Region.objects.all() if queryset is None else queryset
    if is_operator(user, User.OperatorRole.SYSTEM):
        return queryset
    codes = {org.jurisdiction.code for org in organisations_of(user)}
    if not codes:
        return queryset.none()
    condition = Q()
    for code in codes:
        condition |= Q(code__startswith=code)
    return queryset.filter(condition)


def organisations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Organisation.objects.all() if queryset is None else queryset
    if is_operator(user):
        return queryset.filter(kind=Organisation.Kind.OPERATOR)
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if user.has_perm("accounts.view_organisation"):
        # Model-level permission on the group: a city-wide duty sees every institution.
        return queryset.exclude(kind=Organisation.Kind.OPERATOR)
    granted = grants.objects_for(user, "accounts.view_organisation", Organisation.objects.all())
    return queryset.filter(
        Q(kind__in=Organisation.GOVERNMENT_KINDS) | Q(pk__in=[org.pk for org in own]) | Q(pk__in=granted.values("pk"))
    )


def memberships_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Membership.objects.all() if queryset is None else queryset
    if is_operator(user, User.OperatorRole.SECURITY) or is_operator(user, User.OperatorRole.SYSTEM):
        return queryset
    if not _is_member_capable(user):
        return queryset.none()
    return queryset.filter(user=user)


def users_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = User.objects.all() if queryset is None else queryset
    if is_operator(user, User.OperatorRole.SECURITY) or is_operator(user, User.OperatorRole.SYSTEM):
        return queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    own_ids = [org.pk for org in organisations_of(user)]
    return queryset.filter(Q(pk=user.pk) | Q(memberships__organisation__in=own_ids)).distinct()


def notifications_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Notification.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return queryset.filter(recipient=user)


def audit_visible_to(user, queryset: QuerySet) -> QuerySet:
    return queryset if is_operator(user, User.OperatorRole.AUDIT) else queryset.none()


_SCOPES = {
    "accounts.region": regions_visible_to,
    "accounts.organisation": organisations_visible_to,
    "accounts.membership": memberships_visible_to,
    "accounts.user": users_visible_to,
    "accounts.notification": notifications_visible_to,
    "accounts.auditevent": audit_visible_to,
    "accounts.securityevent": audit_visible_to,
}


def visible(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the user may see. A model without a rule sees nothing."""
    scope = _SCOPES.get(queryset.model._meta.label_lower)
    if scope is None:
        return queryset.none()
    return scope(user, queryset)


def get_visible_or_404(user, queryset: QuerySet, **lookup):
    """One object the user may see, or 404. A miss on an object that exists elsewhere is
    logged as an out-of-scope request (someone typed another tenant's id)."""
    obj = visible(user, queryset).filter(**lookup).first()
    if obj is None:
        if queryset.filter(**lookup).exists():
            from accounts import audit

            audit.security_event(
                kind=SecurityEvent.Kind.OUT_OF_SCOPE,
                user=user,
                detail={"model": queryset.model._meta.label_lower, "lookup": {k: str(v) for k, v in lookup.items()}},
            )
        raise Http404
    return obj


__all__ = [
    "duties",
    "get_visible_or_404",
    "has_duty",
    "memberships",
    "organisations_of",
    "require_duty",
    "visible",
]
