"""Scheduled work of the annual review: thin tasks, idempotent, retried.

The logic lives in ``inspections.reminders`` and ``inspections.statistics``; a task only
parses its arguments (``today`` as an ISO date, for a catch-up run; default: the local date)
and retries a passing database failure. Every task may run twice: reminders are recorded
once (``paperwork.ReminderSent``), escalation is a conditional update, statistics are recomputed.
"""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from inspections import reminders, selectors, statistics
from inspections.services.decisions import order_escalate
from inspections.services.enforcement import case_escalate


def _day(today: str | None) -> date | None:
    return date.fromisoformat(today) if today else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def orders_escalate_overdue_task() -> int:
    """Escalate every overdue, unanswered order once (a second run escalates nothing)."""
    overdue = selectors.order_escalation_due_list(today=timezone.localdate())
    return sum(order_escalate(order=order) for order in overdue)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def cases_escalate_overdue_task() -> int:
    """Escalate every case whose order to rectify is overdue, once (a second run escalates nothing)."""
    overdue = selectors.case_escalation_due_list(today=timezone.localdate())
    return sum(case_escalate(case=case) for case in overdue)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def self_report_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: self-report reminders 7 days and 1 day ahead; late reports the day after."""
    return reminders.self_report_reminders(today=_day(today))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def inspection_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: departments are told which reviews still lack their finding, 7 days and 1 day ahead."""
    return reminders.inspection_reminders(today=_day(today))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def cycle_statistics_task(today: str | None = None) -> dict[str, dict]:
    """Hourly: every cycle's figures, computed and cached (``cycle-stats:<year>``), returned by year."""
    return statistics.cycle_statistics_store_all(today=_day(today))
