"""The figures of one annual review cycle, computed on a schedule and kept in the cache.

The scheduled task (``inspections.tasks.cycle_statistics_task``) recomputes them; the
statistics page reads what is cached (``inspections.selectors.cycle_statistics_get``), and the
health bureau may recompute one cycle at once. The figures are counts only: no institution is
named, so every holder of ``review.lead`` or ``dashboard.view`` may read them.

The cached value is plain JSON (dates as ISO strings) so that it passes through Redis and a
Celery result backend unchanged.
"""

from datetime import date

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from accounts import policy
from inspections import rules
from inspections.models import AnnualReview, Area, Finding, RectificationOrder, ReviewCycle, SelfReport
from inspections.selectors.enforcement import order_overdue_condition

# Kept until the next computation: the page says when they were computed.
TIMEOUT = None


def cache_key(year: int) -> str:
    return f"cycle-stats:{year}"


def _counts(queryset, **conditions: Q) -> dict[str, int]:
    """Several filtered counts of one queryset in one query."""
    return queryset.aggregate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()})


def cycle_statistics_compute(*, cycle: ReviewCycle, today: date | None = None) -> dict:
    """The cycle's figures as they are now (a fixed handful of queries, whatever the size)."""
    today = today or timezone.localdate()
    reviews = AnnualReview.objects.filter(cycle=cycle)
    by_status = dict.fromkeys(AnnualReview.Status.values, 0)
    by_status.update(dict(reviews.order_by().values_list("status").annotate(n=Count("pk"))))
    outcome = _counts(
        reviews,
        total=Q(),
        passed=Q(result=AnnualReview.Result.PASS),
        failed=Q(result=AnnualReview.Result.FAIL),
        undecided=Q(result=""),
        final_passed=Q(final_result=AnnualReview.Result.PASS),
        final_failed=Q(final_result=AnnualReview.Result.FAIL),
    )
    submitted = Q(status=SelfReport.Status.SUBMITTED)
    past_due = today > cycle.self_report_due
    reports = _counts(
        SelfReport.objects.filter(review__cycle=cycle),
        submitted=submitted,
        submitted_late=submitted & Q(late=True),
        returned=Q(status=SelfReport.Status.RETURNED),
        not_submitted=~submitted,
    )
    reports["missing_after_due"] = reports["not_submitted"] if past_due else 0
    reports["late"] = reports["submitted_late"] + reports["missing_after_due"]
    findings = {area: {"total": 0, "failed": 0} for area in Area.values}
    rows = (
        Finding.objects.filter(review__cycle=cycle)
        .order_by()
        .values("area")
        .annotate(total=Count("pk"), failed=Count("pk", filter=Q(passed=False)))
    )
    for row in rows:
        findings.setdefault(row["area"], {"total": 0, "failed": 0}).update(total=row["total"], failed=row["failed"])
    Status = RectificationOrder.Status
    orders = _counts(
        RectificationOrder.objects.filter(review__cycle=cycle),
        total=Q(),
        open=Q(status=Status.OPEN),
        answered=Q(status=Status.ANSWERED),
        verified=Q(status=Status.VERIFIED),
        failed=Q(status=Status.FAILED),
        unmet=Q(status=Status.UNMET),
        overdue=order_overdue_condition(today=today),
    )
    return {
        "cycle_id": cycle.pk,
        "year": cycle.year,
        "cycle_status": cycle.status,
        "self_report_due": cycle.self_report_due.isoformat(),
        "computed_on": today.isoformat(),
        "computed_at": timezone.now().isoformat(),
        "reviews": outcome.pop("total"),
        "by_status": by_status,
        "results": outcome,
        "self_reports": reports,
        "findings": findings,
        "orders": orders,
    }


def cycle_statistics_store(*, cycle: ReviewCycle, today: date | None = None) -> dict:
    """Compute and cache one cycle's figures; returns them."""
    figures = cycle_statistics_compute(cycle=cycle, today=today)
    cache.set(cache_key(cycle.year), figures, timeout=TIMEOUT)
    return figures


def cycle_statistics_store_all(*, today: date | None = None) -> dict[str, dict]:
    """Every cycle's figures, computed and cached, keyed by year (a string: JSON keys are)."""
    return {
        str(cycle.year): cycle_statistics_store(cycle=cycle, today=today)
        for cycle in ReviewCycle.objects.order_by("year")
    }


def cycle_statistics_refresh(*, actor, cycle: ReviewCycle) -> dict:
    """The health bureau recomputes a cycle's figures now instead of waiting for the schedule."""
    policy.require_duty(actor, rules.STATISTICS_REFRESH_DUTY)
    return cycle_statistics_store(cycle=cycle)


def cycle_statistics_cached(*, cycle: ReviewCycle) -> dict | None:
    """The cached figures of this very cycle (an entry left by another database is ignored)."""
    figures = cache.get(cache_key(cycle.year))
    if not isinstance(figures, dict) or figures.get("cycle_id") != cycle.pk:
        return None
    return figures
