"""Who may act in the annual review and enforcement: every "may this user do that" of the app.

The *see* rules are in ``accounts/policy.py`` (rules 16–22, with the scopes this app
registers in ``inspections/scopes.py``); these are the *act* rules (rule 30). Pages, the API and the
selectors ask them to show or hide an action; the services ask them again before they write.

Self-reports and reviews
    ``can_edit_self_report``    the institution's own officers, until the report is submitted (or withdrawn)
    ``can_return_self_report``  ``review.lead``, a submitted report of an undecided review
    ``can_decide_review``       ``review.decide``, an undecided review under inspection
    ``can_exempt_area``         the area's department or ``review.lead``, while under inspection
    ``self_report_reminder_sender``  the organisation through which the actor reminds institutions of
                                their self-report by hand: ``review.lead`` (the city) or
                                ``township.supervise`` (its territory, by sight)
Checklists and findings
    ``checklist_areas_owned``   the areas whose checklists the actor keeps (``check.<area>``)
    ``can_edit_checklist``      the department owning the checklist's area
    ``finding_duty``            the duty a finding of an area is recorded under
    ``can_add_photos``          the department that recorded the finding, under that duty
    ``can_record_visits``       ``township.supervise``: a township's supervision visits
Rectification orders
    ``can_issue_orders``        ``rectification.order`` (the health bureau)
    ``is_order_writer``         the institution's own officers and heads
    ``can_answer_order``        the institution's own officers, while the order is open
    ``can_verify_order``        the departments of the failed areas, or the health bureau
    ``order_is_unmet``          unanswered past the deadline, or verified as not rectified (not
                                while an objection suspends it)
    ``can_close_order_unmet``   ``rectification.order`` (the health bureau), on such an order
Referrals and cases
    ``can_decide_referral``     the authority it is sent to, while it is pending
    ``can_see_cases``           an organisation holding ``case.manage``, any role
    ``can_manage_cases``        officers of such an organisation
The ban list
    ``can_keep_ban_list``       ``banlist.manage``
    ``can_check_ban_list``      institutions about to employ someone, and the keepers of the list
Cycle statistics
    ``can_read_cycle_statistics``     ``review.lead`` or ``dashboard.view``
    ``can_refresh_cycle_statistics``  ``review.lead``
"""

from django.utils import timezone

from accounts import policy
from inspections.models import (
    AnnualReview,
    Area,
    ChecklistTemplate,
    Finding,
    RectificationOrder,
    RevocationReferral,
    SelfReport,
)

SELF_DUTY = "institution.self"
LEAD_DUTY = "review.lead"
DECIDE_DUTY = "review.decide"
SUPERVISION_DUTY = "township.supervise"
ORDER_DUTY = "rectification.order"
REFERRAL_DECIDE_DUTY = "referral.decide"
CASE_DUTY = "case.manage"
BAN_DUTY = "banlist.manage"
# Who reads the cycle statistics: the health bureau, who leads the review, and the dashboard readers.
STATISTICS_READ_DUTIES = ("review.lead", "dashboard.view")
# Who recomputes them on demand.
STATISTICS_REFRESH_DUTY = "review.lead"


# --- Self-reports and reviews -------------------------------------------------------------


def can_edit_self_report(actor, review: AnnualReview, report: SelfReport | None) -> bool:
    return (
        report is not None
        and report.status in (SelfReport.Status.DRAFT, SelfReport.Status.RETURNED)
        and policy.acts_for(actor, review.institution.organisation, SELF_DUTY)
    )


def can_return_self_report(actor, review: AnnualReview, report: SelfReport | None) -> bool:
    return (
        report is not None
        and report.status == SelfReport.Status.SUBMITTED
        and not review.result
        and policy.has_duty(actor, LEAD_DUTY)
    )


def can_decide_review(actor, review: AnnualReview) -> bool:
    return review.status == AnnualReview.Status.INSPECTING and not review.result and policy.has_duty(actor, DECIDE_DUTY)


def can_exempt_area(actor, review: AnnualReview, area: str) -> bool:
    """Recording an area as not applicable: its department, or the health bureau leading the review."""
    return (
        review.status == AnnualReview.Status.INSPECTING
        and not review.result
        and (policy.has_duty(actor, Area.duty(area)) or policy.has_duty(actor, LEAD_DUTY))
    )


def self_report_reminder_sender(actor):
    """The health bureau, or a township for the institutions in its sight, reminds by hand."""
    return policy.acting_organisation(actor, LEAD_DUTY) or policy.acting_organisation(actor, SUPERVISION_DUTY)


# --- Checklists and findings --------------------------------------------------------------


def checklist_areas_owned(actor) -> set[str]:
    """The areas whose checklists the user keeps."""
    return {area for area in Area.values if policy.has_duty(actor, Area.duty(area))}


def can_edit_checklist(actor, template: ChecklistTemplate) -> bool:
    """The department owning the area: an officer or head of an organisation holding
    ``check.<area>``."""
    return policy.has_duty(actor, Area.duty(template.area))


def finding_duty(area: str) -> str:
    """The duty under which a finding of ``area`` is recorded (and its photos added)."""
    return SUPERVISION_DUTY if area == Finding.SUPERVISION else Area.duty(area)


def can_add_photos(actor, finding: Finding) -> bool:
    """The department that recorded the finding: its officers and heads, under the same duty."""
    return policy.acts_for(actor, finding.department, finding_duty(finding.area))


def can_record_visits(actor) -> bool:
    return policy.has_duty(actor, SUPERVISION_DUTY)


# --- Rectification orders -----------------------------------------------------------------


def can_issue_orders(actor) -> bool:
    return policy.has_duty(actor, ORDER_DUTY)


def is_order_writer(actor, order: RectificationOrder) -> bool:
    """The institution's own officers and heads, who answer the order."""
    return policy.acts_for(actor, order.institution.organisation, SELF_DUTY)


def can_answer_order(actor, order: RectificationOrder) -> bool:
    return order.status == RectificationOrder.Status.OPEN and is_order_writer(actor, order)


def can_verify_order(actor, order: RectificationOrder) -> bool:
    """The departments that inspected the failed areas verify; the health bureau may too."""
    return policy.has_duty(actor, ORDER_DUTY) or any(policy.has_duty(actor, Area.duty(area)) for area in order.areas)


def order_is_unmet(order: RectificationOrder, today=None) -> bool:
    """The order can only end as 整改不合格: nobody answered by the deadline, or the
    verification found it not rectified."""
    today = today or timezone.localdate()
    Status = RectificationOrder.Status
    if order.suspended_since is not None:
        return False  # an objection waits for its answer
    return order.status == Status.FAILED or (order.status == Status.OPEN and order.deadline < today)


def can_close_order_unmet(actor, order: RectificationOrder) -> bool:
    return order_is_unmet(order) and policy.has_duty(actor, ORDER_DUTY)


# --- Referrals and cases ------------------------------------------------------------------


def can_decide_referral(actor, referral: RevocationReferral) -> bool:
    return referral.status == RevocationReferral.Status.PENDING and policy.acts_for(
        actor, referral.authority, REFERRAL_DECIDE_DUTY
    )


def can_see_cases(actor) -> bool:
    """Cases are for holders of ``case.manage`` (whatever their role); anyone else gets 403."""
    return policy.holds(actor, CASE_DUTY)


def can_manage_cases(actor) -> bool:
    return policy.has_duty(actor, CASE_DUTY)


# --- The ban list -------------------------------------------------------------------------


def can_keep_ban_list(actor) -> bool:
    return policy.has_duty(actor, BAN_DUTY)


def can_check_ban_list(actor) -> bool:
    """Institutions check the people they are about to employ; the keepers of the list too."""
    return policy.has_duty(actor, SELF_DUTY) or policy.has_duty(actor, BAN_DUTY)


# --- Cycle statistics ---------------------------------------------------------------------


def can_read_cycle_statistics(actor) -> bool:
    return policy.has_any_duty(actor, STATISTICS_READ_DUTIES)


def can_refresh_cycle_statistics(actor) -> bool:
    return policy.has_duty(actor, STATISTICS_REFRESH_DUTY)
