"""The workforce import jobs: each seen by its uploader only (another's job answers 404)."""

from django.http import Http404

from training.models import WorkforceImportJob


def import_job_get(*, actor, pk: int) -> WorkforceImportJob:
    job = (
        WorkforceImportJob.objects.select_related("institution", "programme", "created_by")
        .filter(pk=pk, created_by_id=actor.pk)
        .first()
    )
    if job is None:
        raise Http404
    return job
