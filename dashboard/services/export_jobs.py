"""Export jobs: a requested spreadsheet of a region's figures."""

from accounts.models import Region
from dashboard.models import ExportJob


def export_job_create(*, actor, region: Region) -> ExportJob:
    """A pending export of ``region`` for ``actor``; the caller checks the region is in sight,
    records the request and queues the run (``dashboard.exports.dashboards.export_job_start``)."""
    return ExportJob.objects.create(region=region, requested_by=actor)
