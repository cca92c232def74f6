"""Who is late (issue 13, point 15): per township, the filings waiting for review past their
time limit, the open rectification orders and the cases past their deadline, and whether the
township's periodic report of the last period is in; per department, the findings its area
has recorded in the open review cycle against those due.

Each figure counts what the list it links to shows (the same conditions as
``filing_list(overdue=True)``, ``order_list(overdue=True)`` and the case list's ``overdue`` filter),
so a figure and its list agree. A fixed number of queries whatever the data size: one grouped
count per kind, never one query per township. The region is the dashboard's (already checked
against the viewer's sight by ``dashboard_region``); a township's dashboard counts only its own.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from accounts import policy
from accounts.models import Organisation, Region, User
from dashboard import rules
from dashboard.models import PeriodicReport
from inspections import rules as inspection_rules
from inspections.models import (
    AnnualReview,
    Area,
    AreaExemption,
    ChecklistTemplate,
    Finding,
    RectificationOrder,
    ReviewCycle,
)
from inspections.models import Case as EnforcementCase
from inspections.selectors.enforcement import case_overdue_condition, order_overdue_condition
from registry import parameters
from registry.models import Filing, Institution
from registry.selectors.filings import filing_overdue_condition

REPORT_DUE_DAYS = "dashboard.report_due_days"
REPORT_DUE_DAYS_DEFAULT = 31
# A report version that reached the approver counts as submitted (a returned one does not).
REPORT_IN = (PeriodicReport.Status.SUBMITTED, PeriodicReport.Status.APPROVED, PeriodicReport.Status.SUPERSEDED)


class ReportState:
    ON_TIME = "on_time"
    SUBMITTED_LATE = "submitted_late"
    LATE = "late"  # not submitted, the due date has passed
    WAITING = "waiting"  # not submitted, not due yet


def report_period(today: date) -> int:
    """The period whose report is awaited now: the last year that has ended."""
    return today.year - 1


def report_due(year: int, due_days: int) -> date:
    """A year's report is due ``due_days`` days after the year's end."""
    return date(year, 12, 31) + timedelta(days=due_days)


def report_due_days() -> int:
    return int(parameters.get(REPORT_DUE_DAYS, REPORT_DUE_DAYS_DEFAULT))


@dataclass
class TownshipLate:
    region: Region
    filings: int = 0
    orders: int = 0
    cases: int = 0
    report: str = ReportState.WAITING
    report_submitted_on: date | None = None
    links: dict = field(default_factory=dict)


@dataclass
class AreaProgress:
    area: str
    label: str
    departments: list[str]
    recorded: int
    due: int


@dataclass
class Lateness:
    townships: list[TownshipLate]
    report_year: int
    report_due: date
    cycle: ReviewCycle | None
    progress: list[AreaProgress]
    statistics_link: str = ""

    @property
    def totals(self) -> dict[str, int]:
        rows = self.townships
        return {
            "filings": sum(r.filings for r in rows),
            "orders": sum(r.orders for r in rows),
            "cases": sum(r.cases for r in rows),
            "reports_late": sum(r.report == ReportState.LATE for r in rows),
        }


def _link(name: str, code: str) -> str:
    return reverse(name) + "?" + urlencode({"township": code, "overdue": "1"})


def _by_township(queryset, path: str) -> dict[str, int]:
    rows = queryset.order_by().values(path).annotate(n=Count("pk")).values_list(path, "n")
    return dict(rows)


def _townships(actor: User, region: Region) -> list[Region]:
    if region.level == Region.Level.TOWNSHIP:
        return [region]
    condition = policy.dashboard_regions(actor)
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=region.code)
    if condition is not None:
        townships = townships.filter(condition)
    return list(townships.order_by("code"))


def lateness(*, actor: User, region: Region, today: date | None = None) -> Lateness:
    """Who is late in the region: its townships (the city's in sight, or the township alone)
    and the departments' progress in the open cycle. About ten queries whatever the size."""
    today = today or timezone.localdate()
    townships = _townships(actor, region)
    codes = [t.code for t in townships]
    filings = _by_township(
        Filing.objects.filter(filing_overdue_condition(today=today), institution__township__code__in=codes),
        "institution__township__code",
    )
    orders = _by_township(
        RectificationOrder.objects.filter(order_overdue_condition(today=today), institution__township__code__in=codes),
        "institution__township__code",
    )
    cases = _by_township(
        EnforcementCase.objects.filter(case_overdue_condition(today=today), township__code__in=codes),
        "township__code",
    )
    year = report_period(today)
    due = report_due(year, report_due_days())
    submitted = dict(
        PeriodicReport.objects.filter(year=year, status__in=REPORT_IN, region__code__in=codes)
        .order_by()
        .values("region__code")
        .annotate(first=Min("submitted_at"))
        .values_list("region__code", "first")
    )
    # A figure links to its list only where the viewer may open that list (cases: case.manage).
    cases_open, reports_open = inspection_rules.can_see_cases(actor), rules.may_read_reports(actor)
    rows = []
    for township in townships:
        row = TownshipLate(
            region=township,
            filings=filings.get(township.code, 0),
            orders=orders.get(township.code, 0),
            cases=cases.get(township.code, 0),
            links={
                "filings": _link("filing_list", township.code),
                "orders": _link("order_list", township.code),
                "cases": _link("case_list", township.code) if cases_open else "",
                "reports": (
                    reverse("report_list") + "?" + urlencode({"region": township.code, "year": year})
                    if reports_open
                    else ""
                ),
            },
        )
        if township.code in submitted:
            at = submitted[township.code]
            row.report_submitted_on = timezone.localdate(at) if at else None
            late = row.report_submitted_on is not None and row.report_submitted_on > due
            row.report = ReportState.SUBMITTED_LATE if late else ReportState.ON_TIME
        else:
            row.report = ReportState.LATE if today > due else ReportState.WAITING
        rows.append(row)
    cycle = ReviewCycle.objects.filter(status=ReviewCycle.Status.OPEN).order_by("-year").first()
    progress = _progress(cycle, region) if cycle else []
    link = reverse("cycle_statistics", args=[cycle.pk]) if cycle else ""
    return Lateness(
        townships=rows, report_year=year, report_due=due, cycle=cycle, progress=progress, statistics_link=link
    )


def _progress(cycle: ReviewCycle, region: Region) -> list[AreaProgress]:
    """Per area with a checklist: reviews of the cycle with the area's finding (or recorded as
    not applicable) against the reviews the area applies to (education: nursery classes of
    kindergartens only, as ``review_required_areas``)."""
    reviews = AnnualReview.objects.filter(cycle=cycle)
    if region.level == Region.Level.TOWNSHIP:
        reviews = reviews.filter(institution__township=region)
    counts = reviews.aggregate(
        total=Count("pk"),
        classes=Count("pk", filter=Q(institution__provider_type=Institution.ProviderType.KINDERGARTEN_CLASS)),
    )
    areas = set(ChecklistTemplate.objects.values_list("area", flat=True).distinct())
    # A finding recorded later replaces the area's exemption, so the two never overlap.
    recorded = dict.fromkeys(Area.values, 0)
    for model in (Finding, AreaExemption):
        rows = model.objects.filter(review__in=reviews).order_by().values("area")
        for row in rows.annotate(n=Count("review", distinct=True)):
            recorded[row["area"]] = recorded.get(row["area"], 0) + row["n"]
    departments: dict[str, list[str]] = {}
    duties = [Area.duty(area) for area in Area.values]
    holders = Organisation.objects.filter(is_active=True, duties__code__in=duties).values_list("duties__code", "name")
    for duty, name in holders.order_by("code").distinct():
        departments.setdefault(duty, []).append(name)
    result = []
    for area in Area.values:
        if area not in areas:
            continue
        due = counts["classes"] if area == Area.EDUCATION else counts["total"]
        result.append(
            AreaProgress(
                area=area,
                label=str(Area(area).label),
                departments=departments.get(Area.duty(area), []),
                recorded=recorded[area],
                due=due,
            )
        )
    return result
