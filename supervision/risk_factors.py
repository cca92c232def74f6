"""The factors of the risk score, one small function each.

A factor takes the ids of a set of institutions and the day of the computation and returns, for
each institution where it counts something, how many of each of its weighted things it found
(``{institution_id: {weight_key: count}}``), in a fixed number of queries whatever the number
of institutions. The score is the sum of count × weight (the weights are parameters the health
bureau edits, ``supervision/data/risk_parameters.json``), and each line is kept as a reason.

A new signal is one more function and one more entry in ``FACTORS``, with its weight
parameter: nothing else changes (substantiated complaints and incidents came so)."""

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from inspections.models import AnnualReview, ChecklistItem, FindingItem, RectificationOrder, SelfReport
from inspections.selectors.enforcement import order_overdue_condition
from registry.models import ClassGroup, Institution
from training.models import Certificate, StaffMember

Counts = dict[int, Counter]

# How far back past failures count (the issue: the last 3 years).
LOOKBACK_YEARS = 3
SEVERITY_RANK = {ChecklistItem.Severity.MINOR: 0, ChecklistItem.Severity.MAJOR: 1, ChecklistItem.Severity.VETO: 2}


@dataclass(frozen=True)
class Factor:
    """``lines``: weight parameter key → what one counted thing is (the reason's words)."""

    lines: dict
    counts: Callable[..., Counts]


def lookback_start(today: date) -> date:
    try:
        return today.replace(year=today.year - LOOKBACK_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - LOOKBACK_YEARS, day=28)


def _counts() -> Counts:
    return defaultdict(Counter)


def failed_areas(ids: list[int], today: date, params: dict) -> Counts:
    """Areas inspected as failed in the last 3 years, each weighed by the worst severity among
    its failed checklist items (as the checklist has it today). One query."""
    rows = FindingItem.objects.filter(
        result=FindingItem.Result.FAIL,
        finding__institution__in=ids,
        finding__inspected_on__gte=lookback_start(today),
        finding__inspected_on__lte=today,
    ).values_list("finding__institution_id", "finding_id", "item__severity")
    worst = {}
    for institution_id, finding_id, severity in rows:
        rank = SEVERITY_RANK.get(severity, 0)
        if worst.get(finding_id, (None, -1))[1] < rank:
            worst[finding_id] = (institution_id, rank)
    names = {rank: severity for severity, rank in SEVERITY_RANK.items()}
    counts = _counts()
    for institution_id, rank in worst.values():
        counts[institution_id][f"risk.weight.failed_area_{names[rank]}"] += 1
    return counts


def orders(ids: list[int], today: date, params: dict) -> Counts:
    """Orders overdue today (the same condition as the overdue lists), and orders closed as not
    rectified in the last 3 years. One query."""
    failed = Q(
        status__in=[RectificationOrder.Status.FAILED, RectificationOrder.Status.UNMET],
        issued_at__date__gte=lookback_start(today),
    )
    overdue = order_overdue_condition(today=today)
    rows = (
        RectificationOrder.objects.filter(institution__in=ids)
        .filter(overdue | failed)
        .annotate(is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .values_list("institution_id", "is_overdue")
    )
    counts = _counts()
    for institution_id, is_overdue in rows:
        counts[institution_id]["risk.weight.order_overdue" if is_overdue else "risk.weight.order_failed"] += 1
    return counts


def ratio_breaches(ids: list[int], today: date, params: dict) -> Counts:
    """Class groups whose caregivers on the roster are fewer than the ratio standard asks for
    their enrolment (the roster check's rule, for many institutions at once). Two queries."""
    groups = ClassGroup.objects.filter(institution__in=ids, enrolled__gt=0).values_list(
        "pk", "institution_id", "age_band", "enrolled", "institution__provider_type"
    )
    assigned = dict(
        StaffMember.objects.filter(
            StaffMember.active_q(today), institution__in=ids, role=StaffMember.Role.CAREGIVER, class_group__isnull=False
        )
        .values("class_group")
        .annotate(n=Count("pk"))
        .values_list("class_group", "n")
    )
    counts = _counts()
    for pk, institution_id, age_band, enrolled, provider_type in groups:
        family = provider_type == Institution.ProviderType.FAMILY_CARE_POINT
        per_caregiver = params.get(
            "family_point.children_per_caregiver" if family else f"class.{age_band}.children_per_caregiver"
        )
        if per_caregiver and assigned.get(pk, 0) < math.ceil(enrolled / per_caregiver):
            counts[institution_id]["risk.weight.ratio_breach"] += 1
    return counts


def expired_certificates(ids: list[int], today: date, params: dict) -> Counts:
    """Active staff without a valid health certificate, and certificates of active staff that
    expired with no valid one of the same kind since. Two queries."""
    active = StaffMember.objects.filter(StaffMember.active_q(today), institution__in=ids)
    counts = _counts()
    lacking = (
        active.filter(Q(health_certificate_expires__isnull=True) | Q(health_certificate_expires__lt=today))
        .values("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    for institution_id, n in lacking:
        counts[institution_id]["risk.weight.expired_certificate"] += n
    renewed = Certificate.objects.filter(
        Certificate.valid_q(today, require_verification=False), staff=OuterRef("staff"), kind=OuterRef("kind")
    )
    expired = (
        Certificate.objects.filter(staff__in=active.values("pk"), expires_on__lt=today)
        .exclude(status=Certificate.Status.REJECTED)
        .exclude(Exists(renewed))
        .values("staff__institution")
        .annotate(n=Count("pk"))
        .values_list("staff__institution", "n")
    )
    for institution_id, n in expired:
        counts[institution_id]["risk.weight.expired_certificate"] += n
    return counts


def staff_turnover(ids: list[int], today: date, params: dict) -> Counts:
    """Staff who left in the last year. One query."""
    rows = (
        StaffMember.objects.filter(institution__in=ids, left_on__gt=today - timedelta(days=365), left_on__lte=today)
        .values("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    counts = _counts()
    for institution_id, n in rows:
        counts[institution_id]["risk.weight.staff_turnover"] += n
    return counts


def self_reports(ids: list[int], today: date, params: dict) -> Counts:
    """Self-reports of the last 3 cycles submitted late, and those still not submitted after
    their cycle's due date. One query."""
    missing = Q(review__cycle__self_report_due__lt=today, review__status=AnnualReview.Status.AWAITING_REPORT) & ~Q(
        status=SelfReport.Status.SUBMITTED
    )
    rows = (
        SelfReport.objects.filter(review__institution__in=ids, review__cycle__year__gt=today.year - LOOKBACK_YEARS)
        .filter(Q(late=True) | missing)
        .annotate(is_missing=ExpressionWrapper(missing, output_field=BooleanField()))
        .values_list("review__institution_id", "is_missing")
    )
    counts = _counts()
    for institution_id, is_missing in rows:
        counts[institution_id]["risk.weight.self_report_missing" if is_missing else "risk.weight.self_report_late"] += 1
    return counts


def first_year(ids: list[int], today: date, params: dict) -> Counts:
    """An institution in its first year of operation (opened less than a year ago). One query."""
    rows = Institution.objects.filter(pk__in=ids, opened_on__gt=today - timedelta(days=365)).values_list(
        "pk", flat=True
    )
    counts = _counts()
    for institution_id in rows:
        counts[institution_id]["risk.weight.first_year"] = 1
    return counts


def substantiated_complaints(ids: list[int], today: date, params: dict) -> Counts:
    """Complaints about the institution concluded as substantiated in the last 3 years. One query."""
    from supervision.models import Complaint

    rows = (
        Complaint.objects.filter(
            institution__in=ids,
            outcome=Complaint.Outcome.SUBSTANTIATED,
            concluded_at__date__gte=lookback_start(today),
            concluded_at__date__lte=today,
        )
        .values("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    counts = _counts()
    for institution_id, n in rows:
        counts[institution_id]["risk.weight.complaint_substantiated"] += n
    return counts


def incidents(ids: list[int], today: date, params: dict) -> Counts:
    """Incidents that happened at the institution in the last year, and those among them it
    reported late (a late report weighs on its own as well). One query."""
    from supervision.models import Incident

    rows = (
        Incident.objects.filter(
            institution__in=ids,
            occurred_at__date__gt=today - timedelta(days=365),
            occurred_at__date__lte=today,
        )
        .values("institution")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(late=True)))
        .values_list("institution", "n", "late")
    )
    counts = _counts()
    for institution_id, n, late in rows:
        counts[institution_id]["risk.weight.incident"] += n
        if late:
            counts[institution_id]["risk.weight.incident_late"] += late
    return counts


FACTORS: list[Factor] = [
    Factor(
        {
            "risk.weight.failed_area_veto": _("Failed inspection areas in the last 3 years (veto item)"),
            "risk.weight.failed_area_major": _("Failed inspection areas in the last 3 years (major item)"),
            "risk.weight.failed_area_minor": _("Failed inspection areas in the last 3 years (minor item)"),
        },
        failed_areas,
    ),
    Factor(
        {
            "risk.weight.order_overdue": _("Rectification orders past their deadline"),
            "risk.weight.order_failed": _("Rectifications failed in the last 3 years"),
        },
        orders,
    ),
    Factor({"risk.weight.ratio_breach": _("Classes below the caregiver ratio")}, ratio_breaches),
    Factor(
        {"risk.weight.expired_certificate": _("Expired or missing certificates of active staff")},
        expired_certificates,
    ),
    Factor({"risk.weight.staff_turnover": _("Staff who left in the last year")}, staff_turnover),
    Factor(
        {
            "risk.weight.self_report_missing": _("Self-reports not submitted after the due date"),
            "risk.weight.self_report_late": _("Self-reports submitted late (last 3 years)"),
        },
        self_reports,
    ),
    Factor({"risk.weight.first_year": _("First year of operation")}, first_year),
    Factor(
        {"risk.weight.complaint_substantiated": _("Substantiated complaints in the last 3 years")},
        substantiated_complaints,
    ),
    Factor(
        {
            "risk.weight.incident": _("Incidents in the last year"),
            "risk.weight.incident_late": _("Incidents reported late in the last year"),
        },
        incidents,
    ),
]


def factor_labels() -> dict:
    """Weight key → its reason's words, in the order of ``FACTORS``."""
    return {key: label for factor in FACTORS for key, label in factor.lines.items()}
