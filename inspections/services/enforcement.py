"""Cases against unregistered or unsafe providers, and the lifetime ban list."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, idnumbers, policy
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.models import Region, SecurityEvent
from inspections.models import BanEntry, Case


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
    return entry


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
