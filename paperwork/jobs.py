"""The life of a background import job, shared by the registry's and the workforce's imports.

A job is ``pending`` when uploaded, ``running`` while a worker holds it, then ``done`` or
``failed`` with its row report. The worker that holds a job writes ``heartbeat_at`` every
``IMPORT_HEARTBEAT_SECONDS`` (from a thread of its own, so that the heartbeat is seen even while
the rows are saved in one long transaction). A running job whose heartbeat is older than
``IMPORT_HEARTBEAT_TIMEOUT`` seconds lost its worker: it is shown as failed (``fail_stale``, on a
schedule and when its page is read) and marked ``interrupted``.

Rerunning is safe: the rows of an import are saved in the same transaction as its ``done``
status, so a worker killed in the middle leaves nothing saved, and a job may be claimed again
when it is waiting, interrupted, or running with a stale heartbeat. With late acknowledgement
(``acks_late``) the broker delivers the task again after a worker dies; the new delivery claims
the job and gives the same result the first run would have given.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F, Q
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
FINISHED = (DONE, FAILED)


class JobBusy(Exception):
    """Another worker holds the job and its heartbeat is fresh: try again later."""


def timeout() -> int:
    return settings.IMPORT_HEARTBEAT_TIMEOUT


def stale_before():
    return timezone.now() - timedelta(seconds=timeout())


def _stale() -> Q:
    limit = stale_before()
    return Q(status=RUNNING) & (Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit))


def is_stale(job) -> bool:
    """A running job whose worker stopped beating (read-time check)."""
    if job.status != RUNNING:
        return False
    return (job.heartbeat_at or job.created_at) < stale_before()


def claim(model, job_id: int) -> bool:
    """Take a job to run: a waiting one, an interrupted one, or one whose worker died. A job that
    is done, failed on its rows, or held by a living worker is not taken. Raises ``JobBusy`` for
    the last, so that the task tries again once the holder's heartbeat would be stale."""
    runnable = Q(status=PENDING) | Q(status=FAILED, interrupted=True) | _stale()
    claimed = (
        model.objects.filter(runnable, pk=job_id)
        .update(status=RUNNING, heartbeat_at=timezone.now(), processed_rows=0, imported_rows=0, errors=[],
                interrupted=False, attempts=F("attempts") + 1)
    )  # fmt: skip
    if not claimed and model.objects.filter(pk=job_id, status=RUNNING).exists():
        raise JobBusy(job_id)
    return bool(claimed)


def beat(model, job_id: int) -> None:
    model.objects.filter(pk=job_id, status=RUNNING).update(heartbeat_at=timezone.now())


def interrupted_report() -> list[dict]:
    message = _(
        "The import was interrupted: the worker running it stopped, and nothing was saved. It runs again by "
        "itself when the task queue delivers it again; if it stays failed, upload the file again."
    )
    return [{"row": 0, "column": "", "message": message}]


def fail_stale(model) -> int:
    """Mark the running jobs whose worker stopped beating as failed (interrupted). Returns how many."""
    return model.objects.filter(_stale()).update(status=FAILED, interrupted=True, errors=interrupted_report())


def fail_if_stale(job) -> None:
    """The read-time check of one job: a dead worker's job is shown as failed, not running."""
    if is_stale(job) and type(job).objects.filter(_stale(), pk=job.pk).update(
        status=FAILED, interrupted=True, errors=interrupted_report()
    ):
        job.refresh_from_db()


def requeue_waiting(model, queue, older_than: int = 60) -> int:
    """Queue again the jobs still waiting a while after upload (their task was never queued,
    e.g. the broker was down): a delivery of a job already taken changes nothing."""
    limit = timezone.now() - timedelta(seconds=older_than)
    ids = list(model.objects.filter(status=PENDING, created_at__lt=limit).values_list("pk", flat=True)[:500])
    for pk in ids:
        queue(pk)
    return len(ids)


class Heartbeat:
    """While the block runs, beat the job's heartbeat from a thread with its own database
    connection (``IMPORT_HEARTBEAT_SECONDS``; 0 turns the thread off, as in tests)."""

    def __init__(self, model, job_id: int):
        self.model, self.job_id = model, job_id
        self.every = settings.IMPORT_HEARTBEAT_SECONDS
        self.stopped = threading.Event()
        self.thread = None

    def _run(self):
        try:
            while not self.stopped.wait(self.every):
                try:
                    beat(self.model, self.job_id)
                except DatabaseError:
                    log.warning("import job %s: the heartbeat could not be written", self.job_id)
                    close_old_connections()
        finally:
            connection.close()

    def __enter__(self):
        if self.every > 0:
            self.thread = threading.Thread(target=self._run, name=f"heartbeat-{self.job_id}", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        return False


def run_in_task(task, *, job_id: int, language: str | None, run, abandon):
    """The body of an import task (registry's and training's): ``run(job_id=, language=)`` the
    job and answer its status. Held by another living worker: look again when its heartbeat
    would be stale if it died. A passing database error is retried with back-off; after the last
    try the job is ``abandon``-ed (failed) instead of waiting for ever."""
    from django.db import OperationalError

    try:
        job = run(job_id=job_id, language=language)
    except JobBusy as exc:
        if task.request.is_eager:  # in-process: no queue to come back from
            return RUNNING
        raise task.retry(exc=exc, countdown=timeout(), max_retries=None) from exc
    except OperationalError as exc:
        if task.request.retries >= task.max_retries:
            abandon(job_id=job_id)
            raise
        raise task.retry(exc=exc, countdown=10 * 2**task.request.retries)
    return job.status if job is not None else None


def status_response(job) -> JsonResponse:
    """A job's progress for its page's polling (the same answer for every kind of import);
    never cached, so the page sees each step."""
    data = {
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "finished": job.status in FINISHED,
        "percent": 100 if job.status == DONE else job.percent,
        "processed": job.processed_rows,
        "total": job.total_rows,
        "imported": job.imported_rows,
        "errors": job.errors,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
