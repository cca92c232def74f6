"""Bulk imports from Excel: start a job, run it. The rules (who imports what, the row checks,
all or nothing) are in ``registry.imports``."""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import audit
from accounts.errors import ApplicationError
from paperwork import files, jobs
from registry import imports, rules
from registry.models import ImportJob

log = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 5 * 1024 * 1024


class _RollBack(Exception):
    """Leaves the data transaction of an import that a service refused."""


@transaction.atomic
def import_job_create(*, actor, kind: str, uploaded) -> ImportJob:
    """Keep the uploaded workbook and queue its import. Refuses (403) someone who may not import
    this kind, and (with a message) a file that is not really an .xlsx workbook or is too big."""
    if kind not in ImportJob.Kind.values:
        raise ApplicationError(_("Choose what the file holds."), fields={"kind": [_("Choose what the file holds.")]})
    organisation = imports.require_importing_organisation(actor, kind)
    files.check_workbook(uploaded, max_bytes=IMPORT_MAX_BYTES)
    job = ImportJob(kind=kind, organisation=organisation, created_by=actor, original_name=uploaded.name[-200:])
    job.file.save(f"{uuid.uuid4().hex}.xlsx", uploaded, save=False)  # never the uploaded name
    job.save()
    audit.record(actor=actor, event="import.created", obj=job, details={"kind": kind, "file": job.original_name})
    language = get_language()
    # robust: a broker that is down must not turn the saved upload into an error page; the job
    # then shows as waiting.
    transaction.on_commit(lambda: _queue(job.pk, language), robust=True)
    return job


def _queue(job_id: int, language: str | None) -> None:
    from registry.tasks import import_run_task

    import_run_task.delay(job_id, language=language)


def import_job_run(*, job_id: int, language: str | None = None) -> ImportJob | None:
    """Run a waiting job once (the rules of ``registry.imports``). A job that is done or failed
    on its rows is left alone; one held by a living worker raises ``jobs.JobBusy``; a job whose
    worker died (``paperwork.jobs``) is run again from the start. A passing database error puts
    the job back to waiting and is raised for the task to retry."""
    claimed = jobs.claim(ImportJob, job_id)
    job = ImportJob.objects.select_related("organisation__jurisdiction", "created_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    with (
        translation.override(language or settings.LANGUAGE_CODE),
        audit.acting_as(job.created_by_id),
        jobs.Heartbeat(ImportJob, job.pk),
    ):
        try:
            _run(job)
        except OperationalError:
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(status=ImportJob.Status.PENDING)
            raise
        except Exception:
            log.exception("import job %s stopped", job.pk)
            report = imports.Report()
            report.add(0, "", _("The import stopped on an unexpected error; nothing was saved. Tell the operator."))
            _finish(job, ImportJob.Status.FAILED, report)
    job.refresh_from_db()
    _notify(job)
    return job


def _notify(job: ImportJob) -> None:
    from django.urls import reverse

    from accounts.services import notification_send

    if job.status == ImportJob.Status.DONE:
        title = _("Import of %(name)s: %(n)d rows imported") % {"name": job.original_name, "n": job.imported_rows}
    elif job.status == ImportJob.Status.FAILED:
        title = _("Import of %(name)s: nothing imported, see the report") % {"name": job.original_name}
    else:
        return
    notification_send(recipient=job.created_by, title=title, link=reverse("import_detail", kwargs={"pk": job.pk}))


def import_job_refresh(job: ImportJob) -> ImportJob:
    """The read-time check: a running job whose worker died is shown as failed."""
    jobs.fail_if_stale(job)
    return job


def import_jobs_watch() -> tuple[int, int]:
    """On a schedule: fail the jobs whose worker died, queue the jobs never queued (the broker
    was away when they were uploaded). Returns (failed, queued)."""
    failed = jobs.fail_stale(ImportJob)
    queued = jobs.requeue_waiting(ImportJob, lambda pk: _queue(pk, None))
    return failed, queued


def import_job_abandon(*, job_id: int) -> None:
    """The task gave up retrying: the job fails instead of waiting for ever."""
    with translation.override(settings.LANGUAGE_CODE):
        report = imports.Report()
        report.add(0, "", _("The import could not be run (the database was unavailable); nothing was saved."))
        ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]).update(
            status=ImportJob.Status.FAILED, errors=report.as_list()
        )


def _finish(job: ImportJob, status: str, report, imported: int = 0) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, imported_rows=imported, errors=report.as_list() if report else []
    )


def _progress(job: ImportJob):
    # A queryset update outside the data transaction, so that the progress bar moves.
    return lambda processed: ImportJob.objects.filter(pk=job.pk).update(
        processed_rows=processed, heartbeat_at=timezone.now()
    )


def _run(job: ImportJob) -> None:
    actor = job.created_by
    with job.file.open("rb") as file:
        rows, report = imports.read_workbook(file, job.kind)
    if report:
        _finish(job, ImportJob.Status.FAILED, report)
        return
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
    report = imports.check_rows(
        actor=actor, kind=job.kind, organisation=job.organisation, rows=rows, progress=_progress(job)
    )
    if report:
        _finish(job, ImportJob.Status.FAILED, report)
        return
    report = imports.Report()
    try:
        with transaction.atomic():
            if not rules.can_finish_import(actor, job):
                raise PermissionDenied
            for row in rows:
                try:
                    imports.save_row(actor=actor, kind=job.kind, row=row)
                except ApplicationError as error:
                    report.add(row.number, imports.header_of(job.kind, *error.fields), error.message)
                except ValidationError as error:
                    for message in error.messages:
                        report.add(row.number, "", message)
                except PermissionDenied:
                    report.add(row.number, "", _("You may not import this row for your organisation."))
            if report:
                raise _RollBack
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE, processed_rows=len(rows), imported_rows=len(rows), errors=[]
            )
            audit.record(actor=actor, event="import.done", obj=job, details={"kind": job.kind, "rows": len(rows)})
    except PermissionDenied:
        report.add(0, "", _("You no longer act for %(organisation)s: nothing was imported.")
                   % {"organisation": job.organisation.name})  # fmt: skip
        _finish(job, ImportJob.Status.FAILED, report)
    except _RollBack:
        _finish(job, ImportJob.Status.FAILED, report)
