"""Snapshots: every region's indicator figures, computed and kept year by year."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Region
from dashboard import indicators
from dashboard.models import Indicator, Snapshot


def compute_all(day: date, ctx: indicators.Context | None = None) -> dict[str, dict[str, dict]]:
    """{region code: {indicator code: figure json}} for the city and every township."""
    ctx = ctx or indicators.load_context(day)
    values: dict[str, dict[str, dict]] = {code: {} for code in [ctx.city.code, *ctx.codes]}
    for indicator in Indicator.objects.all():
        if indicator.source == Indicator.Source.LIVE:
            figures = indicators.LIVE[indicator.computation](ctx)
        else:
            figures = indicators.from_reports(ctx, indicator.numerator, indicator.denominator)
        for code, figure in figures.items():
            if code in values:
                values[code][indicator.code] = figure.as_json()
    return values


@transaction.atomic
def snapshots_refresh(*, day: date | None = None) -> int:
    """Recompute every region's snapshot (idempotent: the same data gives the same snapshot).
    The values of ``day``'s year are written into the history too, so the trend builds up year
    by year; past years stay as they were recorded."""
    day = day or timezone.localdate()
    ctx = indicators.load_context(day)
    computed = compute_all(day, ctx)
    by_category = indicators.complaints_by_category(ctx)
    regions = {region.code: region for region in Region.objects.filter(code__in=list(computed))}
    existing = {snapshot.region_id: snapshot for snapshot in Snapshot.objects.filter(region__in=regions.values())}
    now = timezone.now()
    for code, values in computed.items():
        region = regions[code]
        snapshot = existing.get(region.pk) or Snapshot(region=region)
        history = dict(snapshot.history or {})
        for indicator_code, figure in values.items():
            history.setdefault(indicator_code, {})[str(day.year)] = figure["value"]
        snapshot.values, snapshot.history, snapshot.computed_at = values, history, now
        snapshot.breakdowns = {"complaints_by_category": by_category.get(code, {})}
        snapshot.save()
    return len(computed)


def status_against(value: Decimal | None, target: Decimal | None, direction: str, on_track_percent) -> str:
    """met / on_track / behind, or "" without a value or a target. On track: within the
    bureau's margin of the target (``dashboard.on_track_percent`` of it, default 90%)."""
    if value is None or target is None:
        return ""
    margin = Decimal(on_track_percent or 90) / 100
    if direction == Indicator.Direction.LOWER:
        if value <= target:
            return "met"
        return "on_track" if target and value * margin <= target else "behind"
    if value >= target:
        return "met"
    return "on_track" if value >= target * margin else "behind"


def schedule_refresh() -> None:
    """A change that moves a figure asks for a snapshot refresh once its transaction commits
    (call it inside the transaction; outside one it acts at once).

    With a broker, one task a minute after the change at most (a cache key debounces bursts).
    In the embedded mode (no broker, tasks eager) there is no worker to run it later, so the
    refresh runs in this process right after the commit, before the page that made the change
    answers: no page shows a figure older than the change its user just made. One refresh per
    transaction, however many rows it changed."""
    from django.conf import settings

    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        # robust: a broker that is away must not turn the committed change into an error page;
        # the 15-minute beat refreshes the snapshots when it is back.
        transaction.on_commit(_queue_refresh, robust=True)
        return
    connection = transaction.get_connection()
    if any(callback is _refresh_now for _savepoints, callback, _robust in connection.run_on_commit):
        return
    # robust: the change is committed; a failed refresh is logged and the 15-minute beat repairs it.
    transaction.on_commit(_refresh_now, robust=True)


def _refresh_now() -> None:
    from dashboard.tasks import snapshots_refresh_task

    snapshots_refresh_task.apply()  # here, in this process: there is no broker to ask


def _queue_refresh() -> None:
    from django.core.cache import cache

    if cache.add("dashboard:refresh-queued", True, timeout=60):
        from dashboard.tasks import snapshots_refresh_task

        snapshots_refresh_task.apply_async(countdown=60)
