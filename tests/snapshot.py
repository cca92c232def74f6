"""A snapshot of the test database, taken once the cast is loaded, restored at the end of each
test that commits (``transaction=True``, the live server of the browser tests) in place of
Django's flush (tests/conftest.py). Reloading the demo after each such test took seconds, and
the flush alone (emptying every table, then rebuilding content types, permissions and the
audit triggers) seconds on PostgreSQL; copying the snapshot back takes a fraction of one:

- SQLite: the whole in-memory database is copied with SQLite's backup API, both ways.
- PostgreSQL: each table is copied into a schema of its own; restoring deletes the tables' rows and
  copies the snapshot's back with triggers off (``session_replication_role = replica``), so that
  neither the foreign-key checks nor the audit trail see the copy.

Caches that hold rows by primary key (content types) are cleared after a restore: a test may
have flushed or migrated, recreating those rows under new keys."""

import sqlite3

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection

SCHEMA = "test_snapshot"

_state: dict = {}


def taken() -> bool:
    return bool(_state)


def take() -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _state["sqlite"] = copy
    else:
        tables = {}
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
            for table in connection.introspection.table_names():
                cursor.execute(f'CREATE TABLE {SCHEMA}."{table}" AS TABLE public."{table}"')
                # Columns by name: a test that migrates back and forth may change their order.
                columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
                tables[table] = ", ".join(f'"{column}"' for column in columns)
        _state["tables"] = tables


def restore() -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _state["sqlite"].backup(connection.connection)
    else:
        tables = _state["tables"]
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                # One round trip for all of it (a statement per table was most of the time), and
                # DELETE rather than TRUNCATE: for tables this small, TRUNCATE's new files for
                # every table and index cost ten times more.
                copies = (
                    f'INSERT INTO public."{table}" ({columns}) SELECT {columns} FROM {SCHEMA}."{table}"'
                    for table, columns in tables.items()
                )
                cursor.execute(";\n".join([*(f'DELETE FROM public."{table}"' for table in tables), *copies]))
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
            # Each table's id sequence continues after its highest restored id (a flush that
            # reset the sequences would otherwise hand out ids the copy holds).
            cursor.execute(
                ";\n".join(connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)))
            )
    ContentType.objects.clear_cache()
    cache.clear()
