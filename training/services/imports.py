"""Workforce imports as background jobs: the upload is kept and queued, and a Celery task
(``training.tasks.import_run_task``) reads, checks and saves it with the rules of
``training.imports``, reporting progress, a row report and a notification to the uploader.

A job's life (claiming, heartbeat, a dead worker's job failed and run again) is that of
``paperwork.jobs``. Idempotent: the rows are saved in the same transaction that marks the job
done, so a rerun of the same job never saves a row twice."""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import audit
from accounts.services import notification_send
from paperwork import jobs
from paperwork.spreadsheets import Report
from training import imports
from training.models import WorkforceImportJob

log = logging.getLogger(__name__)
Job = WorkforceImportJob


class Tracker:
    """What an import tells its job: the rows read (progress), and the rows saved (inside the
    data transaction, so that the job is done exactly when its rows are)."""

    def __init__(self, job: WorkforceImportJob):
        self.job = job

    def read(self, count: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total_rows=count, processed_rows=0, heartbeat_at=timezone.now())

    def saved(self, count: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(
            status=Job.Status.DONE, processed_rows=count, imported_rows=count, errors=[]
        )


@transaction.atomic
def import_job_create(*, actor, kind: str, uploaded, institution=None, programme=None) -> WorkforceImportJob:
    """Keep the uploaded workbook (refused with a message if it is not a real .xlsx or too big)
    and queue its import. The caller has checked that the actor may import it; the task checks
    again when it runs."""
    imports.check_file(uploaded)
    job = Job(kind=kind, institution=institution, programme=programme, created_by=actor,
              original_name=uploaded.name[-200:])  # fmt: skip
    job.file.save(f"{uuid.uuid4().hex}.xlsx", uploaded, save=False)  # never the uploaded name
    job.save()
    details = {"kind": kind, "file": job.original_name}
    audit.record(actor=actor, event="workforce_import.created", obj=job, details=details)
    language = get_language()
    # robust: a broker that is down leaves the job waiting (queued again by imports_watch_task).
    transaction.on_commit(lambda: _queue(job.pk, language), robust=True)
    return job


def _queue(job_id: int, language: str | None) -> None:
    from training.tasks import import_run_task

    import_run_task.delay(job_id, language=language)


def _import(job: WorkforceImportJob, file, tracker: Tracker) -> tuple[int, Report]:
    actor = job.created_by
    if job.kind == Job.Kind.STAFF:
        return imports.staff_import(actor=actor, institution=job.institution, file=file, tracker=tracker)
    if job.kind == Job.Kind.CERTIFICATES:
        return imports.certificate_import(actor=actor, institution=job.institution, file=file, tracker=tracker)
    return imports.participant_import(actor=actor, programme=job.programme, file=file, tracker=tracker)


def upload_path(job: WorkforceImportJob) -> str:
    """The page the file was uploaded on (the security log names it for a ban-list match)."""
    if job.kind == Job.Kind.PARTICIPANTS:
        return reverse("participant_import", kwargs={"pk": job.programme_id})
    return reverse("staff_import" if job.kind == Job.Kind.STAFF else "certificate_import")


def _fail(job: WorkforceImportJob, message: str) -> None:
    report = Report()
    report.add(0, "", message)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, errors=report.as_list())


def import_job_run(*, job_id: int, language: str | None = None) -> WorkforceImportJob | None:
    """Run a job once: a job done or failed on its rows is left alone; one held by a living
    worker raises ``jobs.JobBusy``; a passing database error puts it back to waiting and is
    raised for the task to retry."""
    claimed = jobs.claim(Job, job_id)
    job = Job.objects.select_related("institution", "programme__region", "created_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    with (
        translation.override(language or settings.LANGUAGE_CODE),
        audit.acting_as(job.created_by_id, path=upload_path(job)),
        jobs.Heartbeat(Job, job.pk),
    ):
        try:
            with job.file.open("rb") as file:
                imported, report = _import(job, file, Tracker(job))
            if report:
                Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, imported_rows=0, errors=report.as_list())
        except PermissionDenied:
            _fail(job, _("You may no longer import into this roster or programme: nothing was imported."))
        except OperationalError:
            Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(status=Job.Status.PENDING)
            raise
        except Exception:
            log.exception("workforce import job %s stopped", job.pk)
            _fail(job, _("The import stopped on an unexpected error; nothing was saved. Tell the operator."))
    job.refresh_from_db()
    _notify(job)
    return job


def _notify(job: WorkforceImportJob) -> None:
    link = reverse("training_import_detail", kwargs={"pk": job.pk})
    if job.status == Job.Status.DONE:
        title = _("Import of %(name)s: %(n)d rows imported") % {"name": job.original_name, "n": job.imported_rows}
    elif job.status == Job.Status.FAILED:
        title = _("Import of %(name)s: nothing imported, see the report") % {"name": job.original_name}
    else:
        return
    notification_send(recipient=job.created_by, title=title, link=link)


def import_job_abandon(*, job_id: int) -> None:
    """The task gave up retrying: the job fails instead of waiting for ever."""
    with translation.override(settings.LANGUAGE_CODE):
        report = Report()
        report.add(0, "", _("The import could not be run (the database was unavailable); nothing was saved."))
        Job.objects.filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
            status=Job.Status.FAILED, errors=report.as_list()
        )


def import_job_refresh(job: WorkforceImportJob) -> WorkforceImportJob:
    """The read-time check: a running job whose worker died is shown as failed."""
    jobs.fail_if_stale(job)
    return job


def import_jobs_watch() -> tuple[int, int]:
    """On a schedule: fail the jobs whose worker died, queue the jobs never queued."""
    return jobs.fail_stale(Job), jobs.requeue_waiting(Job, lambda pk: _queue(pk, None))
