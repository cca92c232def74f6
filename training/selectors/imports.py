"""The workforce import jobs: each seen by its uploader only (policy rule 29; another's job
answers 404)."""

from accounts import policy
from training.models import WorkforceImportJob


def import_job_get(*, actor, pk: int) -> WorkforceImportJob:
    jobs = WorkforceImportJob.objects.select_related("institution", "programme", "created_by")
    return policy.get_visible_or_404(actor, jobs, pk=pk)
