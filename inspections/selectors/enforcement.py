"""Enforcement: rectification orders, revocation referrals, cases, the ban list."""

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Organisation, Region
from inspections.models import (
    AnnualReview,
    BanEntry,
    Case,
    InspectionFile,
    RectificationOrder,
    RevocationReferral,
)
from registry.models import Institution


def order_overdue_condition(*, today) -> Q:
    """Orders still waiting for the institution's answer after their deadline on ``today``
    (the overdue list, the escalation and the dashboards count the same). An order suspended
    by an objection is not overdue: its clock stands still."""
    return Q(status=RectificationOrder.Status.OPEN, deadline__lt=today, suspended_since__isnull=True)


def _order_overdue_flag(queryset: QuerySet) -> QuerySet:
    """``is_overdue``: still waiting for the institution's answer after the deadline."""
    today = timezone.localdate()
    return queryset.annotate(
        is_overdue=ExpressionWrapper(order_overdue_condition(today=today), output_field=BooleanField())
    )


def order_list(*, actor, status: str = "", overdue: bool = False, text: str = "", township: str = "") -> QuerySet:
    """Orders in the actor's sight (rule 19), newest first, each flagged ``is_overdue``."""
    queryset = _order_overdue_flag(
        RectificationOrder.objects.visible_to(actor).select_related("institution__township", "review__cycle")
    )
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(order_overdue_condition(today=timezone.localdate()))
    if text:
        queryset = queryset.filter(order_text_condition(text))
    if township:
        queryset = queryset.filter(institution__township__code=township)
    return queryset.order_by("-issued_at", "-pk")


def order_text_condition(text: str) -> Q:
    """The order list's search: part of the institution's name or the order number."""
    return Q(institution__name__icontains=text) | Q(number__icontains=text)


def order_escalation_due_list(*, today) -> QuerySet:
    """Open orders past their deadline on ``today`` that were never escalated, for the hourly
    task (no actor: it acts for the portal; escalating is idempotent). An institution closed or
    revoked gets no more reminders: its orders are not escalated."""
    return (
        RectificationOrder.objects.filter(order_overdue_condition(today=today), escalated_at__isnull=True)
        .exclude(institution__status__in=(Institution.Status.CLOSED, Institution.Status.REVOKED))
        .select_related("institution__township")
    )


def order_get(*, actor, pk: int) -> RectificationOrder:
    """One order in sight (404 otherwise) with its institution, review and evidence."""
    queryset = _order_overdue_flag(
        RectificationOrder.objects.select_related(
            "institution__organisation", "institution__township", "review__cycle", "issued_by", "verified_by"
        ).prefetch_related(
            Prefetch("evidence", queryset=InspectionFile.objects.select_related("uploaded_by", "stored"))
        )
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def order_evidence_get(*, actor, pk: int) -> InspectionFile:
    """Evidence of an order (never a finding's photo), where its order is in sight."""
    queryset = InspectionFile.objects.filter(order__isnull=False).select_related("order__institution", "stored")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def order_issue_institutions(*, actor) -> QuerySet:
    """Institutions in sight that can still be ordered to rectify (not closed or withdrawn)."""
    return (
        Institution.objects.visible_to(actor)
        .exclude(status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED])
        .select_related("township")
        .order_by("township__code", "name", "pk")
    )


def referral_list(*, actor, status: str = "") -> QuerySet:
    """Revocation referrals in sight (rule 20), newest first."""
    queryset = RevocationReferral.objects.visible_to(actor).select_related(
        "institution__township", "authority", "registration"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-raised_at", "-pk")


def referral_township_choices(*, actor) -> list[Region]:
    """The townships the referral list may be filtered by: those of the referrals in sight."""
    townships = RevocationReferral.objects.visible_to(actor).values("institution__township")
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP, pk__in=townships).order_by("code"))


def referral_authority_choices(*, actor) -> list[Organisation]:
    """The authorities the referral list may be filtered by: those of the referrals in sight."""
    authorities = RevocationReferral.objects.visible_to(actor).values("authority")
    return list(Organisation.objects.filter(pk__in=authorities).order_by("code"))


def referral_get(*, actor, pk: int) -> RevocationReferral:
    """One referral in sight (404 otherwise) with the failed reviews, oldest year first."""
    reviews = AnnualReview.objects.select_related("cycle").order_by("cycle__year")
    queryset = RevocationReferral.objects.select_related(
        "institution__township", "institution__organisation", "authority", "registration", "raised_by", "decided_by"
    ).prefetch_related(Prefetch("failed_reviews", queryset=reviews))
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def case_overdue_condition(*, today) -> Q:
    """Cases ordered to rectify whose deadline has passed on ``today`` (the escalation's rule;
    the dashboard counts the same)."""
    return Q(status=Case.Status.ORDERED, deadline__lt=today)


def case_list(*, actor) -> QuerySet:
    """Cases within the actor's ``case.manage`` jurisdiction (rule 21), latest found first (the
    list's filters are ``inspections.lists.CaseFilterSet``)."""
    return Case.objects.visible_to(actor).select_related("township", "recorded_by").order_by("-found_on", "-pk")


def case_escalation_due_list(*, today) -> QuerySet:
    """Cases ordered to rectify, past the deadline on ``today``, never escalated: for the
    hourly task (no actor: it acts for the portal; escalating is idempotent)."""
    return Case.objects.filter(case_overdue_condition(today=today), escalated_at__isnull=True).select_related(
        "township"
    )


def case_get(*, actor, pk: int) -> Case:
    queryset = Case.objects.select_related(
        "township", "recorded_by", "institution", "decision_department", "decision_scan"
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def case_deciding_departments() -> QuerySet:
    """The organisations that may have decided a penalty or a ban: departments and township
    governments (public reference data; the service judges the choice)."""
    return Organisation.objects.filter(
        is_active=True, kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.TOWNSHIP]
    ).order_by("kind", "code")


def case_townships(*, actor) -> QuerySet:
    """The townships where the actor handles cases: its own (a township government) or every
    one (the health bureau). None for anyone whose organisations do not hold ``case.manage``."""
    codes = [
        org.jurisdiction.code
        for org in policy.organisations_of(actor)
        if any(duty.code == "case.manage" for duty in org.duties.all())
    ]
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(code__startswith=code)
    return Region.objects.filter(condition, level=Region.Level.TOWNSHIP).order_by("code")


def township_all() -> QuerySet:
    """Every township (public reference data): a form accepts any, the service judges it."""
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")


def ban_list(*, actor) -> QuerySet:
    """The lifetime ban list: holders of ``banlist.manage`` only (rule 22)."""
    return BanEntry.objects.visible_to(actor).select_related("recorded_by").order_by("-decided_on", "-pk")
