"""A region's dashboard: its snapshot turned into rows with targets and status, the township
ranking, and a township's villages and residential areas."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import policy
from accounts.models import Region, User
from dashboard import rules
from dashboard.models import Indicator, Snapshot, Target
from dashboard.services.snapshots import status_against
from registry import parameters

# Units whose city target also holds for each township (a count target does not).
RATE_UNITS = (Indicator.Unit.PERCENT, Indicator.Unit.PER_THOUSAND, Indicator.Unit.PER_THOUSAND_SLOTS)


def _decimal(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


@dataclass
class ExpiredTarget:
    """A target whose year has passed (已到期), judged on the value the history kept for its
    own year, never on today's value."""

    target: Target
    value: Decimal | None
    status: str


@dataclass
class Row:
    indicator: Indicator
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Target | None
    status: str
    trend: list[tuple[str, Decimal | None]] = field(default_factory=list)
    link: str = ""
    # ``target`` is the one in force (this year or later), ``status`` the current value
    # against it; targets of past years are here with their own year's result.
    expired: list[ExpiredTarget] = field(default_factory=list)


@dataclass
class Dashboard:
    region: Region
    snapshot: Snapshot | None
    rows: list[Row]
    ranking: list[dict] = field(default_factory=list)  # city: one entry per township
    may_edit_targets: bool = False
    # Complaints received and substantiated by category (``complaints_table``), where the board
    # shows complaint figures; None elsewhere.
    complaints: dict | None = None

    @property
    def computed_at(self):
        return self.snapshot.computed_at if self.snapshot else None

    @property
    def targets_set(self) -> int:
        """Indicators with a target in force (this year or later)."""
        return sum(row.target is not None for row in self.rows)

    @property
    def targets_met(self) -> int:
        return sum(row.target is not None and row.status == "met" for row in self.rows)


def home_region(actor: User) -> Region | None:
    """Where the dashboard link takes the user: the city, or their township, or nowhere."""
    if not policy.has_duty(actor, rules.VIEW_DUTY):
        return None
    if rules.may_view_city(actor):
        return Region.objects.filter(level=Region.Level.CITY).first()
    codes = policy.township_codes(actor)
    return Region.objects.filter(code__in=codes).order_by("code").first() if codes else None


def dashboard_region(*, actor: User, code: str) -> Region:
    """The region of a dashboard the user may open: 403 without the duty, 404 out of sight."""
    policy.require_duty(actor, rules.VIEW_DUTY)
    region = Region.objects.filter(code=code, level__in=[Region.Level.CITY, Region.Level.TOWNSHIP]).first()
    if region is None:
        raise Http404
    if not _region_in_sight(actor, region):
        # 404 like any object out of sight (get_visible_or_404 logs the attempt).
        policy.get_visible_or_404(actor, Snapshot.objects.all(), region=region)
        raise Http404
    return region


def _region_in_sight(actor: User, region: Region) -> bool:
    """Asked of the rule itself, not of the snapshot: a region in sight whose snapshot is not
    computed yet shows "no data" rather than 404."""
    condition = policy.dashboard_regions(actor)
    return condition is None or Region.objects.filter(condition, pk=region.pk).exists()


def _targets_for(region: Region) -> dict[int, list[Target]]:
    codes = [region.code] if region.level == Region.Level.CITY else [region.code, region.code[:6]]
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(region__code__in=codes).select_related("region").order_by("year"):
        targets.setdefault(target.indicator_id, []).append(target)
    return targets


def _own_targets(candidates: list[Target], indicator: Indicator, region: Region) -> list[Target]:
    """The region's own targets; for rates, the city's stand in where the township has none."""
    own = [t for t in candidates if t.region_id == region.pk]
    if not own and indicator.unit in RATE_UNITS:
        own = [t for t in candidates if t.region.level == Region.Level.CITY]
    return own


def pick_target(candidates: list[Target], indicator: Indicator, region: Region, year: int) -> Target | None:
    """The target in force in ``year``: the region's own target for that year or the nearest
    year after. None when every target's year has passed: an expired target is judged on its
    own year's value (``expired_targets``), not held against a later value."""
    ahead = [t for t in _own_targets(candidates, indicator, region) if t.year >= year]
    return min(ahead, key=lambda t: t.year) if ahead else None


def expired_targets(
    candidates: list[Target], indicator: Indicator, region: Region, year: int, history: dict, on_track
) -> list[ExpiredTarget]:
    """Targets of years before ``year``, oldest first, each judged on ``history`` (the
    snapshot's {year: value}) for its own year."""
    result = []
    for target in sorted(_own_targets(candidates, indicator, region), key=lambda t: t.year):
        if target.year >= year:
            continue
        value = _decimal(history.get(str(target.year)))
        status = status_against(value, target.value, indicator.direction, on_track)
        result.append(ExpiredTarget(target=target, value=value, status=status))
    return result


def _link(indicator: Indicator, region: Region, baseline: int) -> str:
    if not indicator.drilldown:
        return ""
    name, _, query = indicator.drilldown.partition("?")
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    # The list's filters may name the baseline year of the "new" figures and this year (the
    # review pass rate is this year's cycle's).
    query = query.format(baseline=baseline, year=timezone.localdate().year)
    params = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
    if region.level == Region.Level.TOWNSHIP:
        params["township"] = region.code
    return url + ("?" + urlencode(params) if params else "")


def dashboard(*, actor: User, region: Region) -> Dashboard:
    """Rows for every indicator of the region's level, with target, status and trend; for the
    city, the ranking of townships. About six queries whatever the data size."""
    year = timezone.localdate().year
    snapshot = Snapshot.objects.filter(region=region).first()
    values = snapshot.values if snapshot else {}
    history = snapshot.history if snapshot else {}
    params = parameters.load()  # one query for both
    on_track = params.get("dashboard.on_track_percent") or 90
    baseline = int(params.get("dashboard.baseline_year") or 2020)
    targets = _targets_for(region)
    # A number links to the list behind it only where the viewer may open that list.
    reports_open = rules.may_read_reports(actor)
    linked = lambda indicator: reports_open or indicator.source == Indicator.Source.LIVE  # noqa: E731
    rows = []
    for indicator in Indicator.objects.all():
        if region.level not in indicator.levels:
            continue
        figure = values.get(indicator.code, {})
        value = _decimal(figure.get("value"))
        candidates = targets.get(indicator.pk, [])
        target = pick_target(candidates, indicator, region, year)
        kept = history.get(indicator.code, {})
        rows.append(
            Row(
                indicator=indicator,
                value=value,
                numerator=_decimal(figure.get("numerator")),
                denominator=_decimal(figure.get("denominator")),
                target=target,
                status=status_against(value, target.value if target else None, indicator.direction, on_track),
                trend=sorted((y, _decimal(v)) for y, v in history.get(indicator.code, {}).items()),
                link=_link(indicator, region, baseline) if linked(indicator) else "",
                expired=expired_targets(candidates, indicator, region, year, kept, on_track),
            )
        )
    result = Dashboard(
        region=region, snapshot=snapshot, rows=rows, may_edit_targets=policy.has_duty(actor, rules.TARGETS_DUTY)
    )
    if region.level == Region.Level.CITY:
        result.ranking = township_ranking(actor=actor)
    if any(row.indicator.code == COMPLAINTS_INDICATOR for row in rows):
        result.complaints = complaints_table(snapshot=snapshot, ranking=result.ranking)
    return result


COMPLAINTS_INDICATOR = "complaints_received"
BY_CATEGORY = "complaints_by_category"


def complaints_table(*, snapshot: Snapshot | None, ranking: list[dict]) -> dict:
    """This year's complaints by category for the region (every category, zeros included) and,
    on the city's board, for each township in sight that received any: read from the snapshots
    already loaded, no query of its own."""
    from supervision.models import Complaint

    categories = Complaint.Category.choices

    def cells(figures: dict) -> list[dict]:
        empty = {"received": 0, "substantiated": 0}
        return [{"code": code, "label": label, **figures.get(code, empty)} for code, label in categories]

    def totals(row: list[dict]) -> dict:
        return {key: sum(cell[key] for cell in row) for key in ("received", "substantiated")}

    own = cells((snapshot.breakdowns or {}).get(BY_CATEGORY, {}) if snapshot else {})
    townships = []
    for entry in sorted(ranking, key=lambda entry: entry["region"].code):
        row = cells(entry.get(BY_CATEGORY) or {})
        if totals(row)["received"]:
            townships.append({"region": entry["region"], "cells": row, **totals(row)})
    labels = [label for _code, label in categories]
    return {"categories": own, "total": totals(own), "townships": townships, "labels": labels}


RANKED = ("slots_per_1000", "slots", "institutions", "inclusive_share", "certification_rate", "village_coverage")


def township_ranking(*, actor: User) -> list[dict]:
    """One entry per township in sight, ordered by slots per 1,000 people (then slots)."""
    snapshots = policy.visible(actor, Snapshot.objects.filter(region__level=Region.Level.TOWNSHIP))
    rows = []
    for snapshot in snapshots.select_related("region"):
        figures = {code: _decimal(snapshot.values.get(code, {}).get("value")) for code in RANKED}
        by_category = (snapshot.breakdowns or {}).get(BY_CATEGORY, {})
        rows.append({"region": snapshot.region, **figures, BY_CATEGORY: by_category})
    rows.sort(key=lambda r: (-(r["slots_per_1000"] or Decimal(-1)), -(r["slots"] or 0), r["region"].code))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def township_places(*, actor: User, region: Region) -> dict:
    """The township's villages and residential areas: required and provided slots and the gap,
    guidance points, trained village instructors. A fixed number of queries."""
    from registry import selectors as registry_selectors
    from registry import slots
    from training.selectors import village_coverage

    params = slots.slot_parameters()
    areas = list(registry_selectors.residential_area_list(actor=actor, township=region.code).select_related("village"))
    area_rows = registry_selectors.residential_area_rows(actor=actor, areas=areas, params=params)
    coverage = next(iter(village_coverage(township_codes=[region.code])), None)
    villages = list(Region.objects.filter(parent=region).order_by("code").prefetch_related("covering_sites"))
    uncovered = {v.pk for v in coverage.uncovered} if coverage else set()
    village_rows = [
        {"village": v, "guidance_sites": len(v.covering_sites.all()), "instructor": v.pk not in uncovered}
        for v in villages
    ]
    return {"areas": area_rows, "villages": village_rows, "coverage": coverage}


def require_city(actor: User) -> None:
    policy.require_duty(actor, rules.VIEW_DUTY)
    if not rules.may_view_city(actor):
        raise PermissionDenied(rules.VIEW_DUTY)


def dashboard_values(*, actor: User, region: Region, year: int | None = None) -> Dashboard:
    """The dashboard's rows (``dashboard``), or with ``year`` the values that year's history
    kept (no numerator or denominator: the history holds values only), each with the target of
    that year and the status against it. One query more than the dashboard with a year."""
    board = dashboard(actor=actor, region=region)
    if year is None:
        return board
    on_track = parameters.get("dashboard.on_track_percent", 90)
    targets = _targets_for(region)
    history = board.snapshot.history if board.snapshot else {}
    for row in board.rows:
        value = _decimal(history.get(row.indicator.code, {}).get(str(year)))
        target = pick_target(targets.get(row.indicator.pk, []), row.indicator, region, year)
        row.value, row.numerator, row.denominator, row.target = value, None, None, target
        row.status = status_against(value, target.value if target else None, row.indicator.direction, on_track)
    return board
