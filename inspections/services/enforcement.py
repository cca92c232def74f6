"""Cases against unregistered or unsafe providers, and the lifetime ban list."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, idnumbers, policy
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from accounts.models import Region, SecurityEvent
from inspections.models import BanEntry, Case
from inspections.services.common import notify_duty_holders
from registry.models import Institution

# Who is told of a barred person on a roster, or a blocked hire: the health bureau (staff
# oversight), and nobody else, the institution included.
OVERSEE_DUTY = "staff.oversee"


def _case_office(actor, township: Region):
    """The organisation through which the actor handles cases in this township: the township
    itself, or a city-wide holder of ``case.manage`` (the health bureau)."""
    organisation = policy.acting_organisation(actor, "case.manage")
    if organisation is None:
        policy.require_duty(actor, "case.manage")
    if not township.code.startswith(organisation.jurisdiction.code):
        raise ApplicationError(_("This township is outside your territory."))
    return organisation


@transaction.atomic
def case_record(*, actor, provider_name: str, place: str, township: Region, found: str, found_on: date) -> Case:
    if township.level != Region.Level.TOWNSHIP:
        raise ApplicationError(_("Choose the township where the provider was found."))
    organisation = _case_office(actor, township)
    case = Case(
        provider_name=provider_name,
        place=place,
        township=township,
        found=found,
        found_on=found_on,
        recorded_by=organisation,
    )
    case.full_clean()
    case.save()
    audit.record(actor=actor, event="case.recorded", obj=case)
    return case


@transaction.atomic
def case_order(*, actor, case: Case, order_text: str, deadline: date) -> Case:
    _case_office(actor, case.township)
    if not order_text.strip():
        raise ApplicationError(_("Write what must be rectified."), fields={"order_text": [_("Required.")]})
    if deadline <= timezone.localdate():
        raise ApplicationError(_("The deadline must be in the future."), fields={"deadline": [_("Too early.")]})
    if not Case.objects.filter(pk=case.pk, status=Case.Status.OPEN).update(
        status=Case.Status.ORDERED, order_text=order_text, deadline=deadline
    ):
        raise ApplicationError(_("Only a recorded case can be ordered to rectify."))
    case.refresh_from_db()
    audit.record(actor=actor, event="case.ordered", obj=case)
    return case


@transaction.atomic
def case_close(*, actor, case: Case, outcome: str, note: str) -> Case:
    _case_office(actor, case.township)
    if outcome not in Case.CLOSED_STATUSES:
        raise ApplicationError(_("Close as rectified, penalised or banned."), fields={"outcome": [_("Unknown.")]})
    if not Case.objects.filter(pk=case.pk, status__in=[Case.Status.OPEN, Case.Status.ORDERED]).update(
        status=outcome, closing_note=note, closed_at=timezone.now()
    ):
        raise ApplicationError(_("This case is already closed."))
    case.refresh_from_db()
    audit.record(actor=actor, event="case.closed", obj=case, details={"outcome": outcome})
    return case


@transaction.atomic
def ban_add(*, actor, name: str, id_number: str, reason: str, decided_on: date, document: str = "") -> BanEntry:
    """Only a valid resident ID number (GB 11643 check character) is listed: a mistyped one
    would never match the person when their employer checks them."""
    organisation = policy.acting_organisation(actor, "banlist.manage")
    if organisation is None:
        policy.require_duty(actor, "banlist.manage")
    number = idnumbers.normalise(id_number)
    error = idnumbers.id_number_error(number)
    if error:
        raise ApplicationError(error, fields={"id_number": [error]})
    digest = keyed_hash(number)
    if BanEntry.objects.filter(id_hash=digest).exists():
        raise ApplicationError(_("This person is already on the list."))
    entry = BanEntry.objects.create(
        name=name,
        id_number=number,
        id_hash=digest,
        reason=reason,
        decided_on=decided_on,
        document=document,
        recorded_by=organisation,
    )
    audit.record(actor=actor, event="ban.added", obj=entry)
    ban_screen_rosters(actor=actor, entry=entry)
    return entry


def ban_screen_rosters(*, actor, entry: BanEntry) -> list[dict]:
    """The list looks back: a person who has just been barred is looked up on every active
    roster (through the apps' ``roster_lookup`` hooks; the rosters are the training app's), and
    each institution where they work is flagged to the health bureau at once. Call it when an
    entry takes effect."""
    matches = [match for found in call_app_hooks("roster_lookup", id_hash=entry.id_hash).values() for match in found]
    for institution_id, name in sorted({(match["institution_id"], match["institution"]) for match in matches}):
        notify_duty_holders(
            duty=OVERSEE_DUTY,
            title=_("A person on the lifetime ban list works at %(institution)s") % {"institution": name},
            body=_(
                "%(person)s (ID number %(id)s) was just added to the lifetime ban list and is on the active staff "
                "of %(institution)s."
            )
            % {"person": entry.name, "id": entry.id_number_masked, "institution": name},
            link=f"/registry/institutions/{institution_id}/",
        )
    if matches:
        audit.record(
            actor=actor,
            event="ban.roster_match",
            obj=entry,
            details={"institutions": sorted({match["institution_id"] for match in matches})},
        )
    return matches


def ban_screen_hire(*, actor, id_number: str, request=None, institution: Institution | None = None) -> bool:
    """The ``person_screen`` hook: a person about to join ``institution``'s staff. A match is
    logged (``ban_check``) and told to the health bureau at once, naming the institution that
    tried; the institution itself is told only to contact the health bureau."""
    barred = ban_check(actor=actor, id_number=id_number, request=request)
    if barred:
        where = institution.name if institution is not None else str(actor)
        notify_duty_holders(
            duty=OVERSEE_DUTY,
            title=_("Hire blocked: %(institution)s tried to add a person on the lifetime ban list")
            % {"institution": where},
            body=_("ID number %(id)s. The person was not added; the institution was told to contact the health bureau.")
            % {"id": idnumbers.masked(idnumbers.normalise(id_number))},
            link=f"/registry/institutions/{institution.pk}/" if institution is not None else "/inspections/bans/",
        )
    return barred


def ban_check(*, actor, id_number: str, request=None) -> bool:
    """True if the person is barred. A match is logged (who tried to add whom, masked); the
    caller tells the user to contact the health bureau, never the details of the entry. The
    pages, the API and the staff roster refuse an invalid number before they ask."""
    number = idnumbers.normalise(id_number)
    barred = BanEntry.objects.filter(id_hash=keyed_hash(number)).exists()
    if barred:
        audit.security_event(
            kind=SecurityEvent.Kind.BAN_MATCH,
            user=actor,
            request=request,
            detail={"id_number": idnumbers.masked(number)},
        )
    return barred
