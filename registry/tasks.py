"""Celery tasks of the registry: thin, take ids, idempotent, own their retries."""

from celery import shared_task
from django.db import OperationalError

from paperwork import jobs
from registry.services import imports as import_services


@shared_task(bind=True, max_retries=3, acks_late=True, reject_on_worker_lost=True)
def import_run_task(self, job_id: int, language: str | None = None) -> str | None:
    """Run one import job. Idempotent: a job that is done or failed on its rows is left as it
    is, so a duplicated or repeated delivery saves nothing twice. Acknowledged only once run: a
    worker that dies mid-import leaves the task to be delivered again, and the new delivery runs
    the job from the start once the dead worker's heartbeat is stale (``paperwork.jobs``). A
    passing database error is retried with back-off; after the last try the job fails instead of
    waiting for ever."""
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
    return import_services.import_jobs_watch()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def closures_apply_task() -> int:
    """Daily: institutions whose accepted closure date has come close (idempotent)."""
    from registry.services.filings import closures_apply

    return closures_apply()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def registry_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: filing deadlines, unfiled institutions, fees above the guide price, family care
    points over their limit (each reminder once per stage: ``registry.reminders``)."""
    from datetime import date

    from registry.reminders import registry_reminders

    return registry_reminders(today=date.fromisoformat(today) if today else None)
