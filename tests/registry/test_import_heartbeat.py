"""The registry's import jobs survive a dead worker: a running job without a heartbeat is shown
as failed, the task's next delivery runs it again from the start to the same result, a job held
by a living worker is left to it, and the uploader is notified of the outcome."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from paperwork import jobs
from registry.models import ImportJob, Registration
from registry.services import imports as import_services
from registry.tasks import import_run_task, imports_watch_task
from tests.helpers import english, workbook
from tests.registry.test_imports import REGISTRATION_HEADERS, URL, registration_row

pytestmark = pytest.mark.django_db


def queued_job(client_as, django_capture_on_commit_callbacks, *indexes: int, run: bool = False) -> ImportJob:
    client = english(client_as("amr"))
    content = workbook(REGISTRATION_HEADERS, [registration_row(index) for index in indexes])
    with django_capture_on_commit_callbacks(execute=run):
        client.post(URL, {"kind": "registrations", "file": SimpleUploadedFile("导入.xlsx", content)})
    return ImportJob.objects.order_by("-pk").first()


def held(job: ImportJob, seconds_ago: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_a_dead_workers_job_is_failed_then_rerun_to_the_same_result(client_as, django_capture_on_commit_callbacks):
    job = queued_job(client_as, django_capture_on_commit_callbacks, 700, 701)
    held(job, seconds_ago=jobs.timeout() + 30)
    data = english(client_as("amr")).get(f"/registry/imports/{job.pk}/status/").json()
    assert (data["status"], data["finished"]) == ("failed", True)
    assert "the worker running it stopped" in data["errors"][0]["message"]
    before = Registration.objects.count()
    assert import_run_task.delay(job.pk).get() == ImportJob.Status.DONE
    assert import_run_task.delay(job.pk).get() == ImportJob.Status.DONE
    job.refresh_from_db()
    assert Registration.objects.count() == before + 2 and (job.imported_rows, job.attempts) == (2, 1)
    note = Notification.objects.filter(recipient=job.created_by).latest("pk")
    assert note.title == "Import of 导入.xlsx: 2 rows imported" and note.link == f"/registry/imports/{job.pk}/"


def test_a_job_with_a_fresh_heartbeat_is_left_to_its_worker(client_as, django_capture_on_commit_callbacks):
    job = queued_job(client_as, django_capture_on_commit_callbacks, 710)
    held(job, seconds_ago=3)
    with pytest.raises(jobs.JobBusy):
        import_services.import_job_run(job_id=job.pk)
    assert english(client_as("amr")).get(f"/registry/imports/{job.pk}/status/").json()["status"] == "running"
    assert imports_watch_task.delay().get()[0] == 0


def test_the_watch_fails_the_stale_and_queues_the_forgotten(client_as, django_capture_on_commit_callbacks):
    dead = queued_job(client_as, django_capture_on_commit_callbacks, 720)
    forgotten = queued_job(client_as, django_capture_on_commit_callbacks, 721)
    held(dead, seconds_ago=jobs.timeout() + 1)
    ImportJob.objects.filter(pk=forgotten.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert list(imports_watch_task.delay().get()) == [1, 1]
    dead.refresh_from_db(), forgotten.refresh_from_db()
    assert (dead.status, dead.interrupted, forgotten.status) == ("failed", True, "done")


def test_progress_beats_the_heartbeat(client_as, django_capture_on_commit_callbacks):
    started = timezone.now()
    job = queued_job(client_as, django_capture_on_commit_callbacks, 730, run=True)
    assert job.status == ImportJob.Status.DONE and job.heartbeat_at >= started


def test_an_upload_while_the_broker_is_away_is_kept_waiting_and_queued_later(
    client_as, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError as BrokerUnavailable

    def refuse(*args, **kwargs):
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(import_run_task, "delay", refuse)
    client = english(client_as("amr"))
    content = workbook(REGISTRATION_HEADERS, [registration_row(740)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"kind": "registrations", "file": SimpleUploadedFile("导入.xlsx", content)})
    job = ImportJob.objects.order_by("-pk").first()
    assert response.status_code == 302 and job.status == ImportJob.Status.PENDING
    assert 'data-testid="import-waiting"' in client.get(f"/registry/imports/{job.pk}/").content.decode()
    monkeypatch.undo()  # the broker is back
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert list(imports_watch_task.delay().get()) == [0, 1]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported_rows == 1
