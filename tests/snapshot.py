"""A snapshot of the test database, taken once the cast is loaded, restored after each test
that commits.

Tests that commit (``transaction=True``, the live server of the browser tests) end with every
table emptied by Django's flush. Reloading the demo after each took seconds; copying the
snapshot back takes a fraction of one:

- SQLite: the whole in-memory database is copied with SQLite's backup API, both ways.
- PostgreSQL: each table is copied into a schema of its own; restoring empties the tables and
  copies the rows back with triggers off (``session_replication_role = replica``), so that
  neither the foreign-key checks nor the audit trail see the copy.

Caches that hold rows by primary key (content types) are cleared after a restore: the flush's
post-migrate signal recreated those rows under new keys."""

import sqlite3

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection
from pytest_django.plugin import blocking_manager_key

SCHEMA = "test_snapshot"
BLOCKER_KEY = blocking_manager_key

_state: dict = {}


def is_transactional(item: pytest.Item) -> bool:
    """Whether pytest-django runs this test in a committing (flushed) database."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


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
        quoted = ", ".join(f'public."{table}"' for table in tables)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.execute(f"TRUNCATE {quoted}")
                for table, columns in tables.items():
                    cursor.execute(f'INSERT INTO public."{table}" ({columns}) SELECT {columns} FROM {SCHEMA}."{table}"')
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
            # Each table's id sequence continues after its highest restored id (a flush that
            # reset the sequences would otherwise hand out ids the copy holds).
            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(statement)
    ContentType.objects.clear_cache()
    cache.clear()
