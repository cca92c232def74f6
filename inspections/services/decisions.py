"""The health bureau's decision, rectification orders, revocation referrals."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from inspections import rules
from inspections.models import AnnualReview, Area, InspectionFile, RectificationOrder, RevocationReferral
from inspections.services import checklists, severity
from inspections.services.common import inspection_file_store, notify_duty_holders, notify_organisation
from paperwork import files
from registry import parameters
from registry.models import Institution, Registration
from registry.services import numbers
from registry.services.registrations import registration_revoke

# Evidence of a rectification: documents and photos, judged by content.
EVIDENCE_TYPES = (files.PDF, files.JPEG, files.PNG)
EVIDENCE_MAX_FILES = 20
# The kind of ``registry.NumberSequence`` that numbers rectification orders (余卫托整〔2026〕0001号).
ORDER_NUMBER_KIND = "rectification_order"

Result = AnnualReview.Result


@transaction.atomic
def review_decide(
    *,
    actor,
    review: AnnualReview,
    result: str,
    reason: str,
    items: list[dict] | None = None,
    deadline: date | None = None,
) -> AnnualReview:
    """Pass or fail with reasons, seeing every department's findings. A fail issues a
    rectification order with the items and a deadline. The severities of the failed checks
    weigh (``severity``): a failed check refuses a pass, and a failed veto item (or as many
    failed major items as the bureau set) fails the year at once, whatever the rectification.
    Of two decisions at once, one wins."""
    policy.require_duty(actor, "review.decide")
    if result not in (Result.PASS, Result.FAIL):
        raise ApplicationError(_("Decide pass or fail."), fields={"result": [_("Choose pass or fail.")]})
    if not reason.strip():
        raise ApplicationError(_("Give the reasons for the decision."), fields={"reason": [_("Required.")]})
    if result == Result.FAIL and (not items or deadline is None):
        raise ApplicationError(
            _("A failed review needs the items to rectify and a deadline."),
            fields={"items": [_("Required for a fail.")]},
        )
    if deadline is not None and deadline <= timezone.localdate():
        raise ApplicationError(_("The deadline must be in the future."), fields={"deadline": [_("Too early.")]})
    # Locked, so that no finding is replaced or exemption added under the check.
    current = AnnualReview.objects.select_for_update().select_related("institution").get(pk=review.pk)
    contested = review_contested(review=current)
    if contested:
        raise ApplicationError(contested[0], fields={"findings": contested})
    if current.status == AnnualReview.Status.INSPECTING and not current.result:
        missing = checklists.review_missing_areas(review=current)
        if missing:
            message = _(
                "The review cannot be decided yet: no finding for %(areas)s. Each area needs its department's "
                "finding, or a record that it does not apply to this institution, with the reason."
            ) % {"areas": checklists.area_labels(missing)}
            raise ApplicationError(message, fields={"findings": [message]})
    # The severities of the failed checks weigh (``severity``): under the same lock as the findings.
    verdict = severity.review_verdict(current)
    if current.status == AnnualReview.Status.INSPECTING and not current.result and result not in verdict.allowed:
        message = _("%(why)s The review cannot pass.") % {"why": verdict.explanation()}
        raise ApplicationError(message, fields={"result": [message]})
    # The year's result: failed now by the severity; passed now; or after the rectification.
    final_result = Result.FAIL if verdict.fails_the_year else (Result.PASS if result == Result.PASS else "")
    updated = AnnualReview.objects.filter(pk=review.pk, result="", status=AnnualReview.Status.INSPECTING).update(
        result=result,
        decision_reason=reason,
        decided_by=actor,
        decided_at=timezone.now(),
        status=AnnualReview.Status.DECIDED if result == Result.PASS else AnnualReview.Status.RECTIFYING,
        final_result=final_result,
    )
    if not updated:
        current = AnnualReview.objects.get(pk=review.pk)
        raise ApplicationError(
            _("This review cannot be decided now (%(status)s); someone else may have decided it.")
            % {"status": current.get_status_display()}
        )
    review = AnnualReview.objects.select_related("institution", "cycle").get(pk=review.pk)
    audit.record(
        actor=actor, event="review.decided", obj=review,
        details={"result": result, "rule": verdict.outcome, "final_result": final_result},
    )  # fmt: skip
    if result == Result.FAIL:
        order_issue(actor=actor, institution=review.institution, review=review, items=items, deadline=deadline)
    if verdict.fails_the_year:
        referral_raise_if_due(actor=actor, review=review)
    notify_organisation(
        organisation_id=review.institution.organisation_id,
        title=_("Annual review %(year)s: %(result)s")
        % {"year": review.cycle.year, "result": review.get_result_display()},
        body=reason,
        link=f"/inspections/reviews/{review.pk}/",
    )
    return review


def review_contested(*, review: AnnualReview) -> list[str]:
    """Why the review cannot be decided yet, from the apps above (``review_contested`` hook:
    an objection to one of its findings waits for the department's answer)."""
    return [reason for reasons in call_app_hooks("review_contested", review=review).values() for reason in reasons]


# --- Objections: what an objection does to the orders and the year it contests -------------


@transaction.atomic
def orders_suspend(*, actor, orders) -> list[int]:
    """Stop the clock of the active orders among ``orders`` (a queryset): their deadline does
    not run out while the objection waits. Returns the ids suspended, to resume or withdraw."""
    ids = list(
        orders.filter(status__in=RectificationOrder.ACTIVE_STATUSES, suspended_since__isnull=True).values_list(
            "pk", flat=True
        )
    )
    RectificationOrder.objects.filter(pk__in=ids).update(suspended_since=timezone.now())
    for order in RectificationOrder.objects.filter(pk__in=ids):
        audit.record(actor=actor, event="order.suspended", obj=order)
    return ids


@transaction.atomic
def orders_resume(*, actor, order_ids: list[int]) -> None:
    """The objection was not upheld: each order runs again, its deadline moved by the days it
    stood still, so the institution loses no time to its objection."""
    today = timezone.localdate()
    for order in RectificationOrder.objects.select_for_update().filter(pk__in=order_ids, suspended_since__isnull=False):
        stood_still = today - timezone.localtime(order.suspended_since).date()
        order.deadline, order.suspended_since = order.deadline + stood_still, None
        order.save(update_fields=["deadline", "suspended_since"])
        audit.record(actor=actor, event="order.resumed", obj=order, details={"deadline": order.deadline.isoformat()})


@transaction.atomic
def orders_withdraw(*, actor, order_ids: list[int], note: str) -> None:
    """The decision the orders follow was changed on an objection: they no longer bind."""
    for order in RectificationOrder.objects.select_for_update().filter(pk__in=order_ids):
        if order.status not in RectificationOrder.ACTIVE_STATUSES:
            continue
        order.status, order.suspended_since = RectificationOrder.Status.WITHDRAWN, None
        order.closed_by, order.closed_at, order.closing_note = actor, timezone.now(), note
        order.save(update_fields=["status", "suspended_since", "closed_by", "closed_at", "closing_note"])
        audit.record(actor=actor, event="order.withdrawn", obj=order)


@transaction.atomic
def review_change_to_pass(*, actor, review: AnnualReview, note: str) -> AnnualReview:
    """A failed decision changed on the institution's objection: the review passes, its orders
    are withdrawn, and the year no longer counts as failed."""
    policy.require_duty(actor, "review.decide")
    current = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if current.result != Result.FAIL:
        raise ApplicationError(_("Only a failed decision can be changed to a pass."))
    current.result, current.final_result, current.status = Result.PASS, Result.PASS, AnnualReview.Status.CLOSED
    current.decision_reason = f"{current.decision_reason}\n{note}".strip()
    current.save(update_fields=["result", "final_result", "status", "decision_reason"])
    orders_withdraw(actor=actor, order_ids=list(current.orders.values_list("pk", flat=True)), note=note)
    audit.record(actor=actor, event="review.changed_on_objection", obj=current)
    return current


def _order_number(year: int) -> str:
    """The year's next order number, from a locked counter: two orders issued at once never
    share one (counting the orders would give both the same)."""
    return f"余卫托整〔{year}〕{numbers.next_number(kind=ORDER_NUMBER_KIND, year=year):04d}号"


def _clean_items(items: list[dict] | None) -> list[dict]:
    """Each item to rectify names its area (whose department verifies it) and says what to do."""
    cleaned = []
    for item in items or []:
        area, text = str(item.get("area", "")).strip(), str(item.get("text", "")).strip()
        if area not in Area.values:
            raise ApplicationError(
                _("Each item needs the area of inspection it belongs to."), fields={"items": [_("Unknown area.")]}
            )
        if not text:
            raise ApplicationError(
                _("Each item needs a text: what must be rectified."), fields={"items": [_("Required.")]}
            )
        cleaned.append({**item, "area": area, "text": text, "code": str(item.get("code", "")).strip()})
    if not cleaned:
        raise ApplicationError(_("Name at least one item to rectify."), fields={"items": [_("Required.")]})
    return cleaned


@transaction.atomic
def order_issue(
    *, actor, institution: Institution, items: list[dict], deadline: date, review: AnnualReview | None = None
) -> RectificationOrder:
    policy.require_duty(actor, "rectification.order")
    return _order_create(actor=actor, institution=institution, items=items, deadline=deadline, review=review)


@transaction.atomic
def order_issue_in_area(*, actor, institution: Institution, area: str, items: list[dict], deadline: date):
    """A department orders rectification within its own area of inspection after an ad-hoc
    inspection (a substantiated complaint): ``check.<area>`` suffices there, as the health
    bureau's ``rectification.order`` does for every area. The order follows no review; the
    department sees and verifies it through the area its items name (policy rule 19)."""
    if area not in Area.values:
        raise ApplicationError(_("Each item needs the area of inspection it belongs to."))
    if not (policy.has_duty(actor, Area.duty(area)) or policy.has_duty(actor, "rectification.order")):
        raise PermissionDenied(Area.duty(area))
    items = [{**item, "area": area} for item in items]
    return _order_create(actor=actor, institution=institution, items=items, deadline=deadline, review=None)


def _order_create(*, actor, institution, items, deadline, review) -> RectificationOrder:
    if institution.status in (Institution.Status.CLOSED, Institution.Status.REVOKED):
        raise ApplicationError(
            _("%(name)s is %(status)s: no rectification order can be issued to it.")
            % {"name": institution.name, "status": institution.get_status_display()}
        )
    items = _clean_items(items)
    if deadline <= timezone.localdate():
        raise ApplicationError(_("The deadline must be in the future."), fields={"deadline": [_("Too early.")]})
    order = RectificationOrder.objects.create(
        review=review,
        institution=institution,
        number=_order_number(timezone.localdate().year),
        items=items,
        deadline=deadline,
        issued_by=actor,
    )
    audit.record(actor=actor, event="order.issued", obj=order, details={"deadline": deadline.isoformat()})
    notify_organisation(
        organisation_id=institution.organisation_id,
        title=_("Rectification order %(number)s") % {"number": order.number},
        body=_("Rectify by %(deadline)s.") % {"deadline": deadline},
        link=f"/inspections/orders/{order.pk}/",
    )
    return order


@transaction.atomic
def order_answer(*, actor, order: RectificationOrder, response: str) -> RectificationOrder:
    policy.require_acts_for(actor, order.institution.organisation, "institution.self")
    if not response.strip():
        raise ApplicationError(_("Describe what was rectified."), fields={"response": [_("Required.")]})
    if not RectificationOrder.objects.filter(pk=order.pk, status=RectificationOrder.Status.OPEN).update(
        status=RectificationOrder.Status.ANSWERED, response=response, responded_at=timezone.now()
    ):
        raise ApplicationError(_("This order is not waiting for an answer."))
    order.refresh_from_db()
    audit.record(actor=actor, event="order.answered", obj=order)
    return order


@transaction.atomic
def order_evidence_add(*, actor, order: RectificationOrder, uploaded) -> InspectionFile:
    """The institution's own officers attach evidence (PDF, JPEG, PNG, judged by content) while
    the order waits for their answer; once answered, the evidence is what the verifier saw."""
    policy.require_acts_for(actor, order.institution.organisation, "institution.self")
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != RectificationOrder.Status.OPEN:
        raise ApplicationError(_("Evidence can be added only while the order waits for the institution's answer."))
    if order.evidence.count() >= EVIDENCE_MAX_FILES:
        raise ApplicationError(
            _("An order takes at most %(n)d evidence files; combine them into one PDF.") % {"n": EVIDENCE_MAX_FILES}
        )
    max_bytes = parameters.upload_max_bytes()
    evidence = inspection_file_store(
        actor=actor, uploaded=uploaded, allowed=EVIDENCE_TYPES, max_bytes=max_bytes, order=order
    )
    audit.record(actor=actor, event="order.evidence_added", obj=evidence, details={"order": order.pk})
    return evidence


@transaction.atomic
def order_verify(*, actor, order: RectificationOrder, rectified: bool, note: str) -> RectificationOrder:
    if not rules.can_verify_order(actor, order):
        policy.require_duty(actor, "rectification.order")
    if not rectified and not note.strip():
        raise ApplicationError(
            _("Say what is still not rectified: a failed verification can lead to a revocation referral."),
            fields={"note": [_("Required.")]},
        )
    status = RectificationOrder.Status.VERIFIED if rectified else RectificationOrder.Status.FAILED
    if not RectificationOrder.objects.filter(pk=order.pk, status=RectificationOrder.Status.ANSWERED).update(
        status=status, verified_by=actor, verified_at=timezone.now(), verification_note=note
    ):
        raise ApplicationError(_("Only an answered order can be verified."))
    order = RectificationOrder.objects.select_related("review__cycle", "institution").get(pk=order.pk)
    audit.record(actor=actor, event="order.verified", obj=order, details={"rectified": rectified})
    if rectified and order.review is not None:
        # A year already failed by the severity of its checks (a veto item) stays failed.
        AnnualReview.objects.filter(pk=order.review_id, final_result="").update(final_result=Result.PASS)
        AnnualReview.objects.filter(pk=order.review_id).update(status=AnnualReview.Status.CLOSED)
    if not rectified:
        # The department states the fact; the health bureau closes the order as 整改不合格,
        # which is what fails the year (``order_close_unmet``).
        notify_duty_holders(
            duty="rectification.order",
            title=_("Not rectified: %(name)s (%(number)s): close the order as rectification failed")
            % {"name": order.institution.name, "number": order.number},
            body=note,
            link=f"/inspections/orders/{order.pk}/#close-unmet",
        )
    return order


@transaction.atomic
def order_close_unmet(*, actor, order: RectificationOrder, note: str) -> RectificationOrder:
    """The health bureau closes an order as 整改不合格: left unanswered past its deadline, or
    verified as not rectified. The review it follows is failed for the year, which counts
    toward the two-year rule (``referral_raise_if_due``). The order row is locked and its
    state checked again inside the transaction, so of two officers closing at once one wins."""
    policy.require_duty(actor, "rectification.order")
    if not note.strip():
        raise ApplicationError(
            _("Say why the rectification failed: the institution and its township are told."),
            fields={"note": [_("Required.")]},
        )
    # Only the order's row is locked (its review is an outer join: an ad-hoc order has none).
    order = (
        RectificationOrder.objects.select_for_update(of=("self",))
        .select_related("institution__township", "review__cycle")
        .get(pk=order.pk)
    )
    if not rules.order_is_unmet(order):
        if order.status == RectificationOrder.Status.UNMET:
            raise ApplicationError(_("This order is already closed as rectification failed."))
        raise ApplicationError(
            _(
                "Only an order left unanswered past its deadline, or verified as not rectified, "
                "can be closed as rectification failed (now: %(status)s)."
            )
            % {"status": order.get_status_display()}
        )
    previous = order.status
    if not RectificationOrder.objects.filter(pk=order.pk, status=previous).update(
        status=RectificationOrder.Status.UNMET, closed_by=actor, closed_at=timezone.now(), closing_note=note
    ):
        raise ApplicationError(_("This order is already closed as rectification failed."))
    order.refresh_from_db()
    audit.record(actor=actor, event="order.closed_unmet", obj=order, details={"was": previous})
    if order.review is not None:
        AnnualReview.objects.filter(pk=order.review_id).update(
            final_result=Result.FAIL, status=AnnualReview.Status.CLOSED
        )
        referral_raise_if_due(
            actor=actor, review=AnnualReview.objects.select_related("cycle", "institution").get(pk=order.review_id)
        )
    title = _("Rectification failed: %(name)s (%(number)s)") % {
        "name": order.institution.name,
        "number": order.number,
    }
    link = f"/inspections/orders/{order.pk}/"
    notify_organisation(organisation_id=order.institution.organisation_id, title=title, body=note, link=link)
    notify_duty_holders(
        duty="township.supervise", title=title, body=note, link=link, township_code=order.institution.township.code
    )
    return order


def order_escalate(*, order: RectificationOrder) -> bool:
    """An overdue order goes to the township and the health bureau, once: the escalation mark
    is set by a conditional update, so running it twice sends nothing more."""
    if order.status != RectificationOrder.Status.OPEN or order.deadline >= timezone.localdate():
        return False
    if order.suspended_since is not None:
        return False
    with transaction.atomic():
        if not RectificationOrder.objects.filter(pk=order.pk, escalated_at__isnull=True).update(
            escalated_at=timezone.now()
        ):
            return False
        title = _("Rectification overdue: %(name)s (%(number)s)") % {
            "name": order.institution.name,
            "number": order.number,
        }
        link = f"/inspections/orders/{order.pk}/"
        notify_duty_holders(
            duty="township.supervise", title=title, link=link, township_code=order.institution.township.code
        )
        # The health bureau's one step now: close the order as 整改不合格 (the form on its page).
        notify_duty_holders(
            duty="rectification.order",
            title=title,
            body=_("The deadline passed without an answer: close the order as rectification failed."),
            link=f"{link}#close-unmet",
        )
        audit.record(actor=None, event="order.escalated", obj=order)
    return True


def referral_raise_if_due(*, actor, review: AnnualReview) -> RevocationReferral | None:
    """Two consecutive years failed after rectification: refer to the registering authority."""
    previous = AnnualReview.objects.filter(
        institution=review.institution_id, cycle__year=review.cycle.year - 1, final_result=Result.FAIL
    ).first()
    if (
        previous is None
        or RevocationReferral.objects.filter(
            institution=review.institution_id, status=RevocationReferral.Status.PENDING
        ).exists()
        # A year failed at its decision (a veto item) was referred then: its unmet order adds nothing.
        or RevocationReferral.objects.filter(failed_reviews=review).exists()
    ):
        return None
    registration = (
        Registration.objects.filter(institution=review.institution_id, status=Registration.Status.ACTIVE)
        .select_related("authority")
        .first()
    )
    if registration is None:
        return None
    referral = RevocationReferral.objects.create(
        institution=review.institution, registration=registration, authority=registration.authority, raised_by=actor
    )
    referral.failed_reviews.set([previous, review])
    audit.record(actor=actor, event="referral.raised", obj=referral, details={"authority": registration.authority.code})
    title = _("Revocation referral: %(name)s failed two consecutive annual reviews") % {"name": review.institution.name}
    notify_organisation(organisation_id=registration.authority_id, title=title, link=_referral_link(referral))
    _notify_township_and_institution(
        referral,
        title=title,
        body=_("The health bureau referred the withdrawal of the registration to %(authority)s.")
        % {"authority": registration.authority.name},
    )
    return referral


def _referral_link(referral: RevocationReferral) -> str:
    return f"/inspections/referrals/{referral.pk}/"


def _notify_township_and_institution(referral: RevocationReferral, *, title: str, body: str) -> None:
    """The township supervises what lies in its territory and the institution answers for
    itself: both hear of each step of a referral (raised, decided)."""
    institution = Institution.objects.select_related("township").get(pk=referral.institution_id)
    notify_duty_holders(
        duty="township.supervise", title=title, body=body, link=_referral_link(referral),
        township_code=institution.township.code,
    )  # fmt: skip
    notify_organisation(
        organisation_id=institution.organisation_id, title=title, body=body, link=_referral_link(referral)
    )


@transaction.atomic
def referral_decide(*, actor, referral: RevocationReferral, withdraw: bool, note: str) -> RevocationReferral:
    """The registering authority decides; withdrawing revokes the registration, ends the
    filing and takes the institution off the public registry."""
    policy.require_acts_for(actor, referral.authority, "referral.decide")
    if not note.strip():
        raise ApplicationError(_("Record the decision."), fields={"note": [_("Required.")]})
    status = RevocationReferral.Status.WITHDRAWN if withdraw else RevocationReferral.Status.DECLINED
    if not RevocationReferral.objects.filter(pk=referral.pk, status=RevocationReferral.Status.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note
    ):
        raise ApplicationError(_("This referral is already decided."))
    referral = RevocationReferral.objects.select_related("registration", "institution").get(pk=referral.pk)
    if withdraw:
        registration_revoke(
            actor=actor, registration=referral.registration, reason=note, revoked_on=timezone.localdate()
        )
        Institution.objects.filter(pk=referral.institution_id).update(
            status=Institution.Status.REVOKED, filing_status=Institution.FilingStatus.CANCELLED
        )
    audit.record(actor=actor, event="referral.decided", obj=referral, details={"withdraw": withdraw})
    title = _("Referral decided: %(name)s") % {"name": referral.institution.name}
    notify_duty_holders(duty="referral.raise", title=title, body=note)
    outcome = _("Registration withdrawn: %(note)s") if withdraw else _("Registration kept: %(note)s")
    _notify_township_and_institution(referral, title=title, body=outcome % {"note": note})
    return referral
