"""Workforce imports as background jobs: the upload is queued (nothing is saved in the request),
a Celery task imports it with progress, the row report and a notification to the uploader, a
rerun of the same job gives the same result, and a job whose worker died (no heartbeat) is shown
as failed, then run again from the start by the task's next delivery.

Tasks run in-process in tests, when the upload's transaction commits."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from paperwork import jobs
from tests.helpers import english, workbook
from tests.training.helpers import add_staff, id_number
from tests.training.test_imports import (
    CERTIFICATE_HEADERS,
    CERTIFICATE_URL,
    PARTICIPANT_HEADERS,
    STAFF_HEADERS,
    STAFF_URL,
    VILLAGE_SIMEN,
    certificate_row,
    participant_url,
    staff_row,
    village_programme,
)
from training.models import Certificate, Participant, StaffMember, WorkforceImportJob
from training.services import imports as import_services
from training.tasks import import_run_task, imports_watch_task

pytestmark = pytest.mark.django_db

Job = WorkforceImportJob


def last_job() -> WorkforceImportJob:
    return Job.objects.order_by("-pk").first()


def upload(client, url: str, content: bytes):
    return client.post(url, {"file": SimpleUploadedFile("导入.xlsx", content)})


def staff_job(client_as, django_capture_on_commit_callbacks, *sequences: int) -> WorkforceImportJob:
    client = english(client_as("nursery1"))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(n, class_group="") for n in sequences]))
    return last_job()


def kill_mid_import(job: WorkforceImportJob, seconds_ago: int = 600) -> None:
    """What a worker killed in the middle leaves: the job held (running), its rows rolled back,
    and no heartbeat since."""
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, imported_rows=0, errors=[],
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )  # fmt: skip


def test_each_kind_is_queued_by_the_upload_and_imported_by_the_task(
    client_as, cast, django_capture_on_commit_callbacks
):
    member = add_staff(cast["nursery1"], sequence=60)
    programme = village_programme(cast)
    files = [
        ("nursery1", STAFF_URL, workbook(STAFF_HEADERS, [staff_row(61, class_group="")]), StaffMember, Job.Kind.STAFF),
        ("nursery1", CERTIFICATE_URL,
         workbook(CERTIFICATE_HEADERS, [certificate_row("JOB-0001", id_number=id_number(60))]),
         Certificate, Job.Kind.CERTIFICATES),
        ("simen", participant_url(programme),
         workbook(PARTICIPANT_HEADERS, [["村（社区）卫生健康指导员", "指导员丙", None, VILLAGE_SIMEN, None]]),
         Participant, Job.Kind.PARTICIPANTS),
    ]  # fmt: skip
    for username, url, content, model, kind in files:
        client = english(client_as(username))
        before = model.objects.count()
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = upload(client, url, content)
        job = last_job()
        assert response.status_code == 302 and response["Location"] == reverse("training_import_detail", args=[job.pk])
        # The request only kept the file: nothing is imported until the task runs.
        assert (job.kind, job.status, model.objects.count()) == (kind, Job.Status.PENDING, before)
        assert len(queued) == 1
        queued[0]()
        job.refresh_from_db()
        assert (job.status, job.total_rows, job.processed_rows, job.imported_rows) == (Job.Status.DONE, 1, 1, 1)
        assert model.objects.count() == before + 1
        assert job.created_by.username == username and job.attempts == 1
    assert member.certificates.filter(number="JOB-0001").exists()


def test_the_uploader_is_notified_and_the_status_tells_the_progress(client_as, django_capture_on_commit_callbacks):
    job = staff_job(client_as, django_capture_on_commit_callbacks, 62, 63)
    note = Notification.objects.filter(recipient=job.created_by).latest("pk")
    assert note.title == "Import of 导入.xlsx: 2 rows imported" and note.link == f"/training/imports/jobs/{job.pk}/"
    data = english(client_as("nursery1")).get(reverse("training_import_status", args=[job.pk])).json()
    assert (data["status"], data["finished"], data["percent"], data["imported"]) == ("done", True, 100, 2)


def test_a_refused_file_notifies_and_shows_its_report_on_the_jobs_page(client_as, django_capture_on_commit_callbacks):
    client = english(client_as("nursery1"))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(64, class_group="", role="园丁")]))
    job = last_job()
    assert job.status == Job.Status.FAILED and job.errors[0]["row"] == 2
    assert "nothing imported" in Notification.objects.filter(recipient=job.created_by).latest("pk").title
    page = client.get(reverse("training_import_detail", args=[job.pk])).content.decode()
    assert "Unknown value “园丁”" in page and "Nothing was imported" in page


def test_running_a_done_job_again_saves_nothing_twice(client_as, django_capture_on_commit_callbacks):
    job = staff_job(client_as, django_capture_on_commit_callbacks, 65, 66)
    before = StaffMember.objects.count()
    assert import_run_task.delay(job.pk).get() == Job.Status.DONE
    assert import_run_task.delay(job.pk).get() == Job.Status.DONE
    job.refresh_from_db()
    assert StaffMember.objects.count() == before and (job.imported_rows, job.attempts) == (2, 1)


def test_a_job_whose_worker_died_shows_as_failed_and_its_rerun_gives_the_same_result(
    client_as, django_capture_on_commit_callbacks
):
    client = english(client_as("nursery1"))
    with django_capture_on_commit_callbacks(execute=False):
        upload(
            client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(67, class_group=""), staff_row(68, class_group="")])
        )
    job = last_job()
    kill_mid_import(job)
    data = client.get(reverse("training_import_status", args=[job.pk])).json()
    assert (data["status"], data["finished"]) == ("failed", True)
    assert "the worker running it stopped" in data["errors"][0]["message"]
    job.refresh_from_db()
    assert job.interrupted and not StaffMember.objects.filter(name__in=["导入67", "导入68"]).exists()
    # The broker delivers the unacknowledged task again: the job runs from the start, once.
    assert import_run_task.delay(job.pk).get() == Job.Status.DONE
    assert import_run_task.delay(job.pk).get() == Job.Status.DONE
    job.refresh_from_db()
    assert (job.imported_rows, job.interrupted, job.errors) == (2, False, [])
    assert StaffMember.objects.filter(name__in=["导入67", "导入68"]).count() == 2


def test_a_job_held_by_a_living_worker_is_not_run_twice(client_as, django_capture_on_commit_callbacks):
    client = english(client_as("nursery1"))
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(69, class_group="")]))
    job = last_job()
    kill_mid_import(job, seconds_ago=5)  # a fresh heartbeat: its worker is alive
    with pytest.raises(jobs.JobBusy):
        import_services.import_job_run(job_id=job.pk)
    assert import_run_task.delay(job.pk).get() == jobs.RUNNING
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and not StaffMember.objects.filter(name="导入69").exists()
    assert client.get(reverse("training_import_status", args=[job.pk])).json()["status"] == "running"


def test_the_watch_fails_dead_jobs_and_queues_jobs_that_were_never_queued(
    client_as, django_capture_on_commit_callbacks
):
    client = english(client_as("nursery1"))
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(70, class_group="")]))
        upload(client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(71, class_group="")]))
        upload(client, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(72, class_group="")]))
    dead, waiting, fresh = Job.objects.order_by("pk")[:3]
    kill_mid_import(dead)
    # The broker was away when it was uploaded: its task was never queued.
    Job.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert list(imports_watch_task.delay().get()) == [1, 1]  # (failed, queued)
    dead.refresh_from_db(), waiting.refresh_from_db(), fresh.refresh_from_db()
    assert (dead.status, dead.interrupted) == (Job.Status.FAILED, True)
    assert waiting.status == Job.Status.DONE and StaffMember.objects.filter(name="导入71").exists()
    assert fresh.status == Job.Status.PENDING  # just uploaded: its own task is on its way


def test_another_users_job_is_not_found(client_as, django_capture_on_commit_callbacks):
    job = staff_job(client_as, django_capture_on_commit_callbacks, 73)
    for username in ("nursery2", "health", "simen"):
        assert client_as(username).get(reverse("training_import_detail", args=[job.pk])).status_code == 404


def test_the_jobs_page_keeps_a_fixed_query_count(client_as, django_capture_on_commit_callbacks,
                                                 django_assert_max_num_queries):  # fmt: skip
    job = staff_job(client_as, django_capture_on_commit_callbacks, 74, 75, 76)
    client = client_as("nursery1")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training_import_detail", args=[job.pk])).status_code == 200
