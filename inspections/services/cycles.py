"""Opening and closing a year's annual review, and the self-report."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from inspections.models import AnnualReview, ReviewCycle, SelfReport
from inspections.services.common import notify_organisation
from registry.models import Institution

# The sections of the self-report; each is pre-filled from the registry or last year's report.
# A self-report the institution still has to submit (or resubmit).
OPEN_REPORT = (SelfReport.Status.DRAFT, SelfReport.Status.RETURNED)
SECTIONS = ("enrolment", "staff", "safety_drills", "health_checks", "incidents", "food_safety", "fees", "changes")


@transaction.atomic
def cycle_open(*, actor, year: int, self_report_due: date, inspection_due: date, decision_due: date) -> ReviewCycle:
    """Open the year's review: every operating, filed institution gets a review in its queue,
    with a self-report pre-filled from the registry and last year's report."""
    policy.require_duty(actor, "review.lead")
    if ReviewCycle.objects.filter(year=year).exists():
        raise ApplicationError(_("The annual review %(year)s is already open.") % {"year": year})
    if not self_report_due <= inspection_due <= decision_due:
        raise ApplicationError(_("The due dates must follow each other: self-reports, inspections, decisions."))
    cycle = ReviewCycle.objects.create(
        year=year,
        self_report_due=self_report_due,
        inspection_due=inspection_due,
        decision_due=decision_due,
        opened_by=actor,
    )
    institutions = Institution.objects.filter(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED
    ).prefetch_related("class_groups", "fees")
    last_reports = {
        report.review.institution_id: report.data
        for report in SelfReport.objects.filter(review__cycle__year=year - 1).select_related("review")
    }
    for institution in institutions:
        _review_add(cycle=cycle, institution=institution, last_year=last_reports.get(institution.pk, {}))
    audit.record(actor=actor, event="cycle.opened", obj=cycle, details={"reviews": institutions.count()})
    return cycle


def _review_add(*, cycle: ReviewCycle, institution: Institution, last_year: dict) -> AnnualReview:
    review = AnnualReview.objects.create(cycle=cycle, institution=institution)
    SelfReport.objects.create(review=review, data=prefill(institution, last_year))
    notify_organisation(
        organisation_id=institution.organisation_id,
        title=_("Annual review %(year)s: submit your self-report by %(due)s")
        % {"year": cycle.year, "due": cycle.self_report_due},
        link=f"/inspections/reviews/{review.pk}/",
    )
    return review


def cycle_membership_sync(*, actor, institution_id: int) -> None:
    """The registry's ``institution_changed`` hook, in the registry's transaction: an institution
    filed while a cycle is open joins it (a review and a pre-filled self-report, as at opening);
    one closed or revoked leaves the open cycles (its undecided reviews are withdrawn: closed
    without a result, so they neither wait for a decision nor count as one)."""
    institution = Institution.objects.prefetch_related("class_groups", "fees").get(pk=institution_id)
    open_cycles = ReviewCycle.objects.filter(status=ReviewCycle.Status.OPEN)
    if institution.status == Institution.Status.OPERATING and institution.filing_status == (
        Institution.FilingStatus.FILED
    ):
        for cycle in open_cycles.exclude(reviews__institution=institution):
            last = SelfReport.objects.filter(
                review__cycle__year=cycle.year - 1, review__institution=institution
            ).first()
            review = _review_add(cycle=cycle, institution=institution, last_year=last.data if last else {})
            audit.record(actor=actor, event="review.joined", obj=review, details={"cycle": cycle.year})
    elif institution.status in (Institution.Status.CLOSED, Institution.Status.REVOKED):
        withdrawn = AnnualReview.objects.filter(
            cycle__in=open_cycles, institution=institution, result=AnnualReview.Result.NONE
        ).exclude(status=AnnualReview.Status.CLOSED)
        for review in withdrawn.select_for_update():
            review.status = AnnualReview.Status.CLOSED
            review.decision_reason = _("Withdrawn: the institution is %(status)s.") % {
                "status": institution.get_status_display()
            }
            review.save(update_fields=["status", "decision_reason"])
            audit.record(actor=actor, event="review.withdrawn", obj=review, details={"status": institution.status})
            _self_report_withdraw(actor=actor, review=review, institution=institution)


def _self_report_withdraw(*, actor, review: AnnualReview, institution: Institution) -> None:
    """A self-report not submitted yet is withdrawn with its review: it is no longer due, so it
    leaves the institution's queue and the reminders (which send only for a draft or a returned
    report). It is kept, with what was written in it; a submitted one stays as it was."""
    report = SelfReport.objects.select_for_update().filter(review=review, status__in=OPEN_REPORT).first()
    if report is None:
        return
    previous = report.status
    report.status = SelfReport.Status.WITHDRAWN
    report.save(update_fields=["status"])
    audit.record(
        actor=actor, event="self_report.withdrawn", obj=report, details={"was": previous, "because": institution.status}
    )


def prefill(institution: Institution, last_year: dict) -> dict:
    """The self-report as far as the registry and last year's report already know it."""
    data = {section: last_year.get(section, {}) for section in SECTIONS}
    data["enrolment"] = {
        group.age_band: {"places": group.places, "enrolled": group.enrolled, "caregivers": group.caregivers}
        for group in institution.class_groups.all()
    }
    data["fees"] = [{"service_mode": fee.service_mode, "amount": str(fee.amount)} for fee in institution.fees.all()]
    # Sections other apps know better (the workforce app: staff and certificates from the roster).
    for sections in call_app_hooks("self_report_prefill", institution=institution).values():
        data.update(sections)
    return data


@transaction.atomic
def cycle_close(*, actor, cycle: ReviewCycle, note: str = "") -> ReviewCycle:
    """Refused while reviews are undecided, unless the bureau records why."""
    policy.require_duty(actor, "review.lead")
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status == ReviewCycle.Status.CLOSED:
        raise ApplicationError(_("This annual review is already closed."))
    # A withdrawn review (closed without a result: the institution closed or was revoked) is not
    # waiting for a decision.
    undecided = cycle.reviews.filter(result="").exclude(status=AnnualReview.Status.CLOSED).count()
    if undecided and not note.strip():
        raise ApplicationError(
            _("%(n)d reviews are not decided yet: decide them, or record why the cycle closes anyway.")
            % {"n": undecided},
            fields={"note": [_("Required while reviews are undecided.")]},
        )
    cycle.status, cycle.closed_at, cycle.closed_by, cycle.close_note = (
        ReviewCycle.Status.CLOSED,
        timezone.now(),
        actor,
        note,
    )
    cycle.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    audit.record(actor=actor, event="cycle.closed", obj=cycle, details={"undecided": undecided, "note": note})
    return cycle


def _require_own(actor, report: SelfReport) -> None:
    policy.require_acts_for(actor, report.review.institution.organisation, "institution.self")


@transaction.atomic
def self_report_save(*, actor, report: SelfReport, data: dict) -> SelfReport:
    _require_own(actor, report)
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ApplicationError(_("Unknown sections: %(names)s") % {"names": ", ".join(sorted(unknown))})
    updated = SelfReport.objects.filter(pk=report.pk, status__in=[SelfReport.Status.DRAFT, SelfReport.Status.RETURNED])
    if not updated.update(data={**report.data, **data}):
        raise ApplicationError(_("A submitted self-report cannot be changed unless it is returned."))
    report.refresh_from_db()
    audit.record(actor=actor, event="self_report.saved", obj=report)
    return report


@transaction.atomic
def self_report_submit(*, actor, report: SelfReport, data: dict | None = None) -> SelfReport:
    """Submit the report, first saving ``data`` (the sections as last edited) if given, so that
    what the institution saw on the page is what it submits: both happen or neither.

    The late flag is judged at the first submission: a report submitted on time, returned with
    comments and resubmitted after the due date is not late; a late one stays late."""
    _require_own(actor, report)
    if data:
        self_report_save(actor=actor, report=report, data=data)
    report = SelfReport.objects.select_for_update().select_related("review__cycle").get(pk=report.pk)
    if report.status == SelfReport.Status.SUBMITTED:
        raise ApplicationError(_("This self-report is already submitted."))
    if report.status not in OPEN_REPORT:
        raise ApplicationError(
            _("This self-report is %(status)s: it is no longer due.") % {"status": report.get_status_display()}
        )
    now = timezone.now()
    resubmission = report.status == SelfReport.Status.RETURNED
    report.status, report.submitted_at = SelfReport.Status.SUBMITTED, now
    if not resubmission:
        report.late = timezone.localdate(now) > report.review.cycle.self_report_due
    report.save(update_fields=["status", "submitted_at", "late"])
    AnnualReview.objects.filter(pk=report.review_id, status=AnnualReview.Status.AWAITING_REPORT).update(
        status=AnnualReview.Status.INSPECTING
    )
    audit.record(actor=actor, event="self_report.submitted", obj=report, details={"late": report.late})
    return report


@transaction.atomic
def self_report_return(*, actor, report: SelfReport, comment: str) -> SelfReport:
    policy.require_duty(actor, "review.lead")
    if not comment.strip():
        raise ApplicationError(_("Say what must be corrected."), fields={"comment": [_("Required.")]})
    if AnnualReview.objects.filter(pk=report.review_id).exclude(result="").exists():
        raise ApplicationError(_("The review is decided: its self-report can no longer be returned."))
    if not SelfReport.objects.filter(pk=report.pk, status=SelfReport.Status.SUBMITTED).update(
        status=SelfReport.Status.RETURNED, return_comment=comment
    ):
        raise ApplicationError(_("Only a submitted self-report can be returned."))
    report.refresh_from_db()
    audit.record(actor=actor, event="self_report.returned", obj=report, details={"comment": comment})
    notify_organisation(
        organisation_id=report.review.institution.organisation_id,
        title=_("Your self-report was returned with comments"),
        body=comment,
        link=f"/inspections/reviews/{report.review_id}/",
    )
    return report
