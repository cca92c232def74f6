"""Reminders sent by hand: the health bureau, or a township for its territory, reminds the
institutions it chooses on the review queue to submit their self-report, in one go
(``paperwork.bulk``: all or nothing).

The scheduled reminders (``inspections.reminders``) come 7 days and 1 day before the due date
and the day after it; this one is for the days between, when someone looks at the queue. Each
review is reminded at most once a day, whoever asks (the ledger key
``self-report:<review>:asked:<day>``), so two officers choosing the same rows, or a double
click, send one message.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from inspections import rules
from inspections.models import AnnualReview, ReviewCycle, SelfReport
from inspections.services.common import notify_organisation
from paperwork import bulk
from paperwork.reminders import already_sent, claim_all

OPEN_REPORT = (SelfReport.Status.DRAFT, SelfReport.Status.RETURNED)


def _key(review_pk: int, day) -> str:
    return f"self-report:{review_pk}:asked:{day.isoformat()}"


def self_reports_remind_many(*, actor, review_ids) -> list[AnnualReview]:
    """Remind the institution of each chosen review to submit its self-report.

    Each review must be in the actor's sight (a township: its territory), its cycle open and
    its self-report not submitted (a draft, or returned), and not reminded today yet; one that
    is not refuses the batch, named with the reason. Each reminder is audited on its own."""
    sender = rules.self_report_reminder_sender(actor)
    if sender is None:
        raise PermissionDenied(rules.LEAD_DUTY)
    ids = bulk.check_size(review_ids)
    visible = set(AnnualReview.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    # Logged before the batch's transaction, which a refusal rolls back.
    policy.log_out_of_sight(actor, AnnualReview.objects.all(), set(ids) - visible)
    with transaction.atomic():
        return _remind_locked(actor, sender, ids, visible)


def _remind_locked(actor, sender, ids, visible) -> list[AnnualReview]:
    today = timezone.localdate()
    reviews = {
        review.pk: review
        for review in AnnualReview.objects.select_for_update(of=("self",))
        .select_related("cycle", "institution", "self_report")
        .filter(pk__in=visible)
        .order_by("pk")
    }
    asked = already_sent(_key(pk, today) for pk in reviews)
    problems = []
    for pk in ids:
        review = reviews.get(pk)
        if review is None:
            problems.append(bulk.not_found(pk))
            continue
        name = _("%(institution)s (annual review %(year)s)") % {
            "institution": review.institution.name,
            "year": review.cycle.year,
        }
        report = getattr(review, "self_report", None)
        if review.cycle.status != ReviewCycle.Status.OPEN:
            problems.append(f"{name}: " + _("The annual review %(year)s is closed.") % {"year": review.cycle.year})
        elif report is None or report.status not in OPEN_REPORT:
            status = report.get_status_display() if report is not None else _("no self-report")
            problems.append(
                _("%(name)s: the self-report is not waiting to be submitted (%(status)s).")
                % {"name": name, "status": status}
            )
        elif _key(pk, today) in asked:
            problems.append(_("%(name)s: already reminded today.") % {"name": name})
    bulk.refuse(problems)
    if not claim_all(_key(pk, today) for pk in ids):
        raise ApplicationError(_("Nothing was changed: someone else sent these reminders a moment ago."))
    with translation.override(settings.LANGUAGE_CODE):  # the recipients' language is unknown here
        for pk in ids:
            review = reviews[pk]
            due = formats.date_format(review.cycle.self_report_due, "DATE_FORMAT")
            notify_organisation(
                organisation_id=review.institution.organisation_id,
                title=_("Annual review %(year)s: please submit your self-report (due %(due)s)")
                % {"year": review.cycle.year, "due": due},
                body=_("%(sender)s reminds you that your self-report has not been submitted yet.")
                % {"sender": sender.name},
                link=f"/inspections/reviews/{review.pk}/",
            )
            audit.record(
                actor=actor,
                event="self_report.reminded",
                obj=review.self_report,
                details={"review": review.pk, "by": sender.pk, "bulk": len(ids)},
            )
    return [reviews[pk] for pk in ids]
