"""Scheduled work of daily supervision: thin tasks, idempotent, retried.

Every task may run twice: an escalation is a conditional update, a reminder is claimed in the
ledger (``paperwork.ReminderSent``) with its messages."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from registry import workdays
from supervision.selectors import complaints as selectors
from supervision.services import objections, risk
from supervision.services.complaints import complaint_escalate, complaint_remind


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def complaint_deadlines_task(today: str | None = None) -> dict[str, int]:
    """Hourly: overdue complaints escalate once; those due tomorrow (a working day) are reminded once."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    escalated = sum(complaint_escalate(complaint=c, today=day) for c in selectors.escalation_due_list(today=day))
    until = workdays.add_working_days(day, 1)
    reminded = sum(
        complaint_remind(complaint=c, today=day) for c in selectors.reminder_due_list(today=day, until=until)
    )
    return {"escalated": escalated, "reminded": reminded}


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def risk_scores_recompute_task(today: str | None = None) -> dict[str, int]:
    """Nightly: every institution's risk score from the day's data (idempotent: a second run
    the same day changes nothing)."""
    return risk.risk_scores_recompute(today=date.fromisoformat(today) if today else None)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def case_decisions_take_effect_task(today: str | None = None) -> dict[str, int]:
    """Hourly: case decisions whose last day to object has passed with no objection take effect
    (idempotent: a decision in force is not taken again)."""
    return {"in_force": objections.case_decisions_take_effect(today=date.fromisoformat(today) if today else None)}
