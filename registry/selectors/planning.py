"""Residential areas and their care slots, the guidance network and pricing guidance (the
slots standard is ``registry/slots.py``; who may change what is ``registry/rules.py``)."""

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts import policy
from accounts.models import Region, User
from registry import rules, slots
from registry.models import FeeSchedule, GuidanceActivity, GuidanceSite, Institution, PricingGuidance, ResidentialArea


def residential_area_list(*, actor: User, township: str = "") -> QuerySet:
    queryset = ResidentialArea.objects.visible_to(actor).select_related("township", "village")
    return queryset.filter(township__code=township) if township else queryset


def residential_area_get(*, actor: User, pk: int) -> ResidentialArea:
    return policy.get_visible_or_404(actor, ResidentialArea.objects.select_related("township", "village"), pk=pk)


def guidance_site_list(*, actor: User, level: str = "") -> QuerySet:
    queryset = (
        GuidanceSite.objects.visible_to(actor)
        .select_related("region")
        .annotate(villages_covered=Count("covered_villages"))
    )
    return queryset.filter(level=level) if level else queryset


def guidance_site_township_choices(*, actor: User) -> list[Region]:
    """The townships holding a guidance site the actor sees (a station's, or a village point's
    township), for the network's township filter."""
    sites = GuidanceSite.objects.visible_to(actor).order_by()
    return list(
        Region.objects.filter(level=Region.Level.TOWNSHIP)
        .filter(Q(pk__in=sites.values("region")) | Q(pk__in=sites.values("region__parent")))
        .order_by("code")
    )


def guidance_site_township_condition(code: str) -> Q:
    """Sites of a township: its station and the points of its villages."""
    return Q(region__code=code) | Q(region__parent__code=code)


def guidance_site_get(*, actor: User, pk: int) -> GuidanceSite:
    queryset = GuidanceSite.objects.select_related("region").prefetch_related("covered_villages")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def guidance_activity_list(*, actor: User, site: GuidanceSite, limit: int = 100) -> list[GuidanceActivity]:
    """The site's latest activities (a page shows the most recent ``limit``)."""
    return list(GuidanceActivity.objects.visible_to(actor).filter(site=site)[:limit])


def pricing_guidance_list(*, actor: User) -> QuerySet:
    return PricingGuidance.objects.visible_to(actor)


def _within(codes: list[str]) -> Q:
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(code__startswith=code)
    return condition


def residential_area_township_choices(*, actor: User) -> QuerySet:
    """The townships a user may filter residential areas by: those in their sight."""
    return policy.regions_visible_to(actor).filter(level=Region.Level.TOWNSHIP).order_by("code")


def residential_area_villages(*, actor: User) -> QuerySet:
    """The villages where the user may record residential areas (a form's choices)."""
    codes = rules.planning_territory_codes(actor)
    return (
        policy.regions_visible_to(actor)
        .filter(_within(codes), level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )


def residential_area_rows(*, actor: User, areas, params: dict) -> list[ResidentialArea]:
    """The areas (already loaded, e.g. one page) with their required slots, gap, whether they
    are short, and whether the user may change them; no further query."""
    rows = list(areas)
    for area in rows:
        area.required_slots = slots.required_slots(area, params)
        area.gap = slots.slot_gap(area, params)
        area.short = area.gap is not None and area.gap > 0
        area.can_change = rules.can_change_residential_area(actor, area)
    return rows


def residential_area_summary(
    *, actor: User, township: str = "", params: dict | None = None, areas: QuerySet | None = None
) -> dict:
    """Totals per township of the areas in the user's sight (or of ``areas``, the list's
    filtered rows): areas, population, required and planned slots, gap, areas short. One
    query; the sums are made here so that each area's required slots are rounded up as the
    standard asks (a sum of ceilings)."""
    params = slots.slot_parameters() if params is None else params
    rows = (
        (residential_area_list(actor=actor, township=township) if areas is None else areas)
        .order_by()
        .values_list("township__code", "township__name", "kind", "population", "planned_slots")
    )

    def blank(code: str, name: str) -> dict:
        return {"code": code, "name": name, "areas": 0, "population": 0, "required": 0, "planned": 0,
                "gap": 0, "areas_short": 0, "complete": True}  # fmt: skip

    townships: dict[str, dict] = {}
    total = blank("", "")
    for code, name, kind, population, planned in rows:
        required = slots.slots_required(population=population, kind=kind, params=params)
        for entry in (townships.setdefault(code, blank(code, name)), total):
            entry["areas"] += 1
            entry["population"] += population
            entry["planned"] += planned
            if required is None:
                entry["complete"] = False
                continue
            entry["required"] += required
            entry["areas_short"] += required > planned
    for entry in (*townships.values(), total):
        entry["gap"] = entry["required"] - entry["planned"]
        entry["short"] = entry["gap"] > 0
    return {"townships": [townships[code] for code in sorted(townships)], "total": total}


_GUIDANCE_LEVEL_RANK = Case(
    *[When(level=value, then=Value(rank)) for rank, value in enumerate(GuidanceSite.Level.values)],
    output_field=IntegerField(),
)


def guidance_site_network(*, actor: User, level: str = "", with_villages: bool = False) -> QuerySet:
    """The guidance sites in network order (city centre, stations, points, early development
    centres), with the number of villages each covers."""
    queryset = (
        guidance_site_list(actor=actor, level=level)
        .select_related("region__parent")
        .order_by(_GUIDANCE_LEVEL_RANK, "region__code", "name")
    )
    if with_villages:
        queryset = queryset.prefetch_related("covered_villages")
    return queryset


def guidance_site_level_counts(*, actor: User) -> list[tuple[str, str, int]]:
    """(level, label, number of sites) for each level of the network, in network order."""
    counts = dict(
        GuidanceSite.objects.visible_to(actor)
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in GuidanceSite.Level.choices]


def guidance_site_regions(*, actor: User) -> QuerySet:
    """The city, townships and villages where the user may set up guidance sites."""
    codes = rules.guidance_territory_codes(actor)
    return policy.regions_visible_to(actor).filter(_within(codes)).select_related("parent").order_by("code")


def guidance_site_villages(*, actor: User) -> QuerySet:
    """The villages a site the user sets up may cover."""
    return guidance_site_regions(actor=actor).filter(level=Region.Level.VILLAGE)


def inclusive_fee_comparison(*, actor: User, on=None) -> dict:
    """The guide prices, and each inclusive (普惠) institution in the user's sight with its
    full-day monthly fee in force against the full-day guide price in force; those above it
    first. An institution's fee in force is the latest one (per age band) from on or before
    the day; with several age bands, the highest counts. Three queries whatever the size."""
    on = on or timezone.localdate()
    guides = list(pricing_guidance_list(actor=actor))
    in_force = guides_in_force(guides, on)
    current = {guide.pk for guide in in_force.values()}
    for guide in guides:
        guide.state = "in_force" if guide.pk in current else "future" if guide.effective_from > on else "past"
    full_day = in_force.get((FeeSchedule.ServiceMode.FULL_DAY, FeeSchedule.Unit.MONTH))
    rows = inclusive_fee_rows(Institution.objects.visible_to(actor), full_day, on)
    modes = list(FeeSchedule.ServiceMode.values)
    return {
        "on": on,
        "guides": guides,
        "in_force": sorted(in_force.values(), key=lambda g: (modes.index(g.service_mode), g.unit)),
        "full_day_guide": full_day,
        "rows": rows,
        "above_count": sum(row["above"] for row in rows),
    }


def guides_in_force(guides, on) -> dict[tuple[str, str], PricingGuidance]:
    """(service mode, unit) → the guide price in force on the day: the latest from on or before it."""
    in_force: dict[tuple[str, str], PricingGuidance] = {}
    for guide in sorted(guides, key=lambda g: g.effective_from, reverse=True):
        if guide.effective_from <= on:
            in_force.setdefault((guide.service_mode, guide.unit), guide)
    return in_force


def inclusive_fee_rows(institutions: QuerySet, full_day: PricingGuidance | None, on) -> list[dict]:
    """Each inclusive institution in service among ``institutions`` with its full-day monthly
    fee in force against ``full_day`` (the guide price): above it first, then by township and
    name. Two queries. The pricing page passes the user's sight; the fee reminder
    (``registry.reminders``) every institution."""
    current_fees = FeeSchedule.objects.filter(
        service_mode=FeeSchedule.ServiceMode.FULL_DAY, unit=FeeSchedule.Unit.MONTH, effective_from__lte=on
    ).order_by("age_band", "-effective_from", "-id")
    institutions = (
        institutions.filter(inclusive=True)
        .exclude(status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED])
        .select_related("township")
        .prefetch_related(Prefetch("fees", queryset=current_fees, to_attr="full_day_fees"))
        .order_by("township__code", "name")
    )
    rows = []
    for institution in institutions:
        latest: dict[str, FeeSchedule] = {}
        for fee in institution.full_day_fees:
            latest.setdefault(fee.age_band, fee)
        fee = max(latest.values(), key=lambda f: f.amount, default=None)
        above = full_day is not None and fee is not None and fee.amount > full_day.max_amount
        rows.append({"institution": institution, "fee": fee, "above": above,
                     "excess": fee.amount - full_day.max_amount if above else None})  # fmt: skip
    rows.sort(key=lambda row: not row["above"])  # stable: above the guide price first, then by township
    return rows
