"""Scheduled work of the workforce app: thin tasks, idempotent (``training.reminders``), retried."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from training import reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expiry_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: certificates and health certificates expiring soon, or expired, announced once."""
    return reminders.expiry_reminders(today=date.fromisoformat(today) if today else None)


@shared_task(bind=True, max_retries=3, acks_late=True, reject_on_worker_lost=True)
def import_run_task(self, job_id: int, language: str | None = None) -> str | None:
    """Run one workforce import job (``training.services.imports``): idempotent, acknowledged
    only once run, retried on a passing database error, and looked at again later while another
    living worker holds it."""
    from paperwork import jobs
    from training.services import imports as import_services

    return jobs.run_in_task(
        self,
        job_id=job_id,
        language=language,
        run=import_services.import_job_run,
        abandon=import_services.import_job_abandon,
    )


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def imports_watch_task() -> tuple[int, int]:
    """Every minute: imports whose worker died are failed, imports never queued are queued."""
    from training.services import imports as import_services

    return import_services.import_jobs_watch()
