"""Residential areas and their care slots, the guidance network, fees and pricing guidance.

Who may write (Annex 2; the predicates are in ``registry/rules.py``):

- **Residential areas**: a township government's officers (``planning.residential``) for the
  villages of their own township; the natural resources and planning bureau (a department
  holding ``planning.residential`` with a city-wide jurisdiction) for *new* areas anywhere in
  its jurisdiction. Nobody else, whatever they see.
- **Guidance sites** (``guidance.manage``): the health bureau at any level within its
  jurisdiction; a township government only stations, village points and early development
  centres in its own territory, covering only its own villages.
- **Fees**: the institution's own officers and heads (``institution.self``).
- **Pricing guidance**: the development and reform bureau (``pricing.guide``).

The slots standard is computed in ``registry/slots.py``.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Region
from registry import rules
from registry.models import FeeSchedule, GuidanceActivity, GuidanceSite, Institution, PricingGuidance, ResidentialArea

# The kind of region each level of the guidance network sits in.
SITE_REGION_LEVELS = {
    GuidanceSite.Level.CITY_CENTRE: {Region.Level.CITY},
    GuidanceSite.Level.TOWNSHIP_STATION: {Region.Level.TOWNSHIP},
    GuidanceSite.Level.VILLAGE_POINT: {Region.Level.VILLAGE},
    GuidanceSite.Level.EARLY_DEVELOPMENT_CENTRE: {Region.Level.TOWNSHIP, Region.Level.VILLAGE},
}


# --- Residential areas ------------------------------------------------------------------


def _refuse_area_place(actor, *, township_code: str, kind: str) -> None:
    if rules.can_record_residential_area(actor, township_code=township_code, kind=kind):
        return
    if rules.can_record_residential_area(actor, township_code=township_code):
        message = _("The planning bureau records new residential areas only; old areas are kept by the township.")
        raise ApplicationError(message, fields={"kind": [message]})
    message = _("You may record residential areas only in the villages of your own territory.")
    raise ApplicationError(message, fields={"village": [message]})


@transaction.atomic
def residential_area_save(
    *,
    actor,
    area: ResidentialArea | None = None,
    name: str,
    kind: str,
    village: Region,
    population: int,
    planned_slots: int = 0,
    note: str = "",
) -> ResidentialArea:
    """Record a new residential area, or change one (``area``)."""
    if not rules.can_record_residential_areas(actor):
        raise PermissionDenied(rules.PLANNING_DUTY)
    if village.level != Region.Level.VILLAGE or village.parent_id is None:
        message = _("Choose the village or community where the residential area is.")
        raise ApplicationError(message, fields={"village": [message]})
    if kind not in ResidentialArea.Kind.values:
        message = _("Choose whether the area is new or old.")
        raise ApplicationError(message, fields={"kind": [message]})
    if area is not None:
        area = ResidentialArea.objects.select_for_update().select_related("township").get(pk=area.pk)
        if not rules.can_change_residential_area(actor, area):
            raise PermissionDenied(rules.PLANNING_DUTY)
    township = village.parent
    _refuse_area_place(actor, township_code=township.code, kind=kind)
    created = area is None
    area = area or ResidentialArea()
    area.name, area.kind, area.village, area.township = name.strip(), kind, village, township
    area.population, area.planned_slots, area.note = population, planned_slots, note.strip()
    area.full_clean()
    area.save()
    audit.record(
        actor=actor,
        event="residential_area.created" if created else "residential_area.updated",
        obj=area,
        details={"township": township.code, "kind": kind, "population": population, "planned_slots": planned_slots},
    )
    return area


@transaction.atomic
def residential_area_delete(*, actor, area: ResidentialArea) -> None:
    area = ResidentialArea.objects.select_for_update().select_related("township").get(pk=area.pk)
    if not rules.can_change_residential_area(actor, area):
        raise PermissionDenied(rules.PLANNING_DUTY)
    audit.record(
        actor=actor,
        event="residential_area.deleted",
        obj=area,
        details={"name": area.name, "township": area.township.code},
    )
    area.delete()


# --- The guidance network ---------------------------------------------------------------


def _require_site_place(actor, *, level: str, region: Region, villages: list[Region]) -> None:
    if rules.can_place_guidance_site(actor, level=level, region=region, villages=villages):
        return
    if level not in rules.guidance_levels_for(actor):
        message = _("A township sets up guidance stations, village points and early development centres only.")
        raise ApplicationError(message, fields={"level": [message]})
    message = _("The site and the villages it covers must lie in your own territory.")
    raise ApplicationError(message, fields={"region": [message]})


@transaction.atomic
def guidance_site_save(
    *,
    actor,
    site: GuidanceSite | None = None,
    name: str,
    level: str,
    region: Region,
    address: str = "",
    covered_villages: Iterable[Region] = (),
    opened_on: date | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> GuidanceSite:
    """Set up a node of the guidance network, or change one (``site``) that is not closed."""
    if not rules.can_manage_guidance_sites(actor):
        raise PermissionDenied(rules.GUIDANCE_DUTY)
    villages = list(covered_villages)
    if level not in GuidanceSite.Level.values:
        message = _("Choose the level of the site.")
        raise ApplicationError(message, fields={"level": [message]})
    if region.level not in SITE_REGION_LEVELS[level]:
        message = _(
            "A city centre sits in the city, a township station in a township, a village point in a village or "
            "community, an early development centre in a township or a village."
        )
        raise ApplicationError(message, fields={"region": [message]})
    if any(village.level != Region.Level.VILLAGE for village in villages):
        message = _("A site covers villages and communities only.")
        raise ApplicationError(message, fields={"covered_villages": [message]})
    if level != GuidanceSite.Level.CITY_CENTRE:
        township_code = region.code if region.level == Region.Level.TOWNSHIP else region.parent.code
        if any(not village.code.startswith(township_code) for village in villages):
            message = _("A station or point covers villages of its own township only.")
            raise ApplicationError(message, fields={"covered_villages": [message]})
    if site is not None:
        site = GuidanceSite.objects.select_for_update().select_related("region").get(pk=site.pk)
        villages_now = list(site.covered_villages.all())
        if not rules.can_place_guidance_site(actor, level=site.level, region=site.region, villages=villages_now):
            raise PermissionDenied(rules.GUIDANCE_DUTY)  # somebody else's site
        if site.is_closed:
            raise ApplicationError(_("This guidance site is closed and can no longer be changed."))
    _require_site_place(actor, level=level, region=region, villages=villages)
    created = site is None
    site = site or GuidanceSite()
    site.name, site.level, site.region = name.strip(), level, region
    site.address, site.opened_on = address.strip(), opened_on
    site.contact_name, site.contact_phone = contact_name.strip(), contact_phone.strip()
    site.full_clean()
    site.save()
    site.covered_villages.set(villages)
    audit.record(
        actor=actor,
        event="guidance_site.created" if created else "guidance_site.updated",
        obj=site,
        details={"level": level, "region": region.code, "covered_villages": sorted(v.code for v in villages)},
    )
    return site


def _site_to_keep(actor, site: GuidanceSite) -> GuidanceSite:
    """The site locked, if the actor keeps it and it is still open."""
    site = GuidanceSite.objects.select_for_update().select_related("region").get(pk=site.pk)
    if not rules.can_keep_guidance_site(actor, site):
        raise PermissionDenied(rules.GUIDANCE_DUTY)
    if site.is_closed:
        raise ApplicationError(_("This guidance site is closed and can no longer be changed."))
    return site


@transaction.atomic
def guidance_site_close(*, actor, site: GuidanceSite, closed_on: date, reason: str) -> GuidanceSite:
    """Close a site: it stays on record with its activities but covers no village any longer
    (the villages it covered are kept in the audit event)."""
    site = _site_to_keep(actor, site)
    reason = reason.strip()
    if not reason:
        message = _("Give the reason for closing the site.")
        raise ApplicationError(message, fields={"reason": [message]})
    if site.opened_on and closed_on < site.opened_on:
        message = _("A site cannot close before it opened.")
        raise ApplicationError(message, fields={"closed_on": [message]})
    villages = sorted(site.covered_villages.values_list("code", flat=True))
    site.closed_on, site.closed_reason = closed_on, reason
    site.full_clean()
    site.save(update_fields=["closed_on", "closed_reason"])
    site.covered_villages.clear()
    audit.record(
        actor=actor,
        event="guidance_site.closed",
        obj=site,
        details={"closed_on": closed_on.isoformat(), "reason": reason, "covered_villages": villages},
    )
    return site


@transaction.atomic
def guidance_activity_add(
    *, actor, site: GuidanceSite, held_on: date, kind: str, title: str, participants: int
) -> GuidanceActivity:
    """Record what an open site did for families."""
    site = _site_to_keep(actor, site)
    if site.opened_on and held_on < site.opened_on:
        message = _("An activity cannot take place before the site opened.")
        raise ApplicationError(message, fields={"held_on": [message]})
    activity = GuidanceActivity(
        site=site, held_on=held_on, kind=kind, title=title.strip(), participants=participants, recorded_by=actor
    )
    activity.full_clean()
    activity.save()
    audit.record(actor=actor, event="guidance_activity.recorded", obj=activity, details={"site": site.pk})
    return activity


# --- Fees -------------------------------------------------------------------------------

MODE_FIELDS = {
    FeeSchedule.ServiceMode.FULL_DAY: "full_day",
    FeeSchedule.ServiceMode.HALF_DAY: "half_day",
    FeeSchedule.ServiceMode.HOURLY: "hourly",
    FeeSchedule.ServiceMode.TEMPORARY: "temporary",
}


@transaction.atomic
def fee_save(
    *,
    actor,
    institution: Institution,
    fee: FeeSchedule | None = None,
    service_mode: str,
    amount: Decimal,
    effective_from: date,
    unit: str = FeeSchedule.Unit.MONTH,
    age_band: str = "",
    meal_fee: Decimal = Decimal("0"),
) -> FeeSchedule:
    """Publish a fee of the institution (its own officers only)."""
    policy.require_acts_for(actor, institution.organisation, rules.INSTITUTION_DUTY)
    if fee is not None and fee.institution_id != institution.pk:
        raise ApplicationError(_("This fee belongs to another institution."))
    mode_field = MODE_FIELDS.get(service_mode)
    if mode_field is None:
        message = _("Choose the service the fee is for.")
        raise ApplicationError(message, fields={"service_mode": [message]})
    if not getattr(institution, mode_field):
        message = _("The institution does not offer this service; add it to the institution's record first.")
        raise ApplicationError(message, fields={"service_mode": [message]})
    duplicate = FeeSchedule.objects.filter(
        institution=institution, service_mode=service_mode, age_band=age_band, unit=unit, effective_from=effective_from
    )
    if fee is not None:
        duplicate = duplicate.exclude(pk=fee.pk)
    if duplicate.exists():
        message = _("A fee for this service, age band and unit from this date is published already; delete it first.")
        raise ApplicationError(message, fields={"effective_from": [message]})
    created = fee is None
    fee = fee or FeeSchedule(institution=institution)
    fee.service_mode, fee.age_band, fee.amount, fee.unit = service_mode, age_band, amount, unit
    fee.meal_fee, fee.effective_from = meal_fee, effective_from
    fee.full_clean()
    fee.save()
    audit.record(
        actor=actor,
        event="fee.created" if created else "fee.updated",
        obj=fee,
        details={"service_mode": service_mode, "amount": str(amount), "unit": unit, "from": str(effective_from)},
    )
    return fee


@transaction.atomic
def fee_delete(*, actor, fee: FeeSchedule) -> None:
    policy.require_acts_for(actor, fee.institution.organisation, rules.INSTITUTION_DUTY)
    audit.record(
        actor=actor, event="fee.deleted", obj=fee, details={"service_mode": fee.service_mode, "amount": str(fee.amount)}
    )
    fee.delete()


# --- Pricing guidance -------------------------------------------------------------------


@transaction.atomic
def pricing_guidance_save(
    *,
    actor,
    guidance: PricingGuidance | None = None,
    service_mode: str,
    max_amount: Decimal,
    effective_from: date,
    unit: str = FeeSchedule.Unit.MONTH,
    note: str = "",
) -> PricingGuidance:
    """Set a guide price for inclusive care from a date; earlier guide prices stay as history."""
    policy.require_duty(actor, rules.PRICING_DUTY)
    if max_amount is None or max_amount <= 0:
        message = _("The guide price must be more than zero.")
        raise ApplicationError(message, fields={"max_amount": [message]})
    duplicate = PricingGuidance.objects.filter(service_mode=service_mode, unit=unit, effective_from=effective_from)
    if guidance is not None:
        duplicate = duplicate.exclude(pk=guidance.pk)
    if duplicate.exists():
        message = _("A guide price for this service and unit from this date exists already.")
        raise ApplicationError(message, fields={"effective_from": [message]})
    created = guidance is None
    guidance = guidance or PricingGuidance()
    guidance.service_mode, guidance.unit, guidance.max_amount = service_mode, unit, max_amount
    guidance.effective_from, guidance.note = effective_from, note.strip()
    guidance.full_clean()
    guidance.save()
    audit.record(
        actor=actor,
        event="pricing_guidance.created" if created else "pricing_guidance.updated",
        obj=guidance,
        details={
            "service_mode": service_mode,
            "unit": unit,
            "max_amount": str(max_amount),
            "from": str(effective_from),
        },
    )
    return guidance
