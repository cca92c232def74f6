"""Cases against unregistered or unsafe providers, and the lifetime ban list."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, idnumbers, policy
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from accounts.models import Organisation, Region, SecurityEvent
from inspections.models import BanEntry, Case
from inspections.services.common import notify_duty_holders
from paperwork import files
from registry import parameters, workdays
from registry.models import Institution
from registry.services.institutions import institution_standing_changed

# Who is told of a barred person on a roster, or a blocked hire: the health bureau (staff
# oversight), and nobody else, the institution included.
OVERSEE_DUTY = "staff.oversee"
# The scan of a penalty or ban decision.
SCAN_TYPES = (files.PDF, files.JPEG, files.PNG)
# Who may have decided a penalty or a ban: a department, or a township government (its
# comprehensive law enforcement).
DECIDING_KINDS = (Organisation.Kind.DEPARTMENT, Organisation.Kind.TOWNSHIP)
# The window to object (陈述申辩), in working days; the supervision app reads the same parameter.
OBJECTION_DAYS_KEY = "objection.working_days"
DEFAULT_OBJECTION_DAYS = 5


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
def case_open_from_report(*, institution: Institution, found: str, found_on: date, office: Organisation) -> Case:
    """A case opened by a report rather than by an officer's visit (suspected abuse reported by
    the institution itself): recorded under ``office`` (the health bureau), which handles it
    like any other case. The caller checks that the reporter may report, and audits."""
    case = Case(
        provider_name=institution.name,
        place=institution.address,
        township=institution.township,
        institution=institution,
        found=found,
        found_on=found_on,
        recorded_by=office,
    )
    case.full_clean()
    case.save()
    notify_duty_holders(
        duty="case.manage",
        title=_("A case was opened on a report: %(provider)s") % {"provider": institution.name},
        body=found[:200],
        link=f"/inspections/cases/{case.pk}/",
        township_code=institution.township.code,
    )
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


def _decision_errors(*, number: str, decided_on: date | None, department: Organisation | None, scan) -> dict:
    errors = {}
    if not number.strip():
        errors["decision_number"] = [_("The document number of the decision is required.")]
    if decided_on is None:
        errors["decision_date"] = [_("The date of the decision is required.")]
    elif decided_on > timezone.localdate():
        errors["decision_date"] = [_("The date of the decision cannot be in the future.")]
    if department is None or department.kind not in DECIDING_KINDS:
        errors["decision_department"] = [_("Choose the department (or township government) that decided.")]
    if scan is None:
        errors["scan"] = [_("Upload the scan of the decision (PDF, JPEG or PNG).")]
    return errors


@transaction.atomic
def case_close(
    *,
    actor,
    case: Case,
    outcome: str,
    note: str,
    decision_number: str = "",
    decision_date: date | None = None,
    decision_department: Organisation | None = None,
    scan=None,
    immediate_reason: str = "",
    facts: str = "",
    basis: str = "",
) -> Case:
    """Close a case. A penalty (处罚) or a ban (取缔) rests on the decision: its document
    number, date, the deciding department and the scan (kept as a stored file, judged by its
    content); it comes after the order's deadline has passed, or at once with the reason
    recorded. The case is locked: of two closings, one wins.

    A penalty or a ban on a registered institution is first a notice to its party (行政处罚法
    arts. 44–45): the facts, the reasons (the note), the legal basis and the decision, with the
    last day to object (``objection.working_days`` working days). Its effects wait
    (``case_decision_take_effect``) for that day to pass with no objection, or for the
    objection's answer. Every other closing takes effect at once, and the township is told."""
    _case_office(actor, case.township)
    if outcome not in Case.CLOSED_STATUSES:
        raise ApplicationError(_("Close as rectified, penalised or banned."), fields={"outcome": [_("Unknown.")]})
    case = Case.objects.select_for_update().select_related("township").get(pk=case.pk)
    if case.status not in (Case.Status.OPEN, Case.Status.ORDERED):
        raise ApplicationError(_("This case is already closed."))
    values = {"status": outcome, "closing_note": note, "closed_at": timezone.now()}
    if outcome in Case.SANCTIONS:
        errors = _decision_errors(
            number=decision_number, decided_on=decision_date, department=decision_department, scan=scan
        )
        if errors:
            raise ApplicationError(
                _("A penalty or a ban needs the decision: its document number, date, deciding department and scan."),
                fields=errors,
            )
        today = timezone.localdate()
        due = case.status == Case.Status.ORDERED and case.deadline is not None and case.deadline < today
        if not due and not immediate_reason.strip():
            if case.status == Case.Status.ORDERED:
                message = _(
                    "The order's deadline (%(deadline)s) has not passed: a penalty or a ban comes after it, "
                    "or now with the reason for closing at once recorded."
                ) % {"deadline": case.deadline}
            else:
                message = _(
                    "The provider has not been ordered to rectify: a penalty or a ban comes after the order's "
                    "deadline, or now with the reason for closing at once recorded."
                )
            raise ApplicationError(message, fields={"immediate_reason": [message]})
        has_party = case.institution_id is not None
        if has_party:
            notice_errors = _notice_errors(facts=facts, basis=basis, reasons=note)
            if notice_errors:
                message = _("A decision on an institution is a notice to it: give the facts, reasons and legal basis.")
                raise ApplicationError(message, fields=notice_errors)
        stored = files.store(scan, folder="cases", allowed=SCAN_TYPES, max_bytes=parameters.upload_max_bytes())
        values.update(
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            decision_department=decision_department,
            decision_scan=stored,
            immediate_reason="" if due else immediate_reason.strip(),
            decision_facts=facts.strip(),
            decision_basis=basis.strip(),
        )
        if has_party:
            values["objection_deadline"] = objection_deadline_from(today)
    if "objection_deadline" not in values:
        values["in_force_at"] = values["closed_at"]
    Case.objects.filter(pk=case.pk, status=case.status).update(**values)
    case.refresh_from_db()
    audit.record(
        actor=actor,
        event="case.closed",
        obj=case,
        details={
            "outcome": outcome,
            "decision": case.decision_number,
            "immediate": bool(case.immediate_reason),
            "objection_deadline": case.objection_deadline.isoformat() if case.objection_deadline else None,
        },
    )
    if case.in_force_at is not None:
        _notify_closed(case)
    else:
        # The party is told by the app that takes its objections (``case_decided`` hook).
        call_app_hooks("case_decided", case=case)
    return case


def _notice_errors(*, facts: str, basis: str, reasons: str) -> dict:
    errors = {}
    if not facts.strip():
        errors["decision_facts"] = [_("Write the facts the decision rests on: the institution reads them.")]
    if not basis.strip():
        errors["decision_basis"] = [_("Write the legal basis of the decision: the institution reads it.")]
    if not reasons.strip():
        errors["note"] = [_("Write the reasons of the decision (the closing note): the institution reads them.")]
    return errors


def objection_deadline_from(day: date) -> date:
    """The last day to object to a decision notified on ``day``."""
    days = int(parameters.get(OBJECTION_DAYS_KEY, DEFAULT_OBJECTION_DAYS))
    return workdays.add_working_days(day, days)


def _notify_closed(case: Case) -> None:
    notify_duty_holders(
        duty="township.supervise",
        title=_("Case closed: %(provider)s (%(status)s)")
        % {"provider": case.provider_name, "status": case.get_status_display()},
        body=case.closing_note,
        link=f"/inspections/cases/{case.pk}/",
        township_code=case.township.code,
    )


def case_decision_take_effect(*, actor, case: Case, reason: str) -> bool:
    """The decision's effects, once (a conditional update sets ``in_force_at``): the township
    is told, and a ban (取缔) on a registered institution closes it. Called by the objection's
    answer or when the last day to object has passed with none (the caller holds the case's
    lock and has checked that no objection waits). ``reason``: ``no_objection``, ``upheld`` or
    ``changed``."""
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, status__in=Case.CLOSED_STATUSES, in_force_at__isnull=True).update(
            in_force_at=timezone.now()
        ):
            return False
        case.refresh_from_db()
        closed = False
        if case.status == Case.Status.BANNED and case.institution_id is not None:
            closed = bool(
                Institution.objects.filter(pk=case.institution_id)
                .exclude(status__in=(Institution.Status.CLOSED, Institution.Status.REVOKED))
                .update(status=Institution.Status.CLOSED)
            )
            if closed:
                institution_standing_changed(actor=actor, institution_id=case.institution_id)
        audit.record(
            actor=actor,
            event="case.in_force",
            obj=case,
            details={"status": case.status, "reason": reason, "institution_closed": closed},
        )
        _notify_closed(case)
    return True


@transaction.atomic
def case_change_on_objection(*, actor, case: Case, outcome: str, note: str) -> Case:
    """The decision changed on the party's objection, then in force. Never heavier than the
    decision contested (行政处罚法 art. 45); the caller holds the answer's lock."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.in_force_at is not None or case.status not in Case.SANCTIONS:
        raise ApplicationError(_("This decision is already in force: it cannot be changed on objection."))
    if outcome not in Case.CLOSED_STATUSES:
        raise ApplicationError(_("Choose what the decision becomes."), fields={"changed_outcome": [_("Unknown.")]})
    if Case.SEVERITY[outcome] > Case.SEVERITY[case.status]:
        message = _("A decision changed on objection cannot be heavier than the decision the institution objected to.")
        raise ApplicationError(message, fields={"changed_outcome": [message]})
    before = case.status
    Case.objects.filter(pk=case.pk, in_force_at__isnull=True).update(
        status=outcome, closing_note=f"{case.closing_note}\n{note}".strip()
    )
    case.refresh_from_db()
    audit.record(actor=actor, event="case.changed_on_objection", obj=case, details={"from": before, "to": outcome})
    case_decision_take_effect(actor=actor, case=case, reason="changed")
    return case


def case_escalate(*, case: Case) -> bool:
    """A case whose order to rectify is overdue goes to the township and the health bureau,
    once, as an overdue rectification order does (a conditional update sets the mark)."""
    if case.status != Case.Status.ORDERED or case.deadline is None or case.deadline >= timezone.localdate():
        return False
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=timezone.now()):
            return False
        title = _("Case overdue: %(provider)s (%(place)s)") % {"provider": case.provider_name, "place": case.place}
        body = _("The order to rectify was due on %(deadline)s: close the case with the decision.") % {
            "deadline": case.deadline
        }
        link = f"/inspections/cases/{case.pk}/"
        notify_duty_holders(
            duty="township.supervise", title=title, body=body, link=link, township_code=case.township.code
        )
        # The health bureau, as for an overdue order (``case.manage`` would reach every township).
        notify_duty_holders(duty="rectification.order", title=title, body=body, link=link)
        audit.record(actor=None, event="case.escalated", obj=case)
    return True


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
