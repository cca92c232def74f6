"""Scheduled and background work of the dashboards: thin tasks, idempotent, retried."""

from datetime import date

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def snapshots_refresh_task(day: str | None = None) -> int:
    """Recompute every region's snapshot (the same data gives the same snapshot)."""
    from dashboard.services.snapshots import snapshots_refresh

    return snapshots_refresh(day=date.fromisoformat(day) if day else None)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def export_run_task(job_id: int) -> str:
    """Build a dashboard export in the background and tell the requester (done once)."""
    from dashboard.exports.dashboards import export_job_run

    return export_job_run(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def report_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: townships are reminded of a missing periodic report before and after its due date."""
    from dashboard.reminders import report_reminders

    return report_reminders(today=date.fromisoformat(today) if today else None)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def list_export_run_task(job_id: int) -> str:
    """Build a list's export in the background, with progress, and tell the requester (done once)."""
    from dashboard.exports.lists import list_export_run

    return list_export_run(job_id=job_id)
