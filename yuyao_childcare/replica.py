"""A read replica for the dashboards' and exports' reads, off by default.

With ``DATABASE_REPLICA_URL`` set, the settings add a second database alias, ``replica`` (a
streaming copy of the primary, kept by PostgreSQL, never migrated by Django). Code that reads a
lot and may read a few seconds late — a dashboard, an export being built — runs inside
``replica_reads()``; its reads go to the replica, its writes (and every read elsewhere) to the
primary. Without the variable there is no ``replica`` alias and ``replica_reads()`` changes
nothing: every query goes to the primary, as before.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Reads inside go to the replica when one is configured (usable as a decorator too).

    Only for read-only work: a row locked with ``select_for_update`` or read back right after
    it was written must come from the primary, so keep such code outside."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: replica reads inside ``replica_reads()``, all else primary."""

    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None  # the default database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy of the primary: PostgreSQL replicates the schema.
        return db != REPLICA
