"""Beyond one machine: the read replica's router and the storage chosen by the environment.

The router sends reads to the ``replica`` alias only inside ``replica_reads()`` and only when
``DATABASE_REPLICA_URL`` configured one; writes and every other read go to the primary. The
dashboards and their exports read inside ``replica_reads()``. ``STORAGE_BACKEND=s3`` puts the
uploaded files in an S3-compatible object store (django-storages) instead of the local disk."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import Region, User
from dashboard.exports import dashboards as exports
from dashboard.models import ExportJob, Snapshot
from yuyao_childcare import replica
from yuyao_childcare.replica import REPLICA, ReplicaRouter, replica_reads

ROOT = Path(__file__).resolve().parents[1]
PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "HOST": "primary.internal"}
TWO_ALIASES = {"default": PRIMARY, REPLICA: {**PRIMARY, "HOST": "replica.internal"}}
ONE_ALIAS = {"default": PRIMARY}
CITY = "330281"  # 余姚市


# The router reads the aliases from the settings: these cases name two (or one) without connecting.
overriding_databases = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture
def router():
    return ReplicaRouter()


@overriding_databases
def test_with_a_replica_reads_inside_replica_reads_go_to_it_and_writes_to_the_primary(router):
    with override_settings(DATABASES=TWO_ALIASES):
        assert router.db_for_read(Snapshot) is None  # outside: the primary (default)
        with replica_reads():
            assert router.db_for_read(Snapshot) == REPLICA
            assert router.db_for_write(Snapshot) == "default"
            with replica_reads():  # nested: still the replica, and back to it afterwards
                assert router.db_for_read(Snapshot) == REPLICA
            assert router.db_for_read(Snapshot) == REPLICA
        assert router.db_for_read(Snapshot) is None
        assert router.db_for_write(Snapshot) == "default"


@overriding_databases
def test_without_a_replica_replica_reads_changes_nothing(router):
    with override_settings(DATABASES=ONE_ALIAS), replica_reads():
        assert router.db_for_read(Snapshot) is None
        assert router.db_for_write(Snapshot) == "default"


@overriding_databases
def test_replica_reads_works_as_a_decorator_and_ends_on_an_error(router):
    @replica_reads()
    def read():
        return router.db_for_read(Snapshot)

    with override_settings(DATABASES=TWO_ALIASES):
        assert read() == REPLICA
        with pytest.raises(RuntimeError), replica_reads():
            raise RuntimeError
        assert router.db_for_read(Snapshot) is None


def test_the_replica_is_never_migrated_and_relations_cross_aliases(router):
    assert router.allow_migrate("default", "dashboard") is None or router.allow_migrate("default", "dashboard")
    assert router.allow_migrate(REPLICA, "dashboard") is False
    assert router.allow_relation(Snapshot(), Snapshot()) is True


@pytest.mark.django_db
def test_the_dashboards_and_their_exports_read_inside_replica_reads(
    client_as, monkeypatch, django_capture_on_commit_callbacks
):
    """Which reads would go to a replica: the snapshots of the pages and of the Excel file, not
    the export job's row, locked on the primary."""
    marked: list[tuple[str, bool]] = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        marked.append((model._meta.label, replica._reading_from_replica.get()))
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    leader = client_as("leader")
    for url in (reverse("city_dashboard"), reverse("dashboard_export", args=[CITY])):
        marked.clear()
        assert leader.get(url).status_code == 200
        snapshot_reads = [on_replica for label, on_replica in marked if label == "dashboard.Snapshot"]
        assert snapshot_reads and all(snapshot_reads), url

    marked.clear()
    leader_user, city = User.objects.get(username="leader"), Region.objects.get(code=CITY)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_job_start(actor=leader_user, region=city)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE  # run in-process by the test settings
    assert all(on_replica for label, on_replica in marked if label == "dashboard.Snapshot")
    assert not any(on_replica for label, on_replica in marked if label == "dashboard.ExportJob")


def _settings_in_a_fresh_process(tmp_path, **variables) -> subprocess.CompletedProcess:
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "default_storage = storages['default']\n"
        "print(type(default_storage).__module__, type(default_storage).__name__)\n"
        "print(getattr(default_storage, 'bucket_name', ''), getattr(default_storage, 'endpoint_url', ''))\n"
        "print(sorted(settings.DATABASES), settings.DATABASES.get('replica', {}).get('HOST'))\n"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "STORAGE_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="yuyao_childcare.settings", DJANGO_ENV="test", VAR_DIR=str(tmp_path), **variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_s3_storage_and_a_replica_are_chosen_by_the_environment(tmp_path):
    result = _settings_in_a_fresh_process(
        tmp_path,
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="portal-files",
        AWS_S3_ENDPOINT_URL="http://objects.internal:9000",
        DATABASE_REPLICA_URL="postgres://portal@replica.internal:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    storage, bucket, databases = result.stdout.splitlines()
    assert storage == "storages.backends.s3 S3Storage"
    assert bucket == "portal-files http://objects.internal:9000"
    assert databases == "['default', 'replica'] replica.internal"


def test_by_default_files_are_on_the_local_disk_and_there_is_no_replica(tmp_path):
    result = _settings_in_a_fresh_process(tmp_path)
    assert result.returncode == 0, result.stderr
    storage, _bucket, databases = result.stdout.splitlines()
    assert storage == "django.core.files.storage.filesystem FileSystemStorage"
    assert databases == "['default'] None"


def test_s3_storage_without_a_bucket_refuses_to_start(tmp_path):
    result = _settings_in_a_fresh_process(tmp_path, STORAGE_BACKEND="s3")
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME must be set when STORAGE_BACKEND is s3" in result.stderr
