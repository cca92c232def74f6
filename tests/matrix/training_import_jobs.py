"""The workforce import jobs in the permission matrix: a job's page and its status are its
uploader's only (nursery1's staff import, simen's participant import); everyone else, the
colleagues included, gets 404."""

from accounts.models import User
from registry.models import Institution
from tests.permission_matrix import Case
from training.models import TrainingProgramme, WorkforceImportJob


def _job(uploader: str, kind: str):
    def make(username):
        target = {}
        if kind == WorkforceImportJob.Kind.STAFF:
            target["institution"] = Institution.objects.get(organisation__code="demo-simen-xingxing")
        else:
            target["programme"] = TrainingProgramme.objects.filter(organiser__code="township-330281103").first() or (
                TrainingProgramme.objects.order_by("pk").first()
            )
        job = WorkforceImportJob.objects.create(
            kind=kind,
            file="imports/workforce/matrix.xlsx",
            original_name="matrix.xlsx",
            created_by=User.objects.get(username=uploader),
            **target,
        )
        return {"pk": job.pk}

    return make


TARGETS = {
    "workforce_job_nursery1": _job("nursery1", WorkforceImportJob.Kind.STAFF),
    "workforce_job_simen": _job("simen", WorkforceImportJob.Kind.PARTICIPANTS),
}

CASES = [
    Case(name, frozenset({uploader}), target=f"workforce_job_{uploader}")
    for name in ("training_import_detail", "training_import_status")
    for uploader in ("nursery1", "simen")
]
