"""Deadline reminders of the annual review, sent by the scheduled tasks in ``inspections.tasks``.

- **Self-reports**: 7 days and 1 day before a cycle's ``self_report_due``, each institution
  whose self-report is not submitted (a draft, or returned) is reminded; from the day after
  the due date, each report still missing is marked late and the institution and the township
  around it are told.
- **Inspections**: 7 days and 1 day before ``inspection_due``, each department holding a
  ``check.<area>`` duty is told which reviews (self-report in, not decided) still lack its
  area's finding, where the area applies to the institution.

Only open cycles are looked at. Each reminder is sent once: it is claimed in the ledger
(``paperwork.reminders``) under a key (``self-report:<review>:7d``, ``self-report:<review>:1d``,
``self-report:<review>:late``, ``inspection:<cycle>:<department>:7d``…) in the same
transaction as its notifications, so running a task twice, or two workers at once, sends
nothing more. A threshold is reached from its day on; when the schedule missed days, only the
nearest threshold is sent (a run one day before the due date sends the 1-day reminder, not
the 7-day one too).

``today`` is an argument (default: the local date) so that tests and catch-up runs choose it.
Messages are written in the portal's default language: the recipients' choice is unknown here.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts import audit
from accounts.models import Organisation
from inspections.models import AnnualReview, Area, AreaExemption, Finding, ReviewCycle, SelfReport
from inspections.services.common import notify_duty_holders, notify_organisation
from inspections.services.findings import area_applies
from paperwork.reminders import already_sent, claim
from registry.models import Institution

# (days before the due date, key suffix), nearest first.
THRESHOLDS = ((1, "1d"), (7, "7d"))
LATE = "late"
# The notification kind (declared on the AppConfig, chosen by each user for email).
KIND = "review_deadline"
# At most this many institutions are named in one message; the rest are counted.
NAMES_IN_MESSAGE = 30


def threshold(days_left: int) -> str | None:
    """The reminder due with ``days_left`` days to go: the nearest threshold reached, if any."""
    if days_left < 0:
        return None
    for days, label in THRESHOLDS:
        if days_left <= days:
            return label
    return None


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _names(names: list[str]) -> str:
    shown = pgettext("list separator", ", ").join(names[:NAMES_IN_MESSAGE])
    if len(names) > NAMES_IN_MESSAGE:
        shown += _(" and %(n)d more") % {"n": len(names) - NAMES_IN_MESSAGE}
    return shown


def _review_link(review_id: int) -> str:
    return f"/inspections/reviews/{review_id}/"


# --- Self-reports -------------------------------------------------------------------------


def self_report_reminders(*, today: date | None = None) -> dict[str, int]:
    """Remind institutions of their self-report, and report the late ones; returns how many
    reminders of each kind were sent now."""
    today = today or timezone.localdate()
    sent = {label: 0 for _days, label in THRESHOLDS} | {LATE: 0}
    with translation.override(settings.LANGUAGE_CODE):
        for cycle in ReviewCycle.objects.filter(status=ReviewCycle.Status.OPEN).order_by("year"):
            days_left = (cycle.self_report_due - today).days
            pending = (
                SelfReport.objects.filter(review__cycle=cycle)
                .filter(status__in=(SelfReport.Status.DRAFT, SelfReport.Status.RETURNED))
                .filter(review__institution__status=Institution.Status.OPERATING)
                .select_related("review__institution__township")
                .order_by("review__institution__township__code", "review__institution__name", "pk")
            )
            if days_left < 0:
                sent[LATE] += _report_late(cycle, _not_yet_sent(list(pending), LATE))
                continue
            label = threshold(days_left)
            if label is None:
                continue
            for report in _not_yet_sent(list(pending), label):
                sent[label] += _remind_institution(cycle, report, label)
    return sent


def _not_yet_sent(reports: list[SelfReport], label: str) -> list[SelfReport]:
    """The reports whose reminder is not recorded yet (one query; each is claimed again when sent)."""
    keys = {report.pk: f"self-report:{report.review_id}:{label}" for report in reports}
    sent = already_sent(keys.values())
    return [report for report in reports if keys[report.pk] not in sent]


def _remind_institution(cycle: ReviewCycle, report: SelfReport, label: str) -> int:
    review = report.review
    with transaction.atomic():
        if not claim(f"self-report:{review.pk}:{label}"):
            return 0
        notify_organisation(
            organisation_id=review.institution.organisation_id,
            title=_("Annual review %(year)s: your self-report is due on %(due)s")
            % {"year": cycle.year, "due": _day(cycle.self_report_due)},
            body=_(
                "Your self-report has not been submitted yet. Submit it by %(due)s; a later one is recorded as late."
            )
            % {"due": _day(cycle.self_report_due)},
            link=_review_link(review.pk),
            kind=KIND,
        )
    return 1


def _report_late(cycle: ReviewCycle, reports: list[SelfReport]) -> int:
    """Mark each missing report late, tell its institution, and tell each township once per
    run which of its institutions are newly late."""
    by_township = defaultdict(list)
    for report in reports:
        by_township[report.review.institution.township].append(report)
    count = 0
    for township, township_reports in by_township.items():
        with transaction.atomic():
            newly_late = [report for report in township_reports if claim(f"self-report:{report.review_id}:{LATE}")]
            if not newly_late:
                continue
            SelfReport.objects.filter(pk__in=[report.pk for report in newly_late]).exclude(
                status=SelfReport.Status.SUBMITTED
            ).update(late=True)
            for report in newly_late:
                audit.record(
                    actor=None, event="self_report.late", obj=report, details={"due": cycle.self_report_due.isoformat()}
                )
                notify_organisation(
                    organisation_id=report.review.institution.organisation_id,
                    title=_("Annual review %(year)s: your self-report is late") % {"year": cycle.year},
                    body=_("It was due on %(due)s. Submit it as soon as possible; it will be recorded as late.")
                    % {"due": _day(cycle.self_report_due)},
                    link=_review_link(report.review_id),
                    kind=KIND,
                )
            names = [report.review.institution.name for report in newly_late]
            notify_duty_holders(
                duty="township.supervise",
                title=_("Annual review %(year)s: %(n)d self-reports late in your territory")
                % {"year": cycle.year, "n": len(newly_late)},
                body=_("Due on %(due)s, not submitted: %(names)s")
                % {"due": _day(cycle.self_report_due), "names": _names(names)},
                link="/inspections/reviews/?self_report=missing",
                township_code=township.code,
                kind=KIND,
            )
            count += len(newly_late)
    return count


# --- Inspections --------------------------------------------------------------------------


def inspection_reminders(*, today: date | None = None) -> dict[str, int]:
    """Tell each inspecting department which reviews still lack its finding; returns how many
    departments were reminded at each threshold now."""
    today = today or timezone.localdate()
    sent = {label: 0 for _days, label in THRESHOLDS}
    departments = list(
        Organisation.objects.filter(is_active=True, duties__code__startswith="check.")
        .distinct()
        .prefetch_related("duties")
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for cycle in ReviewCycle.objects.filter(status=ReviewCycle.Status.OPEN).order_by("year"):
            label = threshold((cycle.inspection_due - today).days)
            if label is None:
                continue
            reviews = list(
                AnnualReview.objects.filter(
                    cycle=cycle, status=AnnualReview.Status.INSPECTING, result=AnnualReview.Result.NONE
                )
                .select_related("institution")
                .order_by("institution__name", "pk")
            )
            done = set(Finding.objects.filter(review__in=reviews).values_list("review_id", "area"))
            # An area recorded as not applicable needs no finding either.
            done |= set(AreaExemption.objects.filter(review__in=reviews).values_list("review_id", "area"))
            for department in departments:
                lacking = _lacking(department, reviews, done)
                if lacking:
                    sent[label] += _remind_department(cycle, department, lacking, label)
    return sent


def _lacking(department: Organisation, reviews: list[AnnualReview], done: set) -> dict[str, list[AnnualReview]]:
    areas = sorted(
        code.split(".", 1)[1]
        for code in (duty.code for duty in department.duties.all())
        if code.startswith("check.") and code.split(".", 1)[1] in Area.values
    )
    lacking = {}
    for area in areas:
        missing = [
            review for review in reviews if area_applies(area, review.institution) and (review.pk, area) not in done
        ]
        if missing:
            lacking[area] = missing
    return lacking


def _remind_department(cycle: ReviewCycle, department: Organisation, lacking: dict, label: str) -> int:
    with transaction.atomic():
        if not claim(f"inspection:{cycle.pk}:{department.pk}:{label}"):
            return 0
        total = sum(len(reviews) for reviews in lacking.values())
        lines = [
            _("%(area)s (%(n)d): %(names)s")
            % {"area": Area(area).label, "n": len(reviews), "names": _names([r.institution.name for r in reviews])}
            for area, reviews in lacking.items()
        ]
        notify_organisation(
            organisation_id=department.pk,
            title=_("Annual review %(year)s: %(n)d inspections to record by %(due)s")
            % {"year": cycle.year, "n": total, "due": _day(cycle.inspection_due)},
            body="\n".join(lines),
            link="/inspections/reviews/?status=inspecting",
            kind=KIND,
        )
    return 1
