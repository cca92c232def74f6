"""Scheduled work of the workforce app: thin tasks, idempotent (``training.reminders``), retried."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from training import reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expiry_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: certificates and health certificates expiring soon, or expired, announced once."""
    return reminders.expiry_reminders(today=date.fromisoformat(today) if today else None)
