"""Incidents reported by institutions, their handling by the health bureau, and the two-person
path from a suspected-abuse incident to the lifetime ban list."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, idnumbers
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.services import notify_duty_holders
from inspections.models import BanEntry
from inspections.services import enforcement
from registry import parameters
from registry.models import Institution
from supervision import rules
from supervision.models import BanProposal, Incident
from supervision.selectors import incidents as incident_selectors

DEFAULT_REPORT_HOURS = 24
# An incident is reported about something recent: older events go to a complaint or a case.
OLDEST_REPORTABLE = timedelta(days=366)


def report_deadline_hours() -> int:
    return int(parameters.get("incident.report_hours", DEFAULT_REPORT_HOURS))


def _link(incident: Incident) -> str:
    return f"/supervision/incidents/{incident.pk}/"


@transaction.atomic
def incident_report(
    *,
    actor,
    institution: Institution,
    kind: str,
    occurred_at: datetime,
    description: str,
    children_affected: int = 0,
    actions_taken: str = "",
) -> Incident:
    """The institution reports; the health bureau and the township are told at once. A report
    after the deadline is taken and flagged late (refusing it would lose the incident)."""
    if not rules.can_report_incident(actor, institution):
        raise PermissionDenied
    if institution.status in (Institution.Status.CLOSED, Institution.Status.REVOKED):
        raise ApplicationError(_("This institution no longer operates."))
    now = timezone.now()
    if occurred_at > now + timedelta(minutes=5):
        raise ApplicationError(
            _("The time of the incident is in the future."), fields={"occurred_at": [_("Not in the future.")]}
        )
    if occurred_at < now - OLDEST_REPORTABLE:
        message = _("An incident more than a year old is not reported here: file a complaint or contact the bureau.")
        raise ApplicationError(message, fields={"occurred_at": [message]})
    if kind not in Incident.Kind.values:
        raise ApplicationError(_("Choose the kind of incident."), fields={"kind": [_("Choose the kind of incident.")]})
    incident = Incident(
        institution=institution,
        kind=kind,
        occurred_at=occurred_at,
        reported_at=now,
        reported_by=actor,
        children_affected=children_affected,
        description=description,
        actions_taken=actions_taken,
        late=now - occurred_at > timedelta(hours=report_deadline_hours()),
    )
    incident.full_clean()
    incident.save()
    if kind == Incident.Kind.SUSPECTED_ABUSE:
        office = incident_selectors.case_office()
        if office is not None:
            incident.case = enforcement.case_open_from_report(
                institution=institution,
                found=_("Suspected abuse reported by the institution: %(text)s") % {"text": description},
                found_on=timezone.localtime(occurred_at).date(),
                office=office,
            )
            incident.save(update_fields=["case"])
    audit.record(actor=actor, event="incident.reported", obj=incident, details={"kind": kind, "late": incident.late})
    title = _("Incident at %(institution)s: %(kind)s") % {
        "institution": institution.name,
        "kind": incident.get_kind_display(),
    }
    if incident.late:
        title = _("%(title)s (reported late)") % {"title": title}
    body = description[:200]
    notify_duty_holders(duty=rules.INCIDENT_DUTY, title=title, body=body, link=_link(incident))
    notify_duty_holders(
        duty="township.supervise", title=title, body=body, link=_link(incident), township_code=institution.township.code
    )
    return incident


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


@transaction.atomic
def incident_acknowledge(*, actor, incident: Incident) -> Incident:
    if not rules.can_handle_incident(actor):
        raise PermissionDenied
    incident = _locked(incident)
    if incident.status != Incident.Status.REPORTED:
        raise ApplicationError(_("This incident has already been acknowledged."))
    incident.status = Incident.Status.ACKNOWLEDGED
    incident.acknowledged_by, incident.acknowledged_at = actor, timezone.now()
    incident.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit.record(actor=actor, event="incident.acknowledged", obj=incident)
    return incident


@transaction.atomic
def incident_close(*, actor, incident: Incident, note: str) -> Incident:
    if not rules.can_handle_incident(actor):
        raise PermissionDenied
    if not note.strip():
        message = _("Say how the incident was followed up.")
        raise ApplicationError(message, fields={"note": [message]})
    incident = _locked(incident)
    if incident.status == Incident.Status.CLOSED:
        raise ApplicationError(_("This incident is already closed."))
    if incident.status == Incident.Status.REPORTED:
        incident.acknowledged_by, incident.acknowledged_at = actor, timezone.now()
    incident.status = Incident.Status.CLOSED
    incident.closed_by, incident.closed_at, incident.closing_note = actor, timezone.now(), note.strip()
    incident.save()
    audit.record(actor=actor, event="incident.closed", obj=incident)
    return incident


@transaction.atomic
def ban_propose(*, actor, incident: Incident, name: str, id_number: str, reason: str) -> BanProposal:
    """A keeper of the list proposes the person a suspected-abuse incident names; the other
    keepers are told, and one of them confirms."""
    if not rules.can_propose_ban(actor, incident):
        raise PermissionDenied
    number = idnumbers.normalise(id_number)
    error = idnumbers.id_number_error(number)
    if error:
        raise ApplicationError(error, fields={"id_number": [error]})
    digest = keyed_hash(number)
    waiting = _("This person is already proposed and waits for a second keeper.")
    if BanProposal.objects.filter(id_hash=digest, status=BanProposal.Status.PENDING).exists():
        raise ApplicationError(waiting)
    if BanEntry.objects.filter(id_hash=digest).exists():
        raise ApplicationError(_("This person is already on the list."))
    proposal = BanProposal(
        incident=incident, name=name, id_number=number, id_hash=digest, reason=reason, proposed_by=actor
    )
    proposal.full_clean(exclude=["id_hash"])
    try:
        # Two keepers proposing the same person at once: the unique pending row lets one in.
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        raise ApplicationError(waiting) from None
    audit.record(actor=actor, event="ban.proposed", obj=proposal, details={"incident": incident.pk})
    notify_duty_holders(
        duty=rules.BAN_DUTY,
        title=_("A person is proposed for the lifetime ban list"),
        body=_("Proposed after an incident at %(institution)s; a second keeper of the list must confirm.")
        % {"institution": incident.institution.name},
        link=_link(incident),
    )
    return proposal


@transaction.atomic
def ban_proposal_decide(*, actor, proposal: BanProposal, confirm: bool, note: str = "") -> BanProposal:
    """The second person's decision. Under the lock, so two keepers confirming at once put the
    person on the list once; the proposer can never confirm their own proposal."""
    proposal = BanProposal.objects.select_for_update().select_related("incident").get(pk=proposal.pk)
    if proposal.status != BanProposal.Status.PENDING:
        raise ApplicationError(_("This proposal has already been decided."))
    if proposal.proposed_by_id == actor.pk:
        raise ApplicationError(_("A second keeper of the list, not the proposer, must decide."))
    if not rules.can_decide_ban_proposal(actor, proposal):
        raise PermissionDenied
    if not confirm and not note.strip():
        message = _("Say why the proposal is rejected.")
        raise ApplicationError(message, fields={"note": [message]})
    if confirm:
        proposal.ban_entry = enforcement.ban_add(
            actor=actor,
            name=proposal.name,
            id_number=proposal.id_number,
            reason=proposal.reason,
            decided_on=timezone.localdate(),
            document=note.strip()[:128],
        )
    proposal.status = BanProposal.Status.CONFIRMED if confirm else BanProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = actor, timezone.now(), note.strip()
    proposal.save()
    audit.record(actor=actor, event="ban.proposal_confirmed" if confirm else "ban.proposal_rejected", obj=proposal)
    return proposal
