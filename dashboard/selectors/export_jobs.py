"""Export jobs: one requested spreadsheet of a region's figures."""

from accounts import policy
from accounts.models import User
from dashboard.models import ExportJob


def export_job_get(*, actor: User, pk: int) -> ExportJob:
    return policy.get_visible_or_404(actor, ExportJob.objects.select_related("region"), pk=pk)


def export_job_lock(*, job_id: int) -> ExportJob | None:
    """A job with its region and requester, locked until the caller's transaction ends (the run
    builds the file once); ``None`` once it is gone. Not scoped here: the run asks the
    requester's sight itself. Only the job's row is locked: PostgreSQL cannot lock the missing
    side of an outer join, and a list export has no region."""
    return (
        ExportJob.objects.select_for_update(of=("self",))
        .filter(pk=job_id)
        .select_related("region", "requested_by")
        .first()
    )
