"""manage.py backup and restore_check: a backup restores into a scratch database with the same
row counts and attachment checksums, and a tampered backup is refused, naming what changed.

Each engine has its own test; the other engine's is skipped. On PostgreSQL the dump is taken by
pg_dump on a connection of its own, so it holds what is committed (the cast, loaded once per
session), not the current test's uncommitted rows; the manifest's counts read the same snapshot.
"""

import json
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User

pytestmark = pytest.mark.django_db

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup (the embedded default)")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (pg_dump)")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("filings/2026/12/plan.pdf", ContentFile(b"%PDF-1.4 fire evacuation plan"))
    default_storage.save("training/cert.png", ContentFile(b"\x89PNG certificate"))


def backup(tmp_path: Path, capsys) -> Path:
    call_command("backup", "--output", str(tmp_path / "backups"))
    assert "backup written" in capsys.readouterr().out
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("backup-") and not folder.name.endswith(".partial")
    return folder


def edit_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


# Transactional: SQLite's backup API cannot read a database while its own connection holds a
# write transaction (as every non-transactional test does), and the portal backs up committed data.
@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_with_the_same_counts_and_a_tampered_file_count_or_dump_is_named(
    cast, media, tmp_path, capsys
):
    folder = backup(tmp_path, capsys)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"]["accounts_user"] == User.objects.count() > 10
    assert set(manifest["files"]) == {"filings/2026/12/plan.pdf", "training/cert.png"}
    assert manifest["files"]["training/cert.png"]["size"] == len(b"\x89PNG certificate")

    call_command("restore_check", str(folder))
    out = capsys.readouterr().out
    assert "restore check passed" in out and "attachments: 2 ok, 0 bad" in out

    (folder / "media/filings/2026/12/plan.pdf").write_bytes(b"%PDF-1.4 someone else's plan")
    edit_manifest(folder, lambda m: m["tables"].update(accounts_user=m["tables"]["accounts_user"] + 1))
    with pytest.raises(CommandError) as failure:
        call_command("restore_check", str(folder))
    assert "checksum mismatch: filings/2026/12/plan.pdf" in str(failure.value)
    assert "row count mismatch: accounts_user" in str(failure.value)

    with (folder / "database.sqlite3").open("ab") as dump:
        dump.write(b"\0")  # a changed dump is refused before it is restored
    with pytest.raises(CommandError, match="dump checksum mismatch"):
        call_command("restore_check", str(folder))


def test_expected_failures_are_clear_messages_not_tracebacks(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(CommandError, match="cannot write to the backup folder"):
        call_command("backup", "--output", str(tmp_path / "a-file" / "backups"))
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="cannot back up from inside a transaction"):
            call_command("backup", "--output", str(tmp_path / "backups"))
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore_check", str(tmp_path))
    if connection.vendor == "postgresql":
        monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump to be found
        with pytest.raises(CommandError, match="pg_dump not found"):
            call_command("backup", "--output", str(tmp_path / "backups"))
        assert not list((tmp_path / "backups").iterdir())  # nothing half-written is left


@on_postgresql
def test_postgresql_backup_restores_into_a_scratch_database_that_is_dropped(cast, media, tmp_path, capsys):
    folder = backup(tmp_path, capsys)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql" and manifest["database"] == connection.settings_dict["NAME"]
    assert manifest["tables"]["accounts_user"] >= len(cast)  # the committed cast
    scratch = f"{connection.settings_dict['NAME']}_rc_{uuid.uuid4().hex[:8]}"

    call_command("restore_check", str(folder), "--scratch-name", scratch)
    assert "restore check passed" in capsys.readouterr().out

    (folder / "media/training/cert.png").write_bytes(b"forged")
    edit_manifest(folder, lambda m: m["tables"].update(accounts_user=m["tables"]["accounts_user"] - 1))
    with pytest.raises(CommandError) as failure:
        call_command("restore_check", str(folder), "--scratch-name", scratch)
    assert "checksum mismatch: training/cert.png" in str(failure.value)
    assert "row count mismatch: accounts_user" in str(failure.value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone()[0] == 0
