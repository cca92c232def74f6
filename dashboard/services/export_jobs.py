"""Export jobs: a requested spreadsheet of a region's figures."""

from accounts.models import Region
from dashboard.models import ExportJob


def export_job_create(*, actor, region: Region | None = None, list_name: str = "", query: str = "") -> ExportJob:
    """A pending export for ``actor``: of ``region`` (the caller checks the region is in sight)
    or of the list ``list_name`` with the filters of ``query`` (the run applies the requester's
    sight); the caller records the request and queues the run (``dashboard.exports``)."""
    return ExportJob.objects.create(region=region, list_name=list_name, query=query[:2000], requested_by=actor)


def export_job_update(*, job_id: int, **fields) -> None:
    """Write fields of a job outside the run's lock (its progress, its end): a conditional
    update, visible at once to the job's page."""
    ExportJob.objects.filter(pk=job_id).update(**fields)
