"""The workforce import jobs: each seen by its uploader only (policy rule 29; another's job
answers 404)."""

from django.db.models import QuerySet

from accounts import policy
from training.models import WorkforceImportJob


def import_job_get(*, actor, pk: int) -> WorkforceImportJob:
    jobs = WorkforceImportJob.objects.select_related("institution", "programme", "created_by")
    return policy.get_visible_or_404(actor, jobs, pk=pk)


def import_job_list(*, actor) -> QuerySet:
    """The actor's own imports, newest first (rule 29: a job is its uploader's only)."""
    return (
        WorkforceImportJob.objects.visible_to(actor)
        .select_related("institution", "programme", "created_by")
        .order_by("-created_at", "-pk")
    )
