"""How each live indicator is computed, for the city and every township at once.

Each computation takes a ``Context`` and returns ``{region code: Figure}`` for the township
codes it has data for and for the city's code. Grouping by township in one query per
indicator keeps a full refresh to a few dozen queries whatever the data size. Report-based
indicators are computed from approved periodic reports (``Context.reports``).

A figure is ``value`` (None: no data) with its ``numerator`` and ``denominator`` where the
value is a share or a rate, so that the dashboard can show the numbers behind it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum, Value

from accounts.models import Region
from registry import parameters
from registry import slots as slot_standard
from registry.models import ClassGroup, Filing, GuidanceSite, Institution, ResidentialArea

CITY_CODE_LENGTH = 6
TOWNSHIP_CODE_LENGTH = 9


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    def as_json(self) -> dict:
        def text(number):
            return None if number is None else str(number)

        return {"value": text(self.value), "numerator": text(self.numerator), "denominator": text(self.denominator)}


def _round(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def share(numerator, denominator, *, scale: int = 100) -> Figure:
    """numerator / denominator × scale, or no value without a denominator."""
    if numerator is None or not denominator:
        return Figure(None, _dec(numerator), _dec(denominator))
    return Figure(_round(Decimal(numerator) * scale / Decimal(denominator)), _dec(numerator), _dec(denominator))


def count(value) -> Figure:
    return Figure(_dec(value))


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass
class Context:
    """What every computation needs, loaded once per refresh."""

    day: date
    city: Region
    townships: list[Region]
    params: dict = field(default_factory=dict)
    # {region code: {figure: Decimal}} from the approved report of the latest year up to ``day``.
    reports: dict = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.townships]

    @property
    def baseline(self) -> date:
        return date(int(self.params.get("dashboard.baseline_year") or 2020), 1, 1)

    def report_figure(self, code: str, figure: str) -> Decimal | None:
        """A township's figure, or the city's: the city's own report, else the townships' sum
        when every township reported it."""
        value = self.reports.get(code, {}).get(figure)
        if value is not None or code != self.city.code:
            return value
        values = [self.reports.get(t, {}).get(figure) for t in self.codes]
        if values and all(v is not None for v in values):
            return sum(values, Decimal(0))
        return None


def by_township(rows, key: str = "area", value: str = "n") -> dict[str, Decimal]:
    return {row[key]: Decimal(row[value] or 0) for row in rows}


def _per_region(ctx: Context, numbers: dict[str, Decimal], make) -> dict[str, Figure]:
    """A figure per township (0 where absent) and the city's total."""
    result = {code: make(numbers.get(code, Decimal(0))) for code in ctx.codes}
    result[ctx.city.code] = make(sum(numbers.values(), Decimal(0)))
    return result


def _per_region_share(ctx: Context, numerators: dict, denominators: dict, scale: int = 100) -> dict[str, Figure]:
    result = {code: share(numerators.get(code, 0), denominators.get(code, 0), scale=scale) for code in ctx.codes}
    result[ctx.city.code] = share(sum(numerators.values(), 0), sum(denominators.values(), 0), scale=scale)
    return result


def operating(ctx: Context):
    return Institution.objects.filter(status=Institution.Status.OPERATING).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=ctx.day)
    )


def _new(ctx: Context):
    return operating(ctx).filter(opened_on__gte=ctx.baseline)


def _institutions_by_township(queryset) -> dict[str, Decimal]:
    rows = queryset.order_by().values(area=F("township__code")).annotate(n=Count("pk"))
    return by_township(rows)


def _slots_by_township(queryset) -> dict[str, Decimal]:
    rows = (
        ClassGroup.objects.filter(institution__in=queryset.values("pk"))
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Sum("places"))
    )
    return by_township(rows)


# --- Live computations ------------------------------------------------------------------------


def institutions(ctx):
    return _per_region(ctx, _institutions_by_township(operating(ctx)), count)


def new_institutions(ctx):
    return _per_region(ctx, _institutions_by_township(_new(ctx)), count)


def slots(ctx):
    return _per_region(ctx, _slots_by_township(operating(ctx)), count)


def new_slots(ctx):
    return _per_region(ctx, _slots_by_township(_new(ctx)), count)


def demonstration_institutions(ctx):
    return _per_region(ctx, _institutions_by_township(operating(ctx).filter(demonstration=True)), count)


def inclusive_share(ctx):
    return _per_region_share(
        ctx, _slots_by_township(operating(ctx).filter(inclusive=True)), _slots_by_township(operating(ctx))
    )


def slots_per_1000(ctx):
    """Slots per 1,000 residents: population from the approved periodic reports."""
    provided = _slots_by_township(operating(ctx))
    result = {}
    for code in [*ctx.codes, ctx.city.code]:
        population = ctx.report_figure(code, "population")
        places = provided.get(code, Decimal(0)) if code != ctx.city.code else sum(provided.values(), Decimal(0))
        result[code] = share(places, population, scale=1000) if population else Figure(None, places, None)
    return result


def residential_areas_meeting(ctx):
    """Share of residential areas whose planned slots reach the 9 (new) or 6 (old) per 1,000."""
    met, total = defaultdict(int), defaultdict(int)
    for area in ResidentialArea.objects.select_related("township").only(
        "kind", "population", "planned_slots", "township__code"
    ):
        required = slot_standard.required_slots(area, ctx.params)
        if required is None:
            continue
        total[area.township.code] += 1
        met[area.township.code] += area.planned_slots >= required
    return _per_region_share(ctx, met, total)


def community_coverage(ctx):
    """Share of villages and communities with at least one operating care institution."""
    covered = defaultdict(int)
    for village_code in operating(ctx).order_by().values_list("village__code", flat=True).distinct():
        covered[village_code[:TOWNSHIP_CODE_LENGTH]] += 1
    villages = by_township(
        Region.objects.filter(level=Region.Level.VILLAGE)
        .order_by()
        .values(area=F("parent__code"))
        .annotate(n=Count("pk"))
    )
    return _per_region_share(ctx, covered, villages)


def kindergarten_class_rate(ctx):
    """Kindergartens with a nursery class (operating kindergarten nursery classes) over all
    kindergartens (periodic report)."""
    classes = _institutions_by_township(
        operating(ctx).filter(provider_type=Institution.ProviderType.KINDERGARTEN_CLASS)
    )
    return _report_share(ctx, classes, "kindergartens")


def enrolment_rate(ctx):
    """Children enrolled in operating institutions over children under 3 (periodic report)."""
    rows = (
        ClassGroup.objects.filter(institution__in=operating(ctx).values("pk"))
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Sum("enrolled"))
    )
    return _report_share(ctx, by_township(rows), "children_under_3")


def _report_share(ctx: Context, numerators: dict[str, Decimal], figure: str) -> dict[str, Figure]:
    result = {}
    for code in ctx.codes:
        result[code] = share(numerators.get(code, Decimal(0)), ctx.report_figure(code, figure))
    result[ctx.city.code] = share(sum(numerators.values(), Decimal(0)), ctx.report_figure(ctx.city.code, figure))
    return result


def certification_rate(ctx):
    from training.models import StaffMember
    from training.selectors import certification_rates

    rates = certification_rates(StaffMember.objects.all(), by="institution__township__code", day=ctx.day)
    certified = {code: Decimal(rate.certified) for code, rate in rates.items()}
    caregivers = {code: Decimal(rate.total) for code, rate in rates.items()}
    return _per_region_share(ctx, certified, caregivers)


def _trained(ctx: Context, kinds) -> dict[str, Decimal]:
    from training.selectors import trained

    rows = (
        trained(kinds)
        .filter(completed_on__lte=ctx.day)
        .order_by()
        .values(area=F("township__code"))
        .annotate(n=Count("pk"))
    )
    return {code: value for code, value in by_township(rows).items() if code}


def trainers_trained(ctx):
    from training.models import TrainingProgramme

    numbers = _trained(ctx, TrainingProgramme.TRAINER_KINDS)
    return _per_region(ctx, numbers, count)


def village_instructors_trained(ctx):
    from training.models import TrainingProgramme

    return _per_region(ctx, _trained(ctx, [TrainingProgramme.Kind.VILLAGE_INSTRUCTOR]), count)


def village_coverage(ctx):
    from training.selectors import village_coverage as coverage

    rows = coverage()
    covered = {row.township.code: Decimal(row.covered) for row in rows}
    villages = {row.township.code: Decimal(row.villages) for row in rows}
    return _per_region_share(ctx, covered, villages)


def guidance_coverage(ctx):
    """Share of villages and communities covered by a guidance site."""
    covered_codes = set(
        GuidanceSite.objects.order_by().values_list("covered_villages__code", flat=True).exclude(covered_villages=None)
    )
    covered = defaultdict(int)
    for code in covered_codes:
        covered[code[:TOWNSHIP_CODE_LENGTH]] += 1
    villages = by_township(
        Region.objects.filter(level=Region.Level.VILLAGE)
        .order_by()
        .values(area=F("parent__code"))
        .annotate(n=Count("pk"))
    )
    return _per_region_share(ctx, covered, villages)


def filing_on_time(ctx):
    """Filings decided this year within the working-day limit, over filings decided this year
    and filings still waiting past the limit: a filing nobody decides is late too. The late
    ones are exactly the filing list's ``late`` filter (the same condition)."""
    from registry.selectors.filings import filing_late_condition, filing_overdue_condition

    decided = Q(
        status__in=Filing.DECIDED_STATUSES, decided_at__year=ctx.day.year, decided_at__date__lte=ctx.day,
        due_on__isnull=False,
    )  # fmt: skip
    waiting = filing_overdue_condition(today=ctx.day)
    rows = (
        Filing.objects.filter(decided | waiting)
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Count("pk"), late=Count("pk", filter=filing_late_condition(day=ctx.day)))
    )
    total = {row["area"]: row["n"] for row in rows}
    on_time = {row["area"]: row["n"] - row["late"] for row in rows}
    return _per_region_share(ctx, on_time, total)


def review_pass_rate(ctx):
    """Reviews of the latest cycle up to this year decided pass, over those decided."""
    from inspections.models import AnnualReview, ReviewCycle

    cycle = ReviewCycle.objects.filter(year__lte=ctx.day.year).order_by("-year").first()
    if cycle is None:
        return {code: Figure(None) for code in [*ctx.codes, ctx.city.code]}
    rows = (
        AnnualReview.objects.filter(cycle=cycle)
        .exclude(result="")
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(result="pass")))
    )
    passed = {row["area"]: row["passed"] for row in rows}
    decided = {row["area"]: row["n"] for row in rows}
    return _per_region_share(ctx, passed, decided)


def overdue_rectifications(ctx):
    from inspections.models import RectificationOrder
    from inspections.selectors.enforcement import order_overdue_condition

    rows = (
        RectificationOrder.objects.filter(order_overdue_condition(today=ctx.day))
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Count("pk"))
    )
    return _per_region(ctx, by_township(rows), count)


def incidents_per_1000_slots(ctx):
    """Incidents the institutions reported as happening this year, per 1,000 slots of the
    operating institutions (daily supervision)."""
    from supervision.models import Incident

    rows = (
        Incident.objects.filter(occurred_at__date__gte=date(ctx.day.year, 1, 1), occurred_at__date__lte=ctx.day)
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Count("pk"))
    )
    return _per_region_share(ctx, by_township(rows), _slots_by_township(operating(ctx)), scale=1000)


def _complaints_this_year(ctx: Context):
    from supervision.models import Complaint

    return Complaint.objects.filter(
        submitted_at__date__gte=date(ctx.day.year, 1, 1), submitted_at__date__lte=ctx.day
    ).order_by()


def complaints_received(ctx):
    """Complaints received this year, by the township they concern (daily supervision)."""
    rows = _complaints_this_year(ctx).values(area=F("township__code")).annotate(n=Count("pk"))
    return _per_region(ctx, by_township(rows), count)


def complaints_by_category(ctx) -> dict[str, dict[str, dict[str, int]]]:
    """This year's complaints received and substantiated, by category, for each township and
    the city (one grouped query): {region code: {category: {"received": n, "substantiated": m}}}.
    Not an indicator (no target, no trend): the table behind ``complaints_received``."""
    from supervision.models import Complaint

    rows = (
        _complaints_this_year(ctx)
        .values("category", area=F("township__code"))
        .annotate(received=Count("pk"), substantiated=Count("pk", filter=Q(outcome=Complaint.Outcome.SUBSTANTIATED)))
    )
    result: dict[str, dict[str, dict[str, int]]] = {code: {} for code in [*ctx.codes, ctx.city.code]}
    for row in rows:
        for code in (row["area"], ctx.city.code):
            if code not in result:
                continue
            cell = result[code].setdefault(row["category"], {"received": 0, "substantiated": 0})
            cell["received"] += row["received"]
            cell["substantiated"] += row["substantiated"]
    return result


def complaints_concluded_on_time(ctx):
    """Of this year's complaints concluded so far, the share concluded by their deadline."""
    from supervision.models import Complaint

    rows = (
        _complaints_this_year(ctx)
        .filter(status=Complaint.Status.CONCLUDED)
        .values(area=F("township__code"))
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(concluded_at__date__lte=F("conclude_due"))))
    )
    on_time = {row["area"]: row["on_time"] for row in rows}
    concluded = {row["area"]: row["n"] for row in rows}
    return _per_region_share(ctx, on_time, concluded)


def high_risk_institutions(ctx):
    """Operating institutions in the high risk band (the bureau's override before the computed
    band), by township."""
    from django.db.models.functions import Coalesce, NullIf

    from supervision.models import RiskBand, RiskScore

    rows = (
        RiskScore.objects.filter(institution__in=operating(ctx).values("pk"))
        .annotate(band=Coalesce(NullIf("override_band", Value("")), "computed_band"))
        .filter(band=RiskBand.HIGH)
        .order_by()
        .values(area=F("institution__township__code"))
        .annotate(n=Count("pk"))
    )
    return _per_region(ctx, by_township(rows), count)


def spot_check_coverage(ctx):
    """Share of operating institutions with a random spot check concluded this year."""
    from supervision.models import SpotCheckTask

    checked = (
        SpotCheckTask.objects.filter(
            status=SpotCheckTask.Status.CONCLUDED,
            finding__inspected_on__gte=date(ctx.day.year, 1, 1),
            finding__inspected_on__lte=ctx.day,
            institution__in=operating(ctx).values("pk"),
        )
        .order_by()
        .values(township_code=F("institution__township__code"))
        .annotate(n=Count("institution", distinct=True))
    )
    # ``township_code``, not ``area``: a task has an area (fire, food…) of its own.
    return _per_region_share(ctx, by_township(checked, key="township_code"), _institutions_by_township(operating(ctx)))


LIVE = {
    function.__name__: function
    for function in (
        institutions, new_institutions, slots, new_slots, demonstration_institutions, inclusive_share,
        slots_per_1000, residential_areas_meeting, community_coverage, kindergarten_class_rate, enrolment_rate,
        certification_rate, trainers_trained, village_instructors_trained, village_coverage, guidance_coverage,
        filing_on_time, review_pass_rate, overdue_rectifications, incidents_per_1000_slots,
        complaints_received, complaints_concluded_on_time, high_risk_institutions, spot_check_coverage,
    )
}  # fmt: skip


def from_reports(ctx: Context, numerator: str, denominator: str) -> dict[str, Figure]:
    result = {}
    for code in [*ctx.codes, ctx.city.code]:
        top = ctx.report_figure(code, numerator)
        if denominator:
            result[code] = share(top, ctx.report_figure(code, denominator))
        else:
            result[code] = count(top)
    return result


def load_context(day: date) -> Context:
    from dashboard.models import PeriodicReport

    city = Region.objects.get(level=Region.Level.CITY)
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"))
    reports = {}
    approved = (
        PeriodicReport.objects.filter(status=PeriodicReport.Status.APPROVED, year__lte=day.year)
        .select_related("region")
        .order_by("region__code", "year")
    )
    for report in approved:  # later years replace earlier ones
        reports[report.region.code] = {
            key: Decimal(str(value)) for key, value in report.figures.items() if value is not None
        }
    return Context(day=day, city=city, townships=townships, params=parameters.load(), reports=reports)
