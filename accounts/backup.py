"""Backups and restore drills: ``manage.py backup`` and ``manage.py restore_check``.

A backup is one folder ``backup-<UTC time>/`` holding

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite: a
  copy made with SQLite's online backup API, safe while the portal writes),
- ``media/``: every file of the default storage (the attachments), read through Django's storage
  API so another storage backend is backed up the same way,
- ``manifest.json``: when, which engine and database, the row count of every table, the size and
  SHA-256 of every attachment and of the dump.

The folder is written as ``….partial`` and renamed when complete, so a half-written backup is
never taken for a good one. On PostgreSQL the row counts and the dump read one exported snapshot,
so they agree even while the portal keeps writing.

``restore_check`` trusts nothing it has not checked: the dump's checksum first, then a restore into
a scratch database (PostgreSQL: a new database, dropped afterwards; SQLite: a temporary file), the
row count of every table against the manifest, and every attachment's size and checksum.

Expected failures (no pg_dump, an unwritable folder, a bad manifest, a failed restore) raise
``BackupError`` with a Chinese and English message; the commands turn it into a ``CommandError``.
This module is operator tooling, not a business service: it reads tables with plain SQL and
writes nothing into the portal's database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """An expected failure, with a message for the operator in Chinese and English."""


# --- Helpers ------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库类型 {vendor} / unsupported database engine {vendor}")
    return vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_env() -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore: the password never appears on a command line."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


@contextmanager
def _pg_connect(dbname: str | None = None, *, autocommit: bool = False):
    """A connection of its own, outside Django's: its transaction and snapshot are ours alone."""
    import psycopg2

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    if dbname:
        params["dbname"] = dbname
    try:
        db = psycopg2.connect(**params)
    except psycopg2.Error as error:
        raise BackupError(f"无法连接数据库 / cannot connect to the database: {str(error).strip()}") from None
    db.autocommit = autocommit
    try:
        yield db
    finally:
        db.close()


def _run(command: list[str], *, what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"找不到 {command[0]}，请安装 PostgreSQL 客户端工具 / "
            f"{command[0]} not found: install the PostgreSQL client tools"
        )
    # The command is ours (pg_dump/pg_restore with our own paths and names), never user input.
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or [f"exit code {result.returncode}"]
        raise BackupError(f"{what}失败 / {command[0]} failed: {detail[0]}")


def _pg_table_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {table: db.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0] for table in tables}
    db.close()
    return counts


def _storage_files(path: str = ""):
    """Every file of the default storage, as storage names ("a/b.pdf"), depth first."""
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:  # no upload yet: the media folder does not exist
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for name in sorted(directories):
        yield from _storage_files(f"{path}/{name}" if path else name)


# --- backup -------------------------------------------------------------------------------


def _dump_postgresql(target: Path) -> tuple[str, dict[str, int]]:
    """pg_dump and the row counts from one exported snapshot (REPEATABLE READ, held open)."""
    name = connection.settings_dict["NAME"]
    with _pg_connect() as db, db.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_table_counts(cursor)
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={name}"],
            what="数据库导出",
        )
        db.rollback()
    return name, counts


def _dump_sqlite(target: Path) -> tuple[str, dict[str, int]]:
    if connection.in_atomic_block:
        # SQLite's backup API cannot read a database its own connection is writing: it would wait forever.
        raise BackupError("不能在事务中备份 / cannot back up from inside a transaction")
    connection.ensure_connection()
    name = str(connection.settings_dict["NAME"])
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    return name, _sqlite_table_counts(target)


def _copy_media(media_dir: Path) -> dict[str, dict]:
    files = {}
    for name in _storage_files():
        target = media_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files[name] = {"sha256": digest.hexdigest(), "size": size}
    return files


def create_backup(output: Path) -> tuple[Path, dict]:
    """Write one complete backup folder under ``output``; return its path and manifest."""
    engine = _engine()
    started = time.monotonic()
    now = datetime.now(UTC)
    final = output / f"backup-{now:%Y%m%dT%H%M%S}Z"
    partial = final.with_name(final.name + ".partial")
    try:
        output.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
    except FileExistsError:
        raise BackupError(f"备份目录已存在 / backup folder already exists: {final}") from None
    except OSError as error:
        raise BackupError(f"无法写入备份目录 / cannot write to the backup folder {output}: {error.strerror}") from None
    try:
        dump_name = PG_DUMP if engine == "postgresql" else SQLITE_DUMP
        dump = partial / dump_name
        database, tables = (_dump_postgresql if engine == "postgresql" else _dump_sqlite)(dump)
        files = _copy_media(partial / MEDIA_DIR)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "engine": engine,
            "database": database,
            "dump": {"file": dump_name, "sha256": sha256_of(dump), "size": dump.stat().st_size},
            "tables": tables,
            "files": files,
            "seconds": round(time.monotonic() - started, 2),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.rename(final)
    except OSError as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"写入备份失败 / writing the backup failed: {error}") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


# --- restore_check ------------------------------------------------------------------------


@dataclass
class CheckResult:
    tables: list[tuple[str, int | None, int | None]] = field(default_factory=list)  # name, manifest, restored
    files: list[tuple[str, str]] = field(default_factory=list)  # name, problem ("" when fine)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"不是备份目录（缺少 {MANIFEST}）/ not a backup folder (no {MANIFEST}): {folder}") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"无法读取清单 / cannot read the manifest: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"清单格式不支持 / unsupported manifest format in {folder}")
    return manifest


def _restore_postgresql(dump: Path, scratch: str) -> dict[str, int]:
    with _pg_connect(autocommit=True) as admin, admin.cursor() as cursor:
        try:
            cursor.execute(f"CREATE DATABASE {_quote(scratch)}")
        except Exception as error:
            raise BackupError(f"无法创建临时数据库 / cannot create the scratch database {scratch}: {error}") from None
        try:
            _run(
                ["pg_restore", "--exit-on-error", "--no-owner", "--no-privileges", f"--dbname={scratch}", str(dump)],
                what="数据库恢复",
            )
            with _pg_connect(scratch) as restored, restored.cursor() as restored_cursor:
                return _pg_table_counts(restored_cursor)
        finally:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(scratch)} WITH (FORCE)")


def _restore_sqlite(dump: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="restore_check_") as scratch:
        target = Path(scratch) / "restored.sqlite3"
        try:
            with sqlite3.connect(f"file:{dump}?mode=ro", uri=True) as source, sqlite3.connect(target) as copy:
                source.backup(copy)
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            source.close()
            copy.close()
        except sqlite3.Error as error:
            raise BackupError(f"数据库恢复失败 / the SQLite restore failed: {error}") from None
        if verdict != "ok":
            raise BackupError(f"恢复的数据库已损坏 / the restored database is damaged: {verdict}")
        return _sqlite_table_counts(target)


def scratch_name(database: str) -> str:
    suffix = f"_restore_check_{datetime.now(UTC):%Y%m%d%H%M%S}"
    return Path(database).name[: 63 - len(suffix)] + suffix  # PostgreSQL names stop at 63 bytes


def check_backup(folder: Path, *, scratch: str | None = None) -> CheckResult:
    """Verify the dump's checksum, restore it, compare row counts and attachment checksums."""
    started = time.monotonic()
    manifest = read_manifest(folder)
    result = CheckResult()
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(
            f"备份来自 {manifest.get('engine')}，当前数据库是 {engine} / "
            f"the backup is of {manifest.get('engine')}, this database is {engine}"
        )
    dump = folder / manifest["dump"]["file"]
    if not dump.is_file():
        raise BackupError(f"缺少数据库备份文件 / the dump is missing: {dump}")
    if sha256_of(dump) != manifest["dump"]["sha256"]:
        # A changed dump is not restored: what it would give is not what was backed up.
        result.problems.append(f"数据库备份校验和不符 / dump checksum mismatch: {dump.name}")
        result.seconds = time.monotonic() - started
        return result

    if engine == "postgresql":
        restored = _restore_postgresql(dump, scratch or scratch_name(manifest["database"]))
    else:
        restored = _restore_sqlite(dump)
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(restored)):
        result.tables.append((table, expected.get(table), restored.get(table)))
        if expected.get(table) != restored.get(table):
            counts = f"manifest {expected.get(table)}, restored {restored.get(table)}"
            result.problems.append(f"行数不符 / row count mismatch: {table} ({counts})")

    media = folder / MEDIA_DIR
    for name, expected_file in sorted(manifest["files"].items()):
        path = media / name
        if not path.is_file():
            problem = "缺失 / missing"
        elif path.stat().st_size != expected_file["size"] or sha256_of(path) != expected_file["sha256"]:
            problem = "校验和不符 / checksum mismatch"
        else:
            problem = ""
        result.files.append((name, problem))
        if problem:
            result.problems.append(f"附件{problem}: {name}")
    if media.is_dir():
        for path in sorted(p for p in media.rglob("*") if p.is_file()):
            name = path.relative_to(media).as_posix()
            if name not in manifest["files"]:
                result.files.append((name, "清单中没有 / not in the manifest"))
                result.problems.append(f"附件不在清单中 / file not in the manifest: {name}")
    result.seconds = time.monotonic() - started
    return result
