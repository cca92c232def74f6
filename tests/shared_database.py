"""One test database built per run, copied by every other worker.

Each pytest-xdist worker needs a database of its own with the migrations applied and the cast
loaded, and building one is most of a minute (the migrations alone are two thirds of it). When
the workers of a run outnumber the cores (CI runs two suites at once), every build slows the
others. So the first worker of a run to take the lock builds its database as before and then
publishes a copy, with the stored files its rows name; every other worker waits for it and
starts from the copy instead:

- PostgreSQL: ``CREATE DATABASE … TEMPLATE`` from a template database made from the builder's;
- SQLite (in memory): SQLite's backup API, from a file written by the builder.

The copy is named by the run (xdist's run id), so runs never meet, and it is removed when the
builder's session ends. Without xdist, or when a build fails (the next worker to take the lock
builds instead), everything happens as Django does it."""

import fcntl
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.backends.base.creation import BaseDatabaseCreation

RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")


class SharedBuild:
    """This worker's part: ``builder`` (builds, then publishes), ``copier`` (copies), or
    neither (no xdist)."""

    def __init__(self) -> None:
        self.builder = self.copier = False
        self._lock = None
        folder = Path(tempfile.gettempdir())
        self._lock_path = folder / f"yuyao-tests-{RUN}.lock"
        self._ready_path = folder / f"yuyao-tests-{RUN}.ready"
        self._sqlite_path = folder / f"yuyao-tests-{RUN}.sqlite3"
        # The files the cast's rows name (uploaded documents): copied with the rows.
        self._media_path = folder / f"yuyao-tests-{RUN}-media"
        # Named from the configured database (before the test database's name replaces it).
        self._template = f"test_{settings.DATABASES['default']['NAME']}_template_{RUN[:12]}"

    def begin(self) -> None:
        """Before the test database is created: take the lock; copy when a build is ready,
        otherwise build (keeping the lock until ``publish``)."""
        if not RUN:
            return
        self._lock = open(self._lock_path, "a")  # noqa: SIM115 (held until publish)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        if self._ready_path.exists():
            self.copier = True
            self._release()
            self._patch_creation()
        else:
            self.builder = True

    def publish(self) -> None:
        """After the builder loaded the cast: make the copy, then let the others in."""
        if not self.builder:
            return
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            connection.close()  # a template must have no other session
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self._template}"')
                cursor.execute(f'CREATE DATABASE "{self._template}" TEMPLATE "{name}"')
        else:
            connection.ensure_connection()
            target = sqlite3.connect(self._sqlite_path)
            connection.connection.backup(target)
            target.close()
        shutil.copytree(settings.MEDIA_ROOT, self._media_path, dirs_exist_ok=True)
        self._ready_path.touch()
        self._release()

    def end(self) -> None:
        """When the builder's session ends (every other worker copied long before)."""
        if not self.builder:
            return
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self._template}"')
        for path in (self._sqlite_path, self._ready_path, self._lock_path):
            path.unlink(missing_ok=True)
        shutil.rmtree(self._media_path, ignore_errors=True)

    def copy_files(self) -> None:
        """A copier's stored files: the builder's, into this worker's own media folder."""
        if self.copier:
            shutil.copytree(self._media_path, settings.MEDIA_ROOT, dirs_exist_ok=True)

    def _release(self) -> None:
        if self._lock:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def _patch_creation(self) -> None:
        """The default database's creation copies the build instead of migrating."""
        shared, original = self, BaseDatabaseCreation.create_test_db

        def create_test_db(creation, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
            if creation.connection.alias != "default":
                return original(creation, verbosity, autoclobber, serialize, keepdb)
            return shared._copy(creation)

        BaseDatabaseCreation.create_test_db = create_test_db

    def _copy(self, creation) -> str:
        name = creation._get_test_db_name()
        own = creation.connection
        if own.vendor == "postgresql":
            with own._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        own.close()
        settings.DATABASES[own.alias]["NAME"] = name
        own.settings_dict["NAME"] = name
        own.ensure_connection()
        if own.vendor == "sqlite":
            source = sqlite3.connect(self._sqlite_path)
            source.backup(own.connection)
            source.close()
        return name
