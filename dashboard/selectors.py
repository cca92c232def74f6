"""What the dashboards read: a region's snapshot turned into rows with targets and status,
the township ranking, and a township's villages and residential areas. A dashboard costs a
fixed handful of queries whatever the number of institutions (it reads the snapshots)."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import policy
from accounts.models import Region, User
from dashboard import rules
from dashboard.models import ExportJob, Indicator, PeriodicReport, Snapshot, Target
from dashboard.services.snapshots import status_against
from registry import parameters

# Units whose city target also holds for each township (a count target does not).
RATE_UNITS = (Indicator.Unit.PERCENT, Indicator.Unit.PER_THOUSAND)


def _decimal(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


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


@dataclass
class Dashboard:
    region: Region
    snapshot: Snapshot | None
    rows: list[Row]
    ranking: list[dict] = field(default_factory=list)  # city: one entry per township
    may_edit_targets: bool = False

    @property
    def computed_at(self):
        return self.snapshot.computed_at if self.snapshot else None


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


def pick_target(candidates: list[Target], indicator: Indicator, region: Region, year: int) -> Target | None:
    """The region's own target for this year or the nearest year after (else the latest
    before); for rates, the city's target stands in where the township has none."""
    own = [t for t in candidates if t.region_id == region.pk]
    if not own and indicator.unit in RATE_UNITS:
        own = [t for t in candidates if t.region.level == Region.Level.CITY]
    if not own:
        return None
    ahead = [t for t in own if t.year >= year]
    return min(ahead, key=lambda t: t.year) if ahead else max(own, key=lambda t: t.year)


def _link(indicator: Indicator, region: Region) -> str:
    if not indicator.drilldown:
        return ""
    name, _, query = indicator.drilldown.partition("?")
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
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
    on_track = parameters.get("dashboard.on_track_percent", 90)
    targets = _targets_for(region)
    # A number links to the list behind it only where the viewer may open that list.
    reports_open = rules.may_read_reports(actor)
    rows = []
    for indicator in Indicator.objects.all():
        if region.level not in indicator.levels:
            continue
        figure = values.get(indicator.code, {})
        value = _decimal(figure.get("value"))
        target = pick_target(targets.get(indicator.pk, []), indicator, region, year)
        rows.append(
            Row(
                indicator=indicator,
                value=value,
                numerator=_decimal(figure.get("numerator")),
                denominator=_decimal(figure.get("denominator")),
                target=target,
                status=status_against(value, target.value if target else None, indicator.direction, on_track),
                trend=sorted((y, _decimal(v)) for y, v in history.get(indicator.code, {}).items()),
                link=_link(indicator, region) if reports_open or indicator.source == Indicator.Source.LIVE else "",
            )
        )
    result = Dashboard(
        region=region, snapshot=snapshot, rows=rows, may_edit_targets=policy.has_duty(actor, rules.TARGETS_DUTY)
    )
    if region.level == Region.Level.CITY:
        result.ranking = township_ranking(actor=actor)
    return result


RANKED = ("slots_per_1000", "slots", "institutions", "inclusive_share", "certification_rate", "village_coverage")


def township_ranking(*, actor: User) -> list[dict]:
    """One entry per township in sight, ordered by slots per 1,000 people (then slots)."""
    snapshots = policy.visible(actor, Snapshot.objects.filter(region__level=Region.Level.TOWNSHIP))
    rows = []
    for snapshot in snapshots.select_related("region"):
        figures = {code: _decimal(snapshot.values.get(code, {}).get("value")) for code in RANKED}
        rows.append({"region": snapshot.region, **figures})
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


# --- Targets and reports ----------------------------------------------------------------------


def target_list(*, actor: User, region: str = "", indicator: str = "") -> QuerySet:
    queryset = Target.objects.visible_to(actor).select_related("indicator", "region", "set_by")
    if region:
        queryset = queryset.filter(region__code=region)
    if indicator:
        queryset = queryset.filter(indicator__code=indicator)
    return queryset


def indicator_list(*, actor: User) -> QuerySet:
    return Indicator.objects.visible_to(actor)


def report_list(*, actor: User, status: str = "", year: int | None = None, region: str = "") -> QuerySet:
    queryset = PeriodicReport.objects.visible_to(actor).select_related("region", "organisation", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    if year:
        queryset = queryset.filter(year=year)
    if region:
        queryset = queryset.filter(region__code=region)
    return queryset


def report_get(*, actor: User, pk: int) -> PeriodicReport:
    queryset = PeriodicReport.objects.select_related("region", "organisation", "decided_by", "corrects")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def export_job_get(*, actor: User, pk: int) -> ExportJob:
    return policy.get_visible_or_404(actor, ExportJob.objects.select_related("region"), pk=pk)


def export_job_lock(*, job_id: int) -> ExportJob | None:
    """A job with its region and requester, locked until the caller's transaction ends (the run
    builds the file once); ``None`` once it is gone. Not scoped here: the run asks the
    requester's sight itself."""
    return ExportJob.objects.select_for_update().filter(pk=job_id).select_related("region", "requested_by").first()


# --- Report and target pages, the dashboard API -------------------------------------------------


def report_region_choices(*, actor: User) -> QuerySet:
    """The city and townships within the user's sight, for the report filter."""
    levels = [Region.Level.CITY, Region.Level.TOWNSHIP]
    return policy.regions_visible_to(actor, Region.objects.filter(level__in=levels)).order_by("code")


def target_region_choices(*, actor: User) -> QuerySet:
    """The city and every township: targets are facts every member reads (rule 26), and the
    region codes are public reference data."""
    if not policy.organisations_of(actor):
        return Region.objects.none()
    return Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.TOWNSHIP]).order_by("code")


def target_get(*, actor: User, pk: int) -> Target:
    return policy.get_visible_or_404(actor, Target.objects.select_related("indicator", "region", "set_by"), pk=pk)


def report_versions(*, actor: User, report: PeriodicReport) -> list[PeriodicReport]:
    """Every version of the report's region and year in sight, oldest first (a correction and
    the report it corrects share both)."""
    return list(
        report_list(actor=actor)
        .filter(region_id=report.region_id, year=report.year)
        .select_related(None)
        .select_related("decided_by")
        .order_by("version")
    )


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


def reports_for_approval(*, actor: User, ids) -> tuple[list[PeriodicReport], list[int]]:
    """The reports of ``ids`` in the user's sight, and the ids that are not: those answer as
    "not found" whether they exist elsewhere or not (an existing one is written to the security
    log, as any out-of-sight request), so a bulk request cannot confirm other tenants' ids."""
    wanted = sorted({int(pk) for pk in ids})
    found = list(report_list(actor=actor).filter(pk__in=wanted).order_by("year", "region__code", "version"))
    missing = sorted(set(wanted) - {report.pk for report in found})
    for pk in missing:
        try:
            report_get(actor=actor, pk=pk)  # logs an out-of-sight attempt; always raises here
        except Http404:
            pass
    return found, missing
