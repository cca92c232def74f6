"""The access model of the portal: what a user may see and what they may do.

This docstring is the specification; ``tests/accounts/test_policy.py`` and the permission
matrix (``tests/permission_matrix.py``) check it. Views, API views, exports and tasks never
filter by tenant themselves: they ask this module, through ``Model.objects.visible_to(user)``,
``get_visible_or_404`` and ``require_duty``.

This module holds the mechanism (memberships, duties, acting organisations) and the *see*
rules. It names no model or field of the apps that build on accounts: each app registers, on
its AppConfig (``scopes``, a dotted path to a dict in ``<app>/scopes.py``), the rule that
applies to each of its models and the field paths through which the rule reaches the
model's organisation, township or region. Who may *act* is in each app's ``rules.py``
(rule 30).

Subjects
--------
1. **Deny by default.** An anonymous user, an inactive user or a user with no membership in
   an active organisation sees no tenant data and holds no duty. A model for which no app
   registered a scope shows nobody anything. (The public registry at ``/registry/public/``
   reads through its own public selectors, which show public fields of filed institutions
   only.)
2. **Memberships.** A user acts through memberships in organisations (the tenants: the
   leading group, departments, township governments, institutions). Each membership has a
   role: *viewer* reads, *officer* and *head* also act.
3. **Duties** are the codes of Annex 2 that an organisation holds (data, loaded from
   ``accounts/data/organisations.json``). A user holds the duties of their organisations;
   a duty marked read-only (``dashboard.view``) is exercised by any role, every other duty
   only by officers and heads of an organisation that holds it. What a user *sees* follows
   the duties of their organisations whatever their role (``holds``); what they *do* needs
   the role as well (``has_duty``).
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
      foreign-key permission models (the township in whose territory it lies, when the
      institution is created; the authority that registers it, when it registers); and by
      organisations whose group holds that permission at model level, which the reference
      data gives to holders of city-wide duties;
   c. operator teams are seen by operators only.
7. **Memberships**: a user's own; the security and system administrators see all.
8. **Users**: oneself; colleagues in one's own organisations; the system and security
   administrators see all. The security and audit administrators look accounts and
   business organisations up by name (granting memberships; filtering the trail).
9. **Notifications** and the email preferences that deliver them: the recipient's own only.
10. **Audit trail and security log**: the audit administrator only.

Registry (institutions and what hangs off them)
-----------------------------------------------
11. **Institutions** are seen exactly where their organisation is seen (rule 6b): by their
    own members, the township around them, the authority that registered them, and holders
    of city-wide duties. Class groups, registrations and fees follow their institution.
12. **Filings** and their attachments: the institution's own members, the township around
    it, and organisations holding ``filing.review`` (the health bureau). Other departments
    do not read filing papers. Attachments follow their filing.
13. **Residential areas**: a township sees those in its territory; a department holding
    ``planning.residential`` (natural resources and planning) sees the *new* ones
    city-wide; holders of ``targets.manage`` or ``dashboard.drilldown`` see all.
14. **Guidance sites** and **pricing guidance** are public facts every member sees.
15. **Imports**: the members of the organisation that started them.

Annual review and enforcement
-----------------------------
16. **Review cycles** and **checklists** are facts every member sees.
17. **Annual reviews** and their self-reports: the institution's own members; the township
    around it; holders of ``review.lead`` (the health bureau); departments holding a
    ``check.<area>`` duty see the reviews their areas cover — every institution, except that
    ``check.education`` alone covers kindergarten nursery classes only. Nobody else.
    Self-reports follow their review.
18. **Findings** and their items: the health bureau (``review.lead``); the institution; the
    township around it; a department sees its own findings (its supervision visits too) and
    those of the areas of its ``check.<area>`` duties.
19. **Rectification orders**: holders of ``rectification.order`` (the health bureau), the
    institution, the township around it, the departments with findings on the review it
    follows, and the departments whose ``check.<area>`` covers an area its items name (they
    verify those items). An order after an ad-hoc inspection follows no review: the
    department whose area it names sees and verifies it as it would a review's.
    Inspection photos follow their finding, evidence follows its order.
20. **Revocation referrals**: holders of ``referral.raise`` (the health bureau), the
    authority it is sent to, the institution, the township around it.
21. **Cases**: holders of ``case.manage`` within their jurisdiction (a township: its own; the
    health bureau: the city).
22. **The ban list**: holders of ``banlist.manage`` only (health bureau, public security).

Workforce
---------
23. **Staff** and their **certificates**: the institution's own members; the township around
    it; holders of ``staff.oversee`` (the health bureau) and of ``certificate.verify`` (the HR
    bureau) city-wide. Nobody else. ID numbers are shown masked (first 6, last 4) to everyone;
    holders of ``staff.reveal`` may unmask one with a reason, which is logged.
24. **Certificate kinds**, **training programmes** and their **sessions** are facts every
    member sees.
25. **Participants** of training: the organiser of the programme; holders of
    ``staff.oversee``; the township whose territory holds the programme's area or the
    participant's township; an institution its own staff's participations.

Dashboards
----------
26. **Indicators** and **targets** are facts every member sees.
27. **Dashboards** (snapshots): holders of ``dashboard.view`` through an organisation with a
    city-wide jurisdiction (the leading group, the health bureau, departments) see the city
    and every township; a township government holding it sees its own township only; nobody
    else.
28. **Periodic reports**: the organisation that wrote them and the township they are about;
    holders of ``reports.approve`` (the health bureau) and the leading group see all.
29. **Dashboard exports** and **workforce import jobs**: the user who asked for them (uploaded them).

Acting
------
30. Who may act on what they see is written in one module per app, each predicate named and
    documented there: ``registry/rules.py``, ``inspections/rules.py``, ``training/rules.py``,
    ``supervision/rules.py``, ``dashboard/rules.py`` (accounts has no act rule beyond
    ``has_duty``, ``acts_for`` and the operator duties above). Pages and the API ask them to
    show an action; the services ask them again (or ``require_duty`` / ``require_acts_for``)
    before they write. Among them: an institution's own officers and heads
    (``institution.self``) keep its record, filings, fees and roster; only ``filing.review``
    decides a filing; an authority records or revokes registrations only for the legal form
    its duty names (``register.nonprofit``, ``register.company``,
    ``register.public_institution``); only ``certificate.verify`` verifies certificates; a
    programme is run by its organiser under a duty its kind names
    (``TrainingProgramme.RUNNING_DUTIES``); only ``targets.manage`` sets targets; only
    ``reports.approve`` approves or returns reports, and approved figures are locked.

Answers
-------
31. An object outside the user's sight answers 404, never 403, so that ids of other tenants
    are not confirmed; the attempt is written to the security log. An object in sight that
    the user may not act on answers 403, also logged.

Daily supervision
-----------------
32. **Complaints** and their handlers: the organisations a complaint was routed or referred to
    (its handlers, ``supervision/data/complaint_categories.json``), whatever their role. Nobody
    else: not the institution complained about, not the township unless it is a handler, not
    the leading group. The complainant's contact is unmasked for acting members of an active
    handler only, with an audited reveal (``supervision/rules.py``).
33. **Incidents** an institution reports: the institution's own members, the township around
    it, and holders of ``incident.receive`` (the health bureau) city-wide. Proposals for the
    ban list that follow one: holders of ``banlist.manage`` only, as rule 22.
34. **Objections** (陈述申辩): the institution's own members, the township around it, the
    department that answers the objection, and holders of ``review.lead`` city-wide.
35. **Risk scores** are seen by members of departments only, for the institutions they see
    (rule 11): never by the institution itself, a township, the leading group or the public.
36. **Spot-check plans** are seen by the members of the organising department and of the
    departments taking part; a plan's **tasks** by the members of the task's department and of
    the plan's organiser. The published results reach the public through the supervision app's
    own public selector.
37. **Case decision notices** (行政处罚法 art. 44): a case's penalty or ban decision about a
    registered institution is read by that institution's own members — the notice only (the
    facts, the reasons, the legal basis, the decision, its date and the last day to object),
    never the case itself (rule 21 still keeps the investigation, the place found, other
    parties and the complainant to ``case.manage``). Nobody else reads a case through this
    rule. The objection the institution lodges against it is seen as rule 34 says.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.module_loading import import_string

from accounts import grants
from accounts.hooks import app_hooks
from accounts.models import (
    Membership,
    Notification,
    NotificationPreference,
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


def holds(user, code: str) -> bool:
    """True if one of the user's organisations holds the duty, whatever the user's role:
    the question for what they may *see*; ``has_duty`` answers what they may *do*."""
    return any(code == duty.code for org in organisations_of(user) for duty in org.duties.all())


def township_codes(user) -> list[str]:
    """Jurisdiction codes of the township governments the user belongs to."""
    return [org.jurisdiction.code for org in organisations_of(user) if org.kind == Organisation.Kind.TOWNSHIP]


def has_duty(user, code: str) -> bool:
    """True if the user may exercise the duty (acting duties need officer or head)."""
    return code in duties(user)


def require_duty(user, code: str) -> None:
    """Raise PermissionDenied (403, logged by the middleware) unless the user has the duty."""
    if not has_duty(user, code):
        raise PermissionDenied(code)


def acting_organisation(user, code: str) -> Organisation | None:
    """The organisation through which the user exercises an acting duty (officer or head)."""
    for membership in memberships(user):
        if membership.role in Membership.ACTING_ROLES and any(
            duty.code == code for duty in membership.organisation.duties.all()
        ):
            return membership.organisation
    return None


def acts_for(user, organisation: Organisation, code: str) -> bool:
    """True if the user is an officer or head of this very organisation and it holds the duty."""
    return any(
        membership.organisation_id == organisation.pk
        and membership.role in Membership.ACTING_ROLES
        and any(duty.code == code for duty in membership.organisation.duties.all())
        for membership in memberships(user)
    )


def require_acts_for(user, organisation: Organisation, code: str) -> None:
    if not acts_for(user, organisation, code):
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


def users_for_operator_lookup(user) -> QuerySet:
    """Accounts an operator finds by name: the security administrator (to grant memberships and
    operator roles) and the audit administrator (to filter the trail by person) see them all;
    anyone else is refused (403), so a search confirms no account."""
    if is_operator(user, User.OperatorRole.SECURITY) or is_operator(user, User.OperatorRole.AUDIT):
        return User.objects.all()
    raise PermissionDenied("operator lookup")


def organisations_for_operator_lookup(user) -> QuerySet:
    """Organisations an operator finds by name, as ``users_for_operator_lookup``: every active
    business organisation (operator teams are no memberships' home and stay out)."""
    if is_operator(user, User.OperatorRole.SECURITY) or is_operator(user, User.OperatorRole.AUDIT):
        return Organisation.objects.filter(is_active=True).exclude(kind=Organisation.Kind.OPERATOR)
    raise PermissionDenied("operator lookup")


def notifications_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Notification.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return queryset.filter(recipient=user)


def notification_preferences_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = NotificationPreference.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return queryset.filter(user=user)


def audit_visible_to(user, queryset: QuerySet) -> QuerySet:
    return queryset if is_operator(user, User.OperatorRole.AUDIT) else queryset.none()


# --- See-rules for the models of the apps above, reached through their registered paths ---
#
# Each rule takes the user, the queryset and, as keyword arguments, the field paths the app
# registered for its model (``<app>/scopes.py``): ``organisation`` leads to the tenant
# organisation that owns the row, ``township`` to the township region it lies in, and so on.


def follows(*paths: str):
    """The rows whose object at one of ``paths`` the user sees (a class group follows its
    institution, a photo its finding or its order). The related model is read from the
    path, so the rule names no model of its own."""

    def rule(user, queryset: QuerySet) -> QuerySet:
        if not organisations_of(user):
            return queryset.none()
        condition = Q(pk__in=[])
        for path in paths:
            related = _related_model(queryset.model, path)
            condition |= Q(**{f"{path}__in": visible(user, related._default_manager.all()).values("pk")})
        return queryset.filter(condition)

    return rule


def _related_model(model, path: str):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _own_or_territory(user, *, organisation: str, township: str) -> Q:
    """Rows owned by one of the user's organisations or lying in one of their townships."""
    condition = Q(**{f"{organisation}__in": [org.pk for org in organisations_of(user)]})
    for code in township_codes(user):
        condition |= Q(**{f"{township}__code": code})
    return condition


def _check_areas(user) -> set[str]:
    return {
        duty.code.split(".", 1)[1]
        for org in organisations_of(user)
        for duty in org.duties.all()
        if duty.code.startswith("check.")
    }


def seen_with_organisation(user, queryset: QuerySet, *, organisation: str) -> QuerySet:
    """Rule 11: a row seen exactly where its institution's organisation is seen (rule 6b)."""
    if not organisations_of(user):
        return queryset.none()
    seen = organisations_visible_to(user).filter(kind=Organisation.Kind.INSTITUTION)
    return queryset.filter(**{f"{organisation}__in": seen})


def filings_visible_to(user, queryset: QuerySet, *, organisation: str, township: str) -> QuerySet:
    """Rule 12."""
    if not organisations_of(user):
        return queryset.none()
    if holds(user, "filing.review"):
        return queryset
    return queryset.filter(_own_or_territory(user, organisation=organisation, township=township))


def residential_areas_visible_to(user, queryset: QuerySet, *, township: str, new: Q) -> QuerySet:
    """Rule 13; ``new`` selects the new residential areas."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "targets.manage") or holds(user, "dashboard.drilldown"):
        return queryset
    condition = Q(pk__in=[])
    for code in township_codes(user):
        condition |= Q(**{f"{township}__code": code})
    city_planner = any(
        org.kind == Organisation.Kind.DEPARTMENT and any(d.code == "planning.residential" for d in org.duties.all())
        for org in own
    )
    if city_planner:
        condition |= new
    return queryset.filter(condition)


def public_facts_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Rules 14, 16, 24 and 26: facts every member sees."""
    return queryset if organisations_of(user) else queryset.none()


def started_by_own_organisation(user, queryset: QuerySet, *, organisation: str) -> QuerySet:
    """Rule 15."""
    own = organisations_of(user)
    return queryset.filter(**{f"{organisation}__in": [org.pk for org in own]}) if own else queryset.none()


def reviews_visible_to(user, queryset: QuerySet, *, organisation: str, township: str, education_covers: Q) -> QuerySet:
    """Rule 17; ``education_covers`` selects the reviews ``check.education`` covers."""
    if not organisations_of(user):
        return queryset.none()
    if holds(user, "review.lead"):
        return queryset
    condition = _own_or_territory(user, organisation=organisation, township=township)
    areas = _check_areas(user)
    if areas - {"education"}:
        return queryset
    if "education" in areas:
        condition |= education_covers
    return queryset.filter(condition)


def findings_visible_to(
    user, queryset: QuerySet, *, organisation: str, township: str, department: str, area: str
) -> QuerySet:
    """Rule 18."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "review.lead"):
        return queryset
    condition = _own_or_territory(user, organisation=organisation, township=township)
    condition |= Q(**{f"{department}__in": [org.pk for org in own]})
    areas = _check_areas(user)
    if areas:
        condition |= Q(**{f"{area}__in": sorted(areas)})
    return queryset.filter(condition)


def orders_visible_to(
    user, queryset: QuerySet, *, organisation: str, township: str, finding_department: str, names_area: str
) -> QuerySet:
    """Rule 19; ``names_area`` is a lookup that takes a list of areas and is true when one of
    the order's items names one of them."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "rectification.order"):
        return queryset
    condition = _own_or_territory(user, organisation=organisation, township=township)
    condition |= Q(**{f"{finding_department}__in": [org.pk for org in own]})
    areas = _check_areas(user)
    if areas:
        condition |= Q(**{names_area: sorted(areas)})
    return queryset.filter(condition).distinct()


def referrals_visible_to(user, queryset: QuerySet, *, organisation: str, township: str, authority: str) -> QuerySet:
    """Rule 20."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "referral.raise"):
        return queryset
    condition = _own_or_territory(user, organisation=organisation, township=township)
    return queryset.filter(condition | Q(**{f"{authority}__in": [org.pk for org in own]}))


def within_case_jurisdiction(user, queryset: QuerySet, *, township: str) -> QuerySet:
    """Rule 21."""
    condition = Q(pk__in=[])
    for org in organisations_of(user):
        if any(duty.code == "case.manage" for duty in org.duties.all()):
            condition |= Q(**{f"{township}__code__startswith": org.jurisdiction.code})
    return queryset.filter(condition)


def holders_only(code: str):
    """Rows seen by the holders of one duty only (rule 22: ``banlist.manage``)."""

    def rule(user, queryset: QuerySet) -> QuerySet:
        return queryset if holds(user, code) else queryset.none()

    return rule


def staff_visible_to(user, queryset: QuerySet, *, organisation: str, township: str) -> QuerySet:
    """Rule 23."""
    if not organisations_of(user):
        return queryset.none()
    if holds(user, "staff.oversee") or holds(user, "certificate.verify"):
        return queryset
    return queryset.filter(_own_or_territory(user, organisation=organisation, township=township))


def participants_visible_to(
    user, queryset: QuerySet, *, organiser: str, staff_organisation: str, programme_region: str, township: str
) -> QuerySet:
    """Rule 25."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "staff.oversee"):
        return queryset
    condition = Q(**{f"{organiser}__in": [org.pk for org in own]})
    condition |= Q(**{f"{staff_organisation}__in": [org.pk for org in own]})
    for code in township_codes(user):
        condition |= Q(**{f"{programme_region}__code__startswith": code}) | Q(**{f"{township}__code": code})
    return queryset.filter(condition)


def departments_seeing(user, queryset: QuerySet, *, organisation: str) -> QuerySet:
    """Rule 35: members of a department, for the institutions they see."""
    if not any(org.kind == Organisation.Kind.DEPARTMENT for org in organisations_of(user)):
        return queryset.none()
    return seen_with_organisation(user, queryset, organisation=organisation)


def own_organisations_at(*paths: str):
    """Rule 36: rows whose organisation at one of ``paths`` (a foreign key or a many-to-many)
    is one of the user's own."""

    def rule(user, queryset: QuerySet) -> QuerySet:
        own = [org.pk for org in organisations_of(user)]
        if not own:
            return queryset.none()
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(pk__in=queryset.model._default_manager.filter(**{f"{path}__in": own}).values("pk"))
        return queryset.filter(condition)

    return rule


def dashboard_regions(user) -> Q | None:
    """None: every region; else the condition on region codes the user's dashboards cover."""
    condition, seen = Q(pk__in=[]), False
    for org in organisations_of(user):
        if not any(duty.code == "dashboard.view" for duty in org.duties.all()):
            continue
        if org.jurisdiction.level == Region.Level.CITY:
            return None
        condition |= Q(code__startswith=org.jurisdiction.code)
        seen = True
    return condition if seen else Q(pk__in=[])


def dashboard_regions_visible_to(user, queryset: QuerySet, *, region: str) -> QuerySet:
    """Rule 27."""
    regions = dashboard_regions(user)
    if regions is None:
        return queryset
    return queryset.filter(**{f"{region}__in": Region.objects.filter(regions)})


def periodic_reports_visible_to(user, queryset: QuerySet, *, organisation: str, region: str) -> QuerySet:
    """Rule 28."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "reports.approve") or any(org.kind == Organisation.Kind.LEADERSHIP for org in own):
        return queryset
    condition = Q(**{f"{organisation}__in": [org.pk for org in own]})
    for code in township_codes(user):
        condition |= Q(**{f"{region}__code": code})
    return queryset.filter(condition)


def reported_to_territory_and_holders(code: str):
    """Rule 33: rows an institution reported, seen by its own members, the township around it
    and city-wide by the holders of ``code``."""

    def rule(user, queryset: QuerySet, *, organisation: str, township: str) -> QuerySet:
        if not organisations_of(user):
            return queryset.none()
        if holds(user, code):
            return queryset
        return queryset.filter(_own_or_territory(user, organisation=organisation, township=township))

    return rule


def objections_visible_to(user, queryset: QuerySet, *, organisation: str, township: str, department: str) -> QuerySet:
    """Rule 34."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    if holds(user, "review.lead"):
        return queryset
    condition = _own_or_territory(user, organisation=organisation, township=township)
    return queryset.filter(condition | Q(**{f"{department}__in": [org.pk for org in own]}))


def decisions_about_own_institution(user, queryset: QuerySet, *, organisation: str, notified: str) -> QuerySet:
    """Rule 37: rows about one of the user's own institutions (``organisation`` leads to the
    institution's organisation) whose notice was given (``notified`` is set). The caller shows
    the notice's fields only."""
    own = [org.pk for org in organisations_of(user) if org.kind == Organisation.Kind.INSTITUTION]
    if not own:
        return queryset.none()
    return queryset.filter(**{f"{organisation}__in": own, f"{notified}__isnull": False})


def get_from_sight_or_404(user, sight: QuerySet, queryset: QuerySet, **lookup):
    """As ``get_visible_or_404``, for a sight that is not the model's own scope (rule 37): the
    row from ``sight``, or 404, a miss on a row that exists being logged as out of scope."""
    obj = sight.filter(**lookup).first()
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


def asked_by_user(user, queryset: QuerySet, *, requested_by: str) -> QuerySet:
    """Rule 29."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return queryset.filter(**{requested_by: user})


def handled_by_own_organisation(user, queryset: QuerySet, *, handler: str) -> QuerySet:
    """Rule 32: rows one of whose handlers (the path ``handler`` leads to organisations) is
    one of the user's organisations."""
    own = organisations_of(user)
    if not own:
        return queryset.none()
    handled = queryset.model._default_manager.filter(**{f"{handler}__in": [org.pk for org in own]})
    return queryset.filter(pk__in=handled.values("pk"))


# --- The scopes: which rule applies to which model ----------------------------------------

ACCOUNTS_SCOPES = {
    "region": regions_visible_to,
    "organisation": organisations_visible_to,
    "membership": memberships_visible_to,
    "user": users_visible_to,
    "notification": notifications_visible_to,
    "notificationpreference": notification_preferences_visible_to,
    "auditevent": audit_visible_to,
    "securityevent": audit_visible_to,
}


@functools.cache
def registered_scopes() -> dict:
    """Model label → see-rule ``(user, queryset) -> queryset``: accounts' own, and those each
    app registers for its own models through the ``scopes`` hook of its AppConfig."""
    scopes = {f"accounts.{name}": rule for name, rule in ACCOUNTS_SCOPES.items()}
    for label, path in app_hooks("scopes"):
        scopes.update({f"{label}.{name}": rule for name, rule in import_string(path).items()})
    return scopes


def visible(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the user may see. A model without a rule sees nothing."""
    scope = registered_scopes().get(queryset.model._meta.label_lower)
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


def log_out_of_sight(user, queryset: QuerySet, pks) -> None:
    """Ids of ``queryset``'s model the user named but does not see (a bulk action's foreign
    rows): those that exist elsewhere are written to the security log in one entry, as
    ``get_visible_or_404`` logs one. Ids of no row at all are not logged."""
    existing = sorted(queryset.filter(pk__in=list(pks)).values_list("pk", flat=True))
    if existing:
        from accounts import audit

        audit.security_event(
            kind=SecurityEvent.Kind.OUT_OF_SCOPE,
            user=user,
            detail={"model": queryset.model._meta.label_lower, "lookup": {"pk__in": [str(pk) for pk in existing]}},
        )


__all__ = [
    "duties",
    "get_visible_or_404",
    "log_out_of_sight",
    "has_duty",
    "memberships",
    "organisations_of",
    "require_duty",
    "visible",
]
