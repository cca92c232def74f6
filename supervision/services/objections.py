"""Objections (陈述申辩): within a number of working days of a failed finding, a failed
annual-review decision or a case's penalty or ban decision (``objection.working_days``), the
institution objects with reasons and evidence; the deciding department upholds or changes its
decision. While the objection waits, the decision's effects wait: the orders it led to stand
still (no deadline passes, nothing escalates, nothing fails), and a contested finding keeps its
review from being decided. An upheld decision runs on, each order's deadline moved by the days
it stood still; a changed one withdraws its orders (and a changed decision passes the year).

A case decision (行政处罚法 arts. 44–45, 62) is a notice to its party first: it is not in force
until its last day to object has passed with no objection (``case_decisions_take_effect``), or
until the objection is answered; upheld, it takes effect as decided; changed, it takes effect
as changed, never heavier than the decision objected to."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Organisation
from accounts.services import notify_organisation
from inspections.models import AnnualReview, Case, Finding, RectificationOrder
from inspections.services import decisions as inspection_decisions
from inspections.services import enforcement
from inspections.services import findings as inspection_findings
from inspections.services.checklists import area_labels
from paperwork import files
from registry import parameters, workdays
from supervision import rules
from supervision.models import Objection
from supervision.selectors import objections as selectors

DEFAULT_WORKING_DAYS = 5
EVIDENCE_TYPES = (files.PDF, files.JPEG, files.PNG)
S = Objection.Subject
CONTESTED_MODELS = {S.FINDING: Finding, S.DECISION: AnnualReview, S.CASE: Case}
CONTESTED_FIELDS = {S.FINDING: "finding", S.DECISION: "review", S.CASE: "case"}


def window_working_days() -> int:
    return int(parameters.get("objection.working_days", DEFAULT_WORKING_DAYS))


def objection_deadline(decided_on: date, days: int | None = None) -> date:
    """The last day to object to a decision made on ``decided_on`` (``days``: the window, when
    the caller has read it already)."""
    return workdays.add_working_days(decided_on, days if days is not None else window_working_days())


def decided_on_of(subject: str, contested) -> date | None:
    if subject == Objection.Subject.CASE:
        return timezone.localtime(contested.closed_at).date() if contested.closed_at else None
    moment = contested.created_at if subject == Objection.Subject.FINDING else contested.decided_at
    return timezone.localtime(moment).date() if moment else None


def _case_answerer(case: Case) -> Organisation | None:
    """Who answers an objection to a case decision: the deciding department when it handles
    cases in the township (``case.manage`` over it), else the office that recorded the case."""
    deciding = case.decision_department
    if (
        deciding is not None
        and deciding.duties.filter(code=rules.CASE_DUTY).exists()
        and case.township.code.startswith(deciding.jurisdiction.code)
    ):
        return deciding
    return case.recorded_by


def _department(subject: str, contested) -> Organisation | None:
    if subject == Objection.Subject.CASE:
        return _case_answerer(contested)
    if subject == Objection.Subject.FINDING:
        return contested.department
    if contested.decided_by_id is None:
        return None
    return policy.acting_organisation(contested.decided_by, "review.decide")


def objectable_error(*, subject: str, contested, today: date | None = None, deadline_for=None) -> str | None:
    """Why this finding or decision cannot be objected to now, or None. ``deadline_for``: the
    deadline of a decision day, when the caller judges several decisions (reading the window
    and the calendar once a day rather than once a decision)."""
    today = today or timezone.localdate()
    if subject == Objection.Subject.CASE:
        return _case_objectable_error(contested, today)
    if subject == Objection.Subject.FINDING and contested.passed:
        return _("Only a failed finding can be objected to.")
    if subject == Objection.Subject.FINDING and contested.review_id and contested.review.result:
        # The decision already rests on the finding: changing the finding alone would leave a
        # failed year without its orders. The decision is what to object to now.
        return _("The review has been decided on this finding: object to the decision instead.")
    if subject == Objection.Subject.DECISION and contested.result != AnnualReview.Result.FAIL:
        return _("Only a failed decision can be objected to.")
    decided_on = decided_on_of(subject, contested)
    if decided_on is None:
        return _("Nothing has been decided yet.")
    deadline = deadline_for(decided_on) if deadline_for else objection_deadline(decided_on)
    if today > deadline:
        return _("The time to object ended on %(deadline)s (%(days)s working days after the decision).") % {
            "deadline": deadline.isoformat(),
            "days": window_working_days(),
        }
    return None


def _case_objectable_error(case: Case, today: date) -> str | None:
    if case.objection_deadline is None or case.status not in Case.SANCTIONS:
        return _("Only a penalty or a ban decision on the institution can be objected to.")
    if case.in_force_at is not None:
        return _("This decision is already in force: it can no longer be objected to.")
    if today > case.objection_deadline:
        return _(
            "The time to object ended on %(deadline)s: the objection is not accepted, and the decision takes "
            "effect as notified."
        ) % {"deadline": case.objection_deadline.isoformat()}
    return None


def _orders_held_by(subject: str, contested):
    """The orders the contested decision led to."""
    if subject == Objection.Subject.DECISION:
        return RectificationOrder.objects.filter(review=contested)
    if contested.review_id is not None:
        return RectificationOrder.objects.filter(review=contested.review_id, items__name_area=[contested.area])
    # An ad-hoc finding: the ad-hoc orders issued on it (naming its area, not before it).
    return RectificationOrder.objects.filter(
        institution=contested.institution_id,
        review__isnull=True,
        items__name_area=[contested.area],
        issued_at__gte=contested.created_at,
    )


@transaction.atomic
def objection_submit(*, actor, subject: str, contested, reasons: str, evidence=None) -> Objection:
    institution = contested.institution
    if not rules.can_object(actor, institution):
        raise PermissionDenied
    if not reasons.strip():
        message = _("Give the reasons of the objection.")
        raise ApplicationError(message, fields={"reasons": [message]})
    # The contested row is locked: a decision being changed (or taking effect), or a second
    # objection, waits.
    model = CONTESTED_MODELS[subject]
    contested = model.objects.select_for_update().get(pk=contested.pk)
    error = objectable_error(subject=subject, contested=contested)
    if error:
        raise ApplicationError(error)
    department = _department(subject, contested)
    if department is None:
        raise ApplicationError(_("The deciding department cannot be found; contact the health bureau."))
    field = CONTESTED_FIELDS[subject]
    if Objection.objects.filter(subject=subject, status=Objection.Status.PENDING, **{field: contested}).exists():
        raise ApplicationError(_("An objection to this decision already waits for its answer."))
    stored = None
    if evidence is not None:
        stored = files.store(
            evidence, folder="supervision", allowed=EVIDENCE_TYPES, max_bytes=parameters.upload_max_bytes()
        )
    is_case = subject == Objection.Subject.CASE
    held = [] if is_case else list(_orders_held_by(subject, contested).distinct().values_list("pk", flat=True))
    review_id = None if is_case else contested.review_id if subject == Objection.Subject.FINDING else contested.pk
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                institution=institution,
                subject=subject,
                finding=contested if subject == Objection.Subject.FINDING else None,
                case=contested if is_case else None,
                review_id=review_id,
                department=department,
                reasons=reasons.strip(),
                evidence=stored,
                submitted_by=actor,
            )
    except IntegrityError:
        raise ApplicationError(_("An objection to this decision already waits for its answer.")) from None
    if held:
        objection.suspended_orders = inspection_decisions.orders_suspend(
            actor=actor, orders=RectificationOrder.objects.filter(pk__in=held)
        )
        objection.save(update_fields=["suspended_orders"])
    audit.record(actor=actor, event="objection.submitted", obj=objection, details={"subject": subject})
    notify_organisation(
        organisation_id=department.pk,
        title=_("Objection from %(institution)s: answer it") % {"institution": institution.name},
        body=reasons[:200],
        link=f"/supervision/objections/{objection.pk}/",
    )
    return objection


@transaction.atomic
def objection_answer(
    *, actor, objection: Objection, changed: bool, answer: str, changed_outcome: str = ""
) -> Objection:
    """The deciding department's answer. Under the objection's lock, so of two answers one wins.
    ``changed_outcome``: for a case decision changed, the closing it becomes (never heavier)."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.PENDING:
        raise ApplicationError(_("This objection has already been answered."))
    if not rules.can_answer_objection(actor, objection):
        raise PermissionDenied
    if not answer.strip():
        message = _("Give the answer and its reasons: the institution reads them.")
        raise ApplicationError(message, fields={"answer": [message]})
    note = _("Changed on objection: %(answer)s") % {"answer": answer.strip()}
    if objection.subject == Objection.Subject.CASE:
        if changed:
            if not changed_outcome:
                message = _("Choose what the decision becomes: the same or a lighter one, never heavier.")
                raise ApplicationError(message, fields={"changed_outcome": [message]})
            enforcement.case_change_on_objection(actor=actor, case=objection.case, outcome=changed_outcome, note=note)
            objection.changed_outcome = changed_outcome
        else:
            case = Case.objects.select_for_update().get(pk=objection.case_id)
            enforcement.case_decision_take_effect(actor=actor, case=case, reason="upheld")
    elif not changed:
        inspection_decisions.orders_resume(actor=actor, order_ids=objection.suspended_orders)
    elif objection.subject == Objection.Subject.DECISION:
        inspection_decisions.review_change_to_pass(actor=actor, review=objection.review, note=note)
    else:
        inspection_findings.finding_change_on_objection(actor=actor, finding=objection.finding, note=note)
        inspection_decisions.orders_withdraw(actor=actor, order_ids=objection.suspended_orders, note=note)
    objection.status = Objection.Status.CHANGED if changed else Objection.Status.UPHELD
    objection.answer, objection.answered_by, objection.answered_at = answer.strip(), actor, timezone.now()
    objection.save(update_fields=["status", "answer", "answered_by", "answered_at", "changed_outcome"])
    audit.record(
        actor=actor,
        event="objection.answered",
        obj=objection,
        details={"changed": changed, "changed_outcome": objection.changed_outcome or None},
    )
    notify_organisation(
        organisation_id=objection.institution.organisation_id,
        title=_("Your objection is answered: %(status)s") % {"status": objection.get_status_display()},
        body=answer[:200],
        link=f"/supervision/objections/{objection.pk}/",
    )
    return objection


def case_decided(*, case: Case) -> None:
    """The ``case_decided`` hook of inspections: a penalty or a ban on an institution was
    recorded. Its party is told, with the last day to object (its notice is its page here)."""
    notify_organisation(
        organisation_id=case.institution.organisation_id,
        title=_("Decision notice: %(status)s (you may object until %(deadline)s)")
        % {"status": case.get_status_display(), "deadline": case.objection_deadline.isoformat()},
        body=case.closing_note[:200],
        link=f"/supervision/case-decisions/{case.pk}/",
    )


def case_decisions_take_effect(*, today: date | None = None) -> int:
    """Each case decision whose last day to object has passed with no objection takes effect.
    Under the case's lock, with the objection check repeated: an objection lodged at the last
    moment (which locks the case too) either comes first and holds it, or finds it in force."""
    today = today or timezone.localdate()
    count = 0
    for case_id in list(selectors.cases_due_to_take_effect(today=today).values_list("pk", flat=True)):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            if selectors.pending_case_objection_exists(case_id=case_id):
                continue
            if case.objection_deadline is None or case.objection_deadline >= today:
                continue
            count += enforcement.case_decision_take_effect(actor=None, case=case, reason="no_objection")
    return count


def review_contested(*, review: AnnualReview) -> list[str]:
    """The ``review_contested`` hook of inspections: a review waits for the answer to every
    objection to one of its findings."""
    return [
        _("An objection to the %(area)s finding waits for the department's answer; decide after it.")
        % {"area": area_labels([objection.finding.area])}
        for objection in selectors.pending_finding_objections(review=review)
    ]
