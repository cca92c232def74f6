"""The background export of a list larger than a page (``accounts.lists.export``): the same
job, task, download page and notification as a dashboard's export, with progress.

The job keeps the list's name and the page's query string; the run rebuilds the list's filter
set from them with the requester's sight as it is when it runs (someone who lost sight of rows
gets a file without them; filters no longer valid fail the job)."""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, lists
from accounts.models import User
from accounts.services import notification_send
from dashboard import selectors
from dashboard.models import ExportJob
from dashboard.services import export_jobs as services
from dashboard.tasks import list_export_run_task
from paperwork import spreadsheets
from yuyao_childcare.replica import replica_reads


@transaction.atomic
def list_export_start(*, actor: User, spec: lists.ListSpec, query: str) -> ExportJob:
    """Queue the export of ``spec`` with the filters of ``query`` (already judged valid)."""
    job = services.export_job_create(actor=actor, list_name=spec.name, query=query)
    audit.record(actor=actor, event="list.export_requested", obj=job, details={"list": spec.name, "query": query})
    transaction.on_commit(lambda: list_export_run_task.delay(job.pk), robust=True)  # a broker away: the job waits
    return job


def _fail(job_id: int) -> str:
    services.export_job_update(job_id=job_id, status=ExportJob.Status.FAILED, finished_at=timezone.now())
    return ExportJob.Status.FAILED


def list_export_run(*, job_id: int) -> str:
    """Build a list export and notify its requester; returns the job's status.

    Idempotent: only a pending job is claimed (a conditional update, so two runs cannot both
    build it); a done or failed one is left alone. The rows are counted and written outside the
    claim, so the download page can read the progress while the file is built."""
    with transaction.atomic():
        job = selectors.export_job_lock(job_id=job_id)
        if job is None:
            return "missing"
        if job.status != ExportJob.Status.PENDING or not job.list_name:
            return job.status
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    spec = lists.spec_get(job.list_name)
    actor = job.requested_by
    if spec is None or not actor.is_active:
        return _fail(job.pk)
    try:
        filterset = lists.filtered(spec, actor=actor, data=QueryDict(job.query))
    except (PermissionDenied, Http404):  # the requester lost the list's duty
        return _fail(job.pk)
    if not filterset.is_valid():
        return _fail(job.pk)
    queryset = filterset.qs
    with replica_reads():  # the rows only; the job's own row is written on the primary
        total = queryset.count()
    services.export_job_update(job_id=job.pk, total=total)

    def progress(done: int) -> None:
        services.export_job_update(job_id=job.pk, done=done)

    try:
        with replica_reads():
            content = spreadsheets.workbook_bytes(
                lambda workbook: spreadsheets.write_sheet(
                    workbook,
                    title=spec.title,
                    columns=spec.columns_for(actor),
                    rows=lists.write_rows(spec, queryset, progress=progress),
                )  # fmt: skip
            )
    except OperationalError:
        # Back to pending, so that the task's retry builds it again.
        services.export_job_update(job_id=job.pk, status=ExportJob.Status.PENDING, done=0)
        raise
    except Exception:
        _fail(job.pk)
        raise
    with transaction.atomic():
        job = selectors.export_job_lock(job_id=job.pk)
        job.file.save(f"list-{spec.name}-{job.pk}.xlsx", ContentFile(content), save=False)
        job.status, job.finished_at, job.done = ExportJob.Status.DONE, timezone.now(), job.total
        job.save(update_fields=["file", "status", "finished_at", "done"])
        notification_send(
            recipient=actor,
            title=_("Your export is ready: %(list)s") % {"list": spec.title},
            link=reverse("export_job_download", args=[job.pk]),
        )
    return job.status


def list_export_filename(job: ExportJob) -> str:
    spec = lists.spec_get(job.list_name)
    return lists.export_filename(spec, job.created_at) if spec else f"export-{job.pk}.xlsx"
