"""Who may act in the registry: every "may this user do that" of the app, in one place.

The *see* rules are in ``accounts/policy.py`` (rules 11–15, with the scopes this app registers
in ``registry/scopes.py``); these are the *act* rules (policy rule 30). Pages, the API and the
selectors ask them to show or hide an action; the services ask them again before they write
and refuse (403) what they would not show.

Institutions
    ``is_institution_member``   one of the institution's own members, whatever the role
    ``can_edit_institution``    the institution's own officers and heads keep its record
    ``can_see_contact_phone``   the contact phone in full: own members and filing reviewers
Nursery classes (托幼一体化审批)
    ``can_approve_nursery_classes``  the education bureau's officers (``register.kindergarten_class``)
    ``can_decide_nursery_class``     the same, on a nursery class that waits for approval
Filings
    ``can_write_filing``        own officers and heads, while a draft or returned
    ``can_decide_filing``       ``filing.review``, while submitted
Registrations
    ``registrable_legal_forms`` the legal forms whose ``register.*`` duty the actor exercises
    ``can_revoke_registration`` the registering authority's officers
Imports
    ``importing_organisation``  the organisation through which the actor imports a kind
    ``importable_kinds``        the kinds the actor may import
    ``may_see_imports``         the import pages: organisations that import, any role
    ``can_finish_import``       the uploader still acts for the organisation of the file
Residential areas
    ``can_view_residential_areas``  the list: planners, target keepers, dashboard drill-down
    ``can_record_residential_areas`` somewhere; ``planning_territory_codes`` says where
    ``can_record_residential_area``  in one township (a city planner: new areas only)
    ``can_change_residential_area``  one area, by the same rule
Guidance network
    ``can_manage_guidance_sites``   ``guidance.manage`` through a township or a department
    ``guidance_levels_for``         the levels the actor sets up (a township: no city centre)
    ``guidance_territory_codes``    where the actor places sites
    ``can_place_guidance_site``     one site at a level, in a region, covering villages
    ``can_keep_guidance_site``      edit, close an existing site and record its activities
Fees and pricing
    ``can_keep_fees``           the institution's own officers and heads
    ``can_guide_prices``        ``pricing.guide``
"""

from django.core.exceptions import PermissionDenied

from accounts import policy
from accounts.models import Organisation, Region
from registry.models import Filing, GuidanceSite, ImportJob, Institution, Registration, ResidentialArea

INSTITUTION_DUTY = "institution.self"
FILING_REVIEW_DUTY = "filing.review"
PLANNING_DUTY = "planning.residential"
GUIDANCE_DUTY = "guidance.manage"
PRICING_DUTY = "pricing.guide"
NURSERY_CLASS_DUTY = "register.kindergarten_class"
# Duties that give sight of residential areas (policy rule 13).
RESIDENTIAL_SIGHT_DUTIES = (PLANNING_DUTY, "targets.manage", "dashboard.drilldown")
# The levels of the guidance network a township sets up (the city centre is the health bureau's).
TOWNSHIP_SITE_LEVELS = (
    GuidanceSite.Level.TOWNSHIP_STATION,
    GuidanceSite.Level.VILLAGE_POINT,
    GuidanceSite.Level.EARLY_DEVELOPMENT_CENTRE,
)
# The duties that let an organisation import each kind, and so the jurisdiction it imports into.
IMPORT_DUTIES = {
    ImportJob.Kind.REGISTRATIONS: ("register.nonprofit", "register.company", "register.public_institution"),
    ImportJob.Kind.INSTITUTIONS: ("filing.review", "township.supervise"),
}


# --- Institutions -------------------------------------------------------------------------


def can_approve_nursery_classes(*, actor) -> bool:
    """Annex 2: the education bureau approves the nursery classes of kindergartens before
    they file with the health bureau."""
    return policy.has_duty(actor, NURSERY_CLASS_DUTY)


def can_decide_nursery_class(*, actor, institution: Institution) -> bool:
    return (
        can_approve_nursery_classes(actor=actor)
        and institution.provider_type == Institution.ProviderType.KINDERGARTEN_CLASS
        and institution.education_approval == Institution.EducationApproval.PENDING
    )


def is_institution_member(*, actor, institution: Institution) -> bool:
    return any(org.pk == institution.organisation_id for org in policy.organisations_of(actor))


def can_edit_institution(*, actor, institution: Institution) -> bool:
    """Only the institution's own officers and heads keep its record."""
    return policy.acts_for(actor, institution.organisation, INSTITUTION_DUTY)


def can_see_contact_phone(*, actor, institution: Institution) -> bool:
    """The contact phone is shown in full to the institution's own members and to the filing
    reviewers (who must be able to call); everyone else sees it masked."""
    return is_institution_member(actor=actor, institution=institution) or policy.holds(actor, FILING_REVIEW_DUTY)


# --- Filings ------------------------------------------------------------------------------


def can_write_filing(actor, filing: Filing) -> bool:
    """The institution's own officers and heads edit, add documents and submit while the
    filing is a draft or returned."""
    return filing.status in (Filing.Status.DRAFT, Filing.Status.RETURNED) and policy.acts_for(
        actor, filing.institution.organisation, INSTITUTION_DUTY
    )


def can_decide_filing(actor, filing: Filing) -> bool:
    return filing.status == Filing.Status.SUBMITTED and policy.has_duty(actor, FILING_REVIEW_DUTY)


# --- Registrations ------------------------------------------------------------------------


def registrable_legal_forms(actor) -> list[str]:
    """The legal forms the actor may register (officer or head of an organisation holding the
    form's ``register.*`` duty), in the order of ``Institution.LegalForm``."""
    return [form for form, duty in Institution.REGISTRATION_DUTY.items() if policy.has_duty(actor, duty)]


def require_registration_sight(actor) -> None:
    """Registrations follow their institutions (policy rule 11); someone who belongs to no
    organisation has nothing to list (403, as the registration page and API answer)."""
    if not policy.organisations_of(actor):
        raise PermissionDenied("registration.list")


def can_revoke_registration(actor, registration: Registration) -> bool:
    """Only the registering authority's officers revoke."""
    return policy.acts_for(actor, registration.authority, Institution.REGISTRATION_DUTY[registration.legal_form])


# --- Imports ------------------------------------------------------------------------------


def importing_organisation(actor, kind: str) -> Organisation | None:
    """The organisation through which the actor imports this kind, or None."""
    for duty in IMPORT_DUTIES.get(kind, ()):
        organisation = policy.acting_organisation(actor, duty)
        if organisation is not None:
            return organisation
    return None


def importable_kinds(actor) -> list[str]:
    """The kinds the actor may import, in the order of ``ImportJob.Kind``."""
    return [kind for kind in ImportJob.Kind.values if importing_organisation(actor, kind) is not None]


def may_see_imports(actor) -> bool:
    """Import pages are for organisations that import (any role: a viewer reads its colleagues'
    jobs; policy rule 15 keeps each organisation to its own)."""
    return any(policy.holds(actor, duty) for duties in IMPORT_DUTIES.values() for duty in duties)


def can_finish_import(actor, job: ImportJob) -> bool:
    """The uploader must still act for the organisation the file was uploaded for."""
    return any(policy.acts_for(actor, job.organisation, duty) for duty in IMPORT_DUTIES[job.kind])


# --- Residential areas --------------------------------------------------------------------


def can_view_residential_areas(actor) -> bool:
    return any(policy.holds(actor, code) for code in RESIDENTIAL_SIGHT_DUTIES)


def _townships_and_departments_acting(actor, duty: str) -> list[Organisation]:
    """The township governments and departments through which the actor exercises ``duty``."""
    return [
        org
        for org in policy.organisations_of(actor)
        if org.kind in (Organisation.Kind.TOWNSHIP, Organisation.Kind.DEPARTMENT) and policy.acts_for(actor, org, duty)
    ]


def _planning_organisations(actor) -> list[Organisation]:
    return _townships_and_departments_acting(actor, PLANNING_DUTY)


def can_record_residential_areas(actor) -> bool:
    """True if the user may record residential areas somewhere."""
    return bool(_planning_organisations(actor))


def planning_territory_codes(actor) -> list[str]:
    """Codes of the jurisdictions within which the user may record residential areas."""
    return [org.jurisdiction.code for org in _planning_organisations(actor)]


def can_record_residential_area(actor, *, township_code: str, kind: str | None = None) -> bool:
    """True if the user may record an area of this kind (None: of some kind) in the township:
    a township government in its own township; a city-wide planner new areas anywhere in its
    jurisdiction."""
    for org in _planning_organisations(actor):
        if org.kind == Organisation.Kind.TOWNSHIP and org.jurisdiction.code == township_code:
            return True
        if (
            org.kind == Organisation.Kind.DEPARTMENT
            and township_code.startswith(org.jurisdiction.code)
            and kind in (None, ResidentialArea.Kind.NEW)
        ):
            return True
    return False


def can_change_residential_area(actor, area: ResidentialArea) -> bool:
    return can_record_residential_area(actor, township_code=area.township.code, kind=area.kind)


# --- Guidance network ---------------------------------------------------------------------


def _guidance_organisations(actor) -> list[Organisation]:
    return _townships_and_departments_acting(actor, GUIDANCE_DUTY)


def can_manage_guidance_sites(actor) -> bool:
    return bool(_guidance_organisations(actor))


def guidance_levels_for(actor) -> list[str]:
    """The levels of site the user may set up (a township: not the city centre)."""
    organisations = _guidance_organisations(actor)
    if any(org.kind == Organisation.Kind.DEPARTMENT for org in organisations):
        return list(GuidanceSite.Level.values)
    return list(TOWNSHIP_SITE_LEVELS) if organisations else []


def guidance_territory_codes(actor) -> list[str]:
    """Codes of the jurisdictions within which the user may place guidance sites."""
    return [org.jurisdiction.code for org in _guidance_organisations(actor)]


def _organisation_places_site(org: Organisation, *, level: str, region: Region, villages: list[Region]) -> bool:
    if org.kind == Organisation.Kind.TOWNSHIP and level not in TOWNSHIP_SITE_LEVELS:
        return False
    territory = org.jurisdiction.code
    return region.code.startswith(territory) and all(village.code.startswith(territory) for village in villages)


def can_place_guidance_site(actor, *, level: str, region: Region, villages: list[Region]) -> bool:
    """A site of this level in this region, covering these villages, all within the territory
    of one organisation through which the actor manages the network."""
    return any(
        _organisation_places_site(org, level=level, region=region, villages=villages)
        for org in _guidance_organisations(actor)
    )


def can_keep_guidance_site(actor, site: GuidanceSite) -> bool:
    """An existing site is kept (edited, closed, its activities recorded) by whoever could set
    it up where it stands, the villages it covers included: a township keeps its own."""
    villages = list(site.covered_villages.all())
    return can_place_guidance_site(actor, level=site.level, region=site.region, villages=villages)


# --- Fees and pricing ---------------------------------------------------------------------


def can_keep_fees(actor, institution: Institution) -> bool:
    return policy.acts_for(actor, institution.organisation, INSTITUTION_DUTY)


def can_guide_prices(actor) -> bool:
    return policy.has_duty(actor, PRICING_DUTY)
