"""Reminders of the periodic reports, sent by ``dashboard.tasks.report_reminders_task``.

A township's report of the last period (a year) is due ``dashboard.report_due_days`` days after
the year's end. From ``dashboard.report_remind_days`` days before the due date to the due date,
each township whose report is not in (submitted, approved or superseded: a returned one is not)
is reminded once; from the day after, it is told once that its report is late. Each reminder is
claimed in the ledger (``paperwork.reminders``) under ``periodic-report:<region>:<year>:due`` or
``...:late`` in the same transaction as its notifications, so a task run twice, or two workers
at once, send nothing more.

``today`` is an argument (default: the local date) so that tests and catch-up runs choose it.
Messages are written in the portal's default language: the recipients' choice is unknown here.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.services import notify_organisation
from dashboard import rules
from dashboard.models import PeriodicReport
from dashboard.selectors.lateness import REPORT_IN, report_due, report_due_days, report_period
from paperwork.reminders import already_sent, claim
from registry import parameters

DUE, LATE = "due", "late"
# The notification kind (declared on the AppConfig, chosen by each user for email).
KIND_REPORT_DUE = "report_due"


def _key(region_code: str, year: int, stage: str) -> str:
    return f"periodic-report:{region_code}:{year}:{stage}"


def report_reminders(*, today: date | None = None) -> dict[str, int]:
    """Remind the townships whose report is missing; returns how many of each stage were sent."""
    today = today or timezone.localdate()
    year = report_period(today)
    due = report_due(year, report_due_days())
    days_left = (due - today).days
    sent = {DUE: 0, LATE: 0}
    if days_left > int(parameters.get("dashboard.report_remind_days", 7)):
        return sent
    stage = DUE if days_left >= 0 else LATE
    townships = Organisation.objects.filter(
        kind=Organisation.Kind.TOWNSHIP, is_active=True, duties__code=rules.SUBMIT_DUTY
    ).select_related("jurisdiction")
    reported = set(
        PeriodicReport.objects.filter(year=year, status__in=REPORT_IN).values_list("region__code", flat=True)
    )
    pending = [org for org in townships.order_by("code") if org.jurisdiction.code not in reported]
    done = already_sent(_key(org.jurisdiction.code, year, stage) for org in pending)
    link = reverse("report_list")
    day = formats.date_format(due, "DATE_FORMAT")
    with translation.override(settings.LANGUAGE_CODE):
        for org in pending:
            key = _key(org.jurisdiction.code, year, stage)
            if key in done:
                continue
            with transaction.atomic():
                if not claim(key):
                    continue
                if stage == DUE:
                    title = _("Periodic report %(year)s is due on %(due)s") % {"year": year, "due": day}
                    body = _("Your township's report for %(year)s has not been submitted yet. Submit it by %(due)s.")
                else:
                    title = _("Periodic report %(year)s is late") % {"year": year}
                    body = _("Your township's report for %(year)s was due on %(due)s. Submit it as soon as possible.")
                body %= {"year": year, "due": day}
                notify_organisation(organisation_id=org.pk, title=title, body=body, link=link, kind=KIND_REPORT_DUE)
            sent[stage] += 1
    return sent
