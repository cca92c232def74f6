"""Reads of the registry that leave it: keyword-only, actor required, scoped by the policy."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from accounts import policy
from accounts.models import Region, User
from registry import parameters, rules, standards
from registry.models import (
    CalendarDay,
    ClassGroup,
    FeeSchedule,
    Filing,
    FilingAttachment,
    GuidanceSite,
    ImportJob,
    Institution,
    Parameter,
    PricingGuidance,
    Registration,
    ResidentialArea,
)
from registry.services import planning


def institution_list(
    *,
    actor: User,
    township: str = "",
    status: str = "",
    filing_status: str = "",
    provider_type: str = "",
    inclusive: bool | None = None,
    demonstration: bool | None = None,
    text: str = "",
) -> QuerySet:
    queryset = (
        Institution.objects.visible_to(actor)
        .select_related("township", "village")
        .annotate(slots=Sum("class_groups__places"), enrolled=Sum("class_groups__enrolled"))
    )
    if township:
        queryset = queryset.filter(township__code=township)
    if status:
        queryset = queryset.filter(status=status)
    if filing_status:
        queryset = queryset.filter(filing_status=filing_status)
    if provider_type:
        queryset = queryset.filter(provider_type=provider_type)
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    if demonstration is not None:
        queryset = queryset.filter(demonstration=demonstration)
    if text:
        queryset = queryset.filter(
            Q(name__icontains=text) | Q(credit_code__icontains=text) | Q(address__icontains=text)
        )
    return queryset.order_by("township__code", "name", "pk")


def institution_get(*, actor: User, pk: int) -> Institution:
    queryset = Institution.objects.select_related("township", "village", "organisation").prefetch_related(
        "class_groups",
        Prefetch("registrations", queryset=Registration.objects.select_related("authority")),
        "fees",
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def institution_for_member(*, actor: User) -> Institution | None:
    """The institution the user acts for, if any (an institution's own staff)."""
    own = [org.pk for org in policy.organisations_of(actor)]
    return Institution.objects.filter(organisation__in=own).select_related("township", "village").first()


def class_group_get(*, actor: User, pk: int) -> ClassGroup:
    return policy.get_visible_or_404(actor, ClassGroup.objects.select_related("institution__organisation"), pk=pk)


def registration_list(*, actor: User, status: str = "", legal_form: str = "", text: str = "") -> QuerySet:
    queryset = Registration.objects.visible_to(actor).select_related("institution__township", "authority")
    if legal_form:
        queryset = queryset.filter(legal_form=legal_form)
    if text:
        queryset = queryset.filter(
            Q(institution__name__icontains=text)
            | Q(institution__credit_code__icontains=text)
            | Q(certificate_number__icontains=text)
        )
    return queryset.filter(status=status) if status else queryset


def registration_get(*, actor: User, pk: int) -> Registration:
    queryset = Registration.objects.select_related("institution__organisation", "authority")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def unfiled_registered_institutions(*, actor: User) -> QuerySet:
    """Registered institutions without a filing after the set number of days (the health
    bureau's queue). "Without a filing" means none begun at all: a draft, returned or rejected
    filing is followed in the filing list instead."""
    days = int(parameters.get("filing.unfiled_alert_days", 30))
    cutoff = timezone.localdate() - timedelta(days=days)
    return (
        Institution.objects.visible_to(actor)
        .filter(
            filing_status=Institution.FilingStatus.NOT_FILED,
            registrations__status=Registration.Status.ACTIVE,
            registrations__registered_on__lte=cutoff,
        )
        .filter(~Exists(Filing.objects.filter(institution=OuterRef("pk"))))
        .select_related("township")
        .distinct()
    )


def filing_list(*, actor: User, status: str = "", overdue: bool = False, institution: Institution | None = None):
    queryset = Filing.objects.visible_to(actor).select_related("institution__township", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status=Filing.Status.SUBMITTED, due_on__lt=timezone.localdate())
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    return queryset


def filing_queue(*, actor: User, status: str = "", overdue: bool = False, text: str = "") -> QuerySet:
    """The filing list page and API: ``filing_list`` with a search on the institution's name,
    filings waiting for review first (the one due soonest on top), then the newest."""
    queryset = filing_list(actor=actor, status=status, overdue=overdue)
    if text:
        queryset = queryset.filter(institution__name__icontains=text)
    waiting = Q(status=Filing.Status.SUBMITTED)
    return queryset.annotate(
        queue_rank=Case(When(waiting, then=Value(0)), default=Value(1), output_field=IntegerField()),
        queue_due=Case(When(waiting, then=F("due_on")), default=None, output_field=DateField()),
    ).order_by("queue_rank", "queue_due", "-created_at", "-id")


def filing_open_for(*, actor: User, institution: Institution) -> Filing | None:
    """The institution's filing still in progress (draft, submitted or returned), if any."""
    return filing_list(actor=actor, institution=institution).filter(status__in=Filing.OPEN_STATUSES).first()


def filing_class_groups(*, actor: User, filing: Filing) -> list[ClassGroup]:
    """The class groups of the filing's institution, for the standards warnings on the filing."""
    return list(ClassGroup.objects.visible_to(actor).filter(institution_id=filing.institution_id))


def filing_get(*, actor: User, pk: int) -> Filing:
    queryset = Filing.objects.select_related(
        "institution__township", "institution__village", "institution__organisation", "decided_by"
    ).prefetch_related(Prefetch("attachments", queryset=FilingAttachment.objects.select_related("uploaded_by")))
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def attachment_get(*, actor: User, pk: int) -> FilingAttachment:
    return policy.get_visible_or_404(
        actor, FilingAttachment.objects.select_related("filing__institution__organisation"), pk=pk
    )


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


def guidance_site_get(*, actor: User, pk: int) -> GuidanceSite:
    queryset = GuidanceSite.objects.select_related("region").prefetch_related("covered_villages")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def fee_list(*, actor: User, institution: Institution) -> QuerySet:
    return FeeSchedule.objects.visible_to(actor).filter(institution=institution)


def pricing_guidance_list(*, actor: User) -> QuerySet:
    return PricingGuidance.objects.visible_to(actor)


def import_job_list(*, actor: User) -> QuerySet:
    return ImportJob.objects.visible_to(actor).select_related("created_by")


def import_job_get(*, actor: User, pk: int) -> ImportJob:
    return policy.get_visible_or_404(actor, ImportJob.objects.all(), pk=pk)


def parameter_list(*, actor: User) -> QuerySet:
    """Standards and limits; shown to holders of ``targets.manage``, who may change them."""
    policy.require_duty(actor, "targets.manage")
    return Parameter.objects.all()


def calendar_day_list(*, actor: User, year: int) -> QuerySet:
    policy.require_duty(actor, "targets.manage")
    return CalendarDay.objects.filter(date__year=year)


# --- Institution pages, exports and API (registry/views/institutions.py) ---------------------


def institution_township_choices(*, actor: User) -> list[Region]:
    """The townships a user may filter institutions by: those inside the regions the user sees
    and those holding an institution the user sees (an institution's staff see their own)."""
    return list(
        Region.objects.filter(level=Region.Level.TOWNSHIP)
        .filter(
            Q(pk__in=policy.regions_visible_to(actor).values("pk"))
            | Q(pk__in=Institution.objects.visible_to(actor).values("township"))
        )
        .order_by("code")
    )


@dataclass(frozen=True)
class InstitutionOverview:
    """Everything the institution page shows, read once."""

    institution: Institution
    class_groups: list[ClassGroup]
    warnings: list[standards.Warning]
    filings: list[Filing]
    can_edit: bool
    is_own: bool
    shows_contact_phone: bool

    @property
    def contact_phone(self) -> str:
        institution = self.institution
        return institution.contact_phone if self.shows_contact_phone else institution.contact_phone_masked

    @property
    def places(self) -> int:
        return sum(group.places for group in self.class_groups)

    @property
    def enrolled(self) -> int:
        return sum(group.enrolled for group in self.class_groups)

    @property
    def caregivers(self) -> int:
        return sum(group.caregivers for group in self.class_groups)


def institution_overview(*, actor: User, pk: int) -> InstitutionOverview:
    """One institution with its class groups, the standards warnings, and the filings the user
    may read (filing papers follow their own rule, policy rule 12)."""
    institution = institution_get(actor=actor, pk=pk)
    groups = list(institution.class_groups.all())
    return InstitutionOverview(
        institution=institution,
        class_groups=groups,
        warnings=standards.institution_warnings(institution, groups, parameters.load()),
        filings=list(filing_list(actor=actor, institution=institution)),
        can_edit=rules.can_edit_institution(actor=actor, institution=institution),
        is_own=rules.is_institution_member(actor=actor, institution=institution),
        shows_contact_phone=rules.can_see_contact_phone(actor=actor, institution=institution),
    )


def class_group_warnings(*, group: ClassGroup) -> list[standards.Warning]:
    """The standards warnings of one class group already in hand (the service that saved it
    checked the actor); shown to the institution right after saving, never a refusal."""
    return standards.class_group_warnings(
        group, parameters.load(), family_care_point=group.institution.is_family_care_point
    )


# --- The public registry ----------------------------------------------------------------------
#
# The public selectors take no actor on purpose: the public registry answers every visitor,
# logged in or not, the same way, and shows only what is public by nature — the public fields of
# institutions whose filing the health bureau accepted and that are operating. They never return
# model instances (which would reach every field and relation) but ``PublicInstitution`` values
# holding the public fields only; a family care point is someone's home, so it shows its
# township and never its street address or village.

_PUBLIC_FIELDS = (
    "id", "name", "provider_type", "inclusive", "demonstration", "township", "address", "full_day", "half_day",
    "hourly", "temporary", "meals_served", "opened_on", "status", "filing_status", "filing_number",
)  # fmt: skip


@dataclass(frozen=True)
class PublicFee:
    service_mode: str
    age_band: str
    amount: Decimal
    unit: str
    meal_fee: Decimal
    effective_from: date


@dataclass(frozen=True)
class PublicClassBand:
    age_band: str
    age_band_label: str
    places: int


@dataclass(frozen=True)
class PublicInstitution:
    pk: int
    name: str
    provider_type: str
    provider_type_label: str
    inclusive: bool
    demonstration: bool
    township_code: str
    township: str
    # "" for a family care point: its address is private.
    address: str
    service_modes: list[str]
    meals_served: bool
    opened_on: date | None
    slots: int
    bands: list[PublicClassBand]
    fees: list[PublicFee]
    filing_status: str
    filing_status_label: str
    filing_number: str
    # The last annual review result; None until the annual review exists (inspections).
    last_review_result: str | None = None

    @classmethod
    def of(cls, institution: Institution) -> "PublicInstitution":
        groups = list(institution.class_groups.all())
        bands = {}
        for group in groups:
            bands[group.age_band] = bands.get(group.age_band, 0) + group.places
        labels = dict(ClassGroup.AgeBand.choices)
        return cls(
            pk=institution.pk,
            name=institution.name,
            provider_type=institution.provider_type,
            provider_type_label=str(institution.get_provider_type_display()),
            inclusive=institution.inclusive,
            demonstration=institution.demonstration,
            township_code=institution.township.code,
            township=institution.township.name,
            address="" if institution.is_family_care_point else institution.address,
            service_modes=institution.service_modes,
            meals_served=institution.meals_served,
            opened_on=institution.opened_on,
            slots=sum(group.places for group in groups),
            bands=[
                PublicClassBand(band, str(labels[band]), places)
                for band, places in sorted(bands.items(), key=lambda item: list(labels).index(item[0]))
            ],
            fees=[
                PublicFee(
                    service_mode=str(fee.get_service_mode_display()),
                    age_band=str(fee.get_age_band_display()) if fee.age_band else "",
                    amount=fee.amount,
                    unit=str(fee.get_unit_display()),
                    meal_fee=fee.meal_fee,
                    effective_from=fee.effective_from,
                )
                for fee in institution.fees.all()
            ],
            filing_status=institution.filing_status,
            filing_status_label=str(institution.get_filing_status_display()),
            filing_number=institution.filing_number,
        )


class PublicRows:
    """Public institutions, read a page at a time: Django's and DRF's paginators count and slice
    it like a queryset, and each slice is turned into ``PublicInstitution`` values."""

    def __init__(self, queryset: QuerySet):
        self._queryset = queryset

    def count(self) -> int:
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [PublicInstitution.of(institution) for institution in self._queryset[index]]
        return PublicInstitution.of(self._queryset[index])

    def __iter__(self):
        return (PublicInstitution.of(institution) for institution in self._queryset)


def _public_institutions() -> QuerySet:
    return (
        Institution.objects.filter(filing_status=Institution.FilingStatus.FILED, status=Institution.Status.OPERATING)
        .select_related("township")
        .only(*_PUBLIC_FIELDS, "township__code", "township__name")
        .prefetch_related(
            Prefetch("class_groups", queryset=ClassGroup.objects.only("id", "institution_id", "age_band", "places")),
            Prefetch("fees", queryset=FeeSchedule.objects.order_by("service_mode", "age_band", "-effective_from")),
        )
    )


def public_township_choices() -> list[Region]:
    """Every township: the public search offers them all (no actor, see above)."""
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"))


def public_institution_list(
    *, township: str = "", provider_type: str = "", age_band: str = "", inclusive: bool | None = None, text: str = ""
) -> PublicRows:
    """Filed, operating institutions for the public search. ``text`` matches names only: a
    search on addresses would find family care points by their street."""
    queryset = _public_institutions()
    if township:
        queryset = queryset.filter(township__code=township)
    if provider_type:
        queryset = queryset.filter(provider_type=provider_type)
    if age_band:
        queryset = queryset.filter(
            Exists(ClassGroup.objects.filter(institution=OuterRef("pk"), age_band=age_band, places__gt=0))
        )
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    if text:
        queryset = queryset.filter(name__icontains=text)
    return PublicRows(queryset.order_by("township__code", "name", "pk"))


def public_institution_get(pk: int) -> PublicInstitution:
    """One filed, operating institution's public record; anything else is 404."""
    institution = _public_institutions().filter(pk=pk).first()
    if institution is None:
        raise Http404
    return PublicInstitution.of(institution)


# --- Residential areas and slots, the guidance network, fees and pricing guidance ----------
# (the rules they apply live in registry/services/planning.py)


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
        area.required_slots = planning.required_slots(area, params)
        area.gap = planning.slot_gap(area, params)
        area.short = area.gap is not None and area.gap > 0
        area.can_change = rules.can_change_residential_area(actor, area)
    return rows


def residential_area_summary(*, actor: User, township: str = "", params: dict | None = None) -> dict:
    """Totals per township of the areas in the user's sight: areas, population, required and
    planned slots, gap, areas short. One query; the sums are made here so that each area's
    required slots are rounded up as the standard asks (a sum of ceilings)."""
    params = planning.slot_parameters() if params is None else params
    rows = (
        residential_area_list(actor=actor, township=township)
        .order_by()
        .values_list("township__code", "township__name", "kind", "population", "planned_slots")
    )

    def blank(code: str, name: str) -> dict:
        return {"code": code, "name": name, "areas": 0, "population": 0, "required": 0, "planned": 0,
                "gap": 0, "areas_short": 0, "complete": True}  # fmt: skip

    townships: dict[str, dict] = {}
    total = blank("", "")
    for code, name, kind, population, planned in rows:
        required = planning.slots_required(population=population, kind=kind, params=params)
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


def fee_institution_get(*, actor: User, pk: int) -> Institution:
    """An institution whose fees are read or kept (out of sight: 404)."""
    return policy.get_visible_or_404(actor, Institution.objects.select_related("organisation", "township"), pk=pk)


def fee_get(*, actor: User, pk: int) -> FeeSchedule:
    return policy.get_visible_or_404(actor, FeeSchedule.objects.select_related("institution__organisation"), pk=pk)


def inclusive_fee_comparison(*, actor: User, on=None) -> dict:
    """The guide prices, and each inclusive (普惠) institution in the user's sight with its
    full-day monthly fee in force against the full-day guide price in force; those above it
    first. An institution's fee in force is the latest one (per age band) from on or before
    the day; with several age bands, the highest counts. Three queries whatever the size."""
    on = on or timezone.localdate()
    guides = list(pricing_guidance_list(actor=actor))
    in_force: dict[tuple[str, str], PricingGuidance] = {}
    for guide in sorted(guides, key=lambda g: g.effective_from, reverse=True):
        if guide.effective_from <= on:
            in_force.setdefault((guide.service_mode, guide.unit), guide)
    current = {guide.pk for guide in in_force.values()}
    for guide in guides:
        guide.state = "in_force" if guide.pk in current else "future" if guide.effective_from > on else "past"
    full_day = in_force.get((FeeSchedule.ServiceMode.FULL_DAY, FeeSchedule.Unit.MONTH))
    current_fees = FeeSchedule.objects.filter(
        service_mode=FeeSchedule.ServiceMode.FULL_DAY, unit=FeeSchedule.Unit.MONTH, effective_from__lte=on
    ).order_by("age_band", "-effective_from", "-id")
    institutions = (
        Institution.objects.visible_to(actor)
        .filter(inclusive=True)
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
    modes = list(FeeSchedule.ServiceMode.values)
    return {
        "on": on,
        "guides": guides,
        "in_force": sorted(in_force.values(), key=lambda g: (modes.index(g.service_mode), g.unit)),
        "full_day_guide": full_day,
        "rows": rows,
        "above_count": sum(row["above"] for row in rows),
    }


# --- Registrations, the unfiled queue and imports (registry/views/registrations.py, imports.py) -


def registration_find(*, actor: User, authority, credit_code: str, certificate_number: str) -> Registration | None:
    """The registration this authority already holds for (credit code, certificate number): what
    makes a repeated push from an authority's system answer with the first one."""
    return (
        Registration.objects.visible_to(actor)
        .filter(
            authority=authority,
            institution__credit_code=credit_code.strip().upper(),
            certificate_number=certificate_number.strip(),
        )
        .select_related("institution__township", "authority")
        .order_by("-id")
        .first()
    )


def unfiled_alert_days() -> int:
    """Days after registration by which an institution should have filed (a parameter the
    health bureau sets; public reference figure)."""
    return int(parameters.get("filing.unfiled_alert_days", 30))


def unfiled_institution_list(*, actor: User, township: str = "") -> QuerySet:
    """The unfiled queue page: ``unfiled_registered_institutions`` with the date of the active
    registration, longest waiting first."""
    queryset = unfiled_registered_institutions(actor=actor).annotate(registered_on=Max("registrations__registered_on"))
    if township:
        queryset = queryset.filter(township__code=township)
    return queryset.order_by("registered_on", "name")


def village_list(*, actor: User) -> QuerySet:
    """Villages and communities inside the regions the user sees, with their township, in code
    order (a department sees the whole city, a township its own villages)."""
    return (
        policy.regions_visible_to(actor, Region.objects.filter(level=Region.Level.VILLAGE))
        .select_related("parent")
        .order_by("code")
    )


def township_list(*, actor: User) -> QuerySet:
    return policy.regions_visible_to(actor, Region.objects.filter(level=Region.Level.TOWNSHIP)).order_by("code")


def regions_by_code(*, actor: User, codes) -> dict[str, Region]:
    """Regions by statistical code, whoever asks: the division codes are public reference data,
    so an import can tell "no such code" from "outside your territory" (the caller judges the
    territory)."""
    codes = {str(code) for code in codes if code}
    return {region.code: region for region in Region.objects.filter(code__in=codes).select_related("parent")}


def institutions_by_credit_code(*, actor: User, codes) -> dict[str, Institution]:
    """Institutions already in the registry under these credit codes, whoever holds them, with
    whether they have an active registration (``has_active_registration``). Used to check import
    rows before anything is written: a credit code is unique across the registry, so an import
    must learn that a code is taken even when the institution is out of the importer's sight;
    only the institution's name and legal form are shown back."""
    codes = sorted({code for code in codes if code})
    found: dict[str, Institution] = {}
    active = Registration.objects.filter(institution=OuterRef("pk"), status=Registration.Status.ACTIVE)
    for start in range(0, len(codes), 500):
        for institution in Institution.objects.filter(credit_code__in=codes[start : start + 500]).annotate(
            has_active_registration=Exists(active)
        ):
            found[institution.credit_code] = institution
    return found
