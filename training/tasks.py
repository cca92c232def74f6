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

    try:
        job = import_services.import_job_run(job_id=job_id, language=language)
    except jobs.JobBusy as exc:
        if self.request.is_eager:  # in-process: no queue to come back from
            return jobs.RUNNING
        raise self.retry(exc=exc, countdown=jobs.timeout(), max_retries=None) from exc
    except OperationalError as exc:
        if self.request.retries >= self.max_retries:
            import_services.import_job_abandon(job_id=job_id)
            raise
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries)
    return job.status if job is not None else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def imports_watch_task() -> tuple[int, int]:
    """Every minute: imports whose worker died are failed, imports never queued are queued."""
    from training.services import imports as import_services

    return import_services.import_jobs_watch()
