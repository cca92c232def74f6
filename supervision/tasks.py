"""Scheduled work of daily supervision: thin tasks, idempotent, retried."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from supervision.services import risk


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def risk_scores_recompute_task(today: str | None = None) -> dict[str, int]:
    """Nightly: every institution's risk score from the day's data (idempotent: a second run
    the same day changes nothing)."""
    return risk.risk_scores_recompute(today=date.fromisoformat(today) if today else None)
