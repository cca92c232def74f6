"""The audit trail: every change of a business record, and the security log.

How changes are caught
----------------------
Database triggers, not model signals, write ``AuditEvent`` rows, so bulk writes,
``QuerySet.update()``, cascades and raw SQL are all caught:

* **PostgreSQL**: one PL/pgSQL function, ``audit_row_change()``, fired AFTER INSERT, UPDATE
  or DELETE on every audited table, stores the row before and after as JSON (secrets such as
  password hashes left out). Who acted and from where come from two session settings,
  ``audit.actor_id`` and ``audit.ip``, which ``_inject_context`` prefixes to every write
  statement this process sends. A BEFORE trigger makes the audit tables append-only for
  every client; only the pruning service may delete, and only rows past retention.
* **SQLite** (the embedded default): the same triggers, generated per table from the model's
  columns, call two SQL functions (``audit_actor_id()``, ``audit_ip()``) that each Django
  connection registers, reading the same context. Updates of audit rows are refused by a
  trigger; deletes by the model layer (a trigger would also block Django's test flush).

Which tables: every table of the portal's own apps, Django's auth groups and permissions,
except the audit tables and those named in ``NOT_AUDITED`` with a reason. The triggers are
(re)installed after every ``migrate``, so a new model is audited from its first migration.

Named business events (``filing.accepted``) are written by services with ``record()`` in the
same transaction as the change.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils import timezone

log = logging.getLogger(__name__)

AUDITED_APPS = ("paperwork", "accounts", "registry", "inspections", "training", "supervision", "dashboard")
NOT_AUDITED = {
    "accounts.auditevent": "the audit trail itself",
    "accounts.securityevent": "the security log itself",
    "accounts.apitokendetails": "its last-used time changes once a minute; issue and revoke are named events",
    "accounts.notification": "inbox messages and their read marks are not business records",
}
# Columns never copied into the trail: secrets, and bookkeeping that changes on every login.
SECRET_COLUMNS = ("password", "last_login")

_context: contextvars.ContextVar[tuple[int | None, str]] = contextvars.ContextVar("audit_context", default=(None, ""))
# The path of the request being handled, for security-log entries written without a request.
_path: contextvars.ContextVar[str] = contextvars.ContextVar("audit_path", default="")


# --- Who is acting ----------------------------------------------------------------------


@contextmanager
def acting_as(actor, ip: str = "", path: str = ""):
    """Attribute every change made inside the block to ``actor`` (a user, an id or None)."""
    actor_id = getattr(actor, "pk", actor)
    token = _context.set((actor_id, ip or ""))
    path_token = _path.set(path[:300])
    try:
        yield
    finally:
        _context.reset(token)
        _path.reset(path_token)


def attribute_to(actor, ip: str) -> None:
    """Attribute the rest of the current request to ``actor``: for API token logins, which
    are known only after the middleware has set the (anonymous) context. The middleware's
    ``acting_as`` restores the outer context when the request ends."""
    _context.set((getattr(actor, "pk", actor), ip or ""))


def current_actor() -> tuple[int | None, str]:
    return _context.get()


def _inject_context(execute, sql, params, many, context):
    """Prefix every PostgreSQL write with the acting user and address for the triggers.

    Session-level settings, set on every write (to '' when nobody acts), so a value never
    leaks from one request into a later statement on the same connection."""
    head = sql.lstrip()[:6].upper()
    if head not in ("INSERT", "UPDATE", "DELETE"):
        return execute(sql, params, many, context)
    actor_id, ip = _context.get()
    values = ("" if actor_id is None else str(actor_id), ip or "")
    if many or isinstance(params, dict):
        with context["connection"].cursor() as cursor:
            cursor.execute("SELECT set_config('audit.actor_id', %s, false), set_config('audit.ip', %s, false)", values)
        return execute(sql, params, many, context)
    prefix = "SELECT set_config('audit.actor_id', %s, false), set_config('audit.ip', %s, false); "
    if params is None:
        # Statements without parameters keep literal % signs; quote ours instead.
        literal = [f"'{value.replace(chr(39), chr(39) * 2)}'" for value in values]
        return execute(prefix % tuple(literal) + sql, None, many, context)
    return execute(prefix + sql, tuple(values) + tuple(params), many, context)


def _on_connection_created(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        if _inject_context not in connection.execute_wrappers:
            connection.execute_wrappers.append(_inject_context)
    elif connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("audit_actor_id", 0, lambda: _context.get()[0], deterministic=False)
        raw.create_function("audit_ip", 0, lambda: _context.get()[1], deterministic=False)


def connect() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="audit_connection_created")
    post_migrate.connect(_on_post_migrate, dispatch_uid="audit_post_migrate")
    # A connection opened before the receiver was connected (e.g. during start-up checks).
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _on_connection_created(None, conn)


# --- Writing events ---------------------------------------------------------------------


def record(*, actor, event: str, obj=None, details: dict | None = None):
    """A named business event, written in the caller's transaction."""
    from accounts.models import AuditEvent

    actor_id, ip = _context.get()
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.ACTION,
        event=event,
        table_name=obj._meta.db_table if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        actor_id=getattr(actor, "pk", actor) or actor_id,
        ip=ip,
        after=details or None,
    )


def file_opened(request, *, model: str, pk: int, field: str = "", **detail) -> None:
    """A stored file left the portal (downloaded or shown in the page): who, which, from where.
    Every view that answers with a stored file calls this (or logs a reveal of personal data)."""
    from accounts.models import SecurityEvent

    security_event(
        kind=SecurityEvent.Kind.DOCUMENT_OPENED,
        user=request.user,
        request=request,
        detail={"model": model, "pk": pk, **({"field": field} if field else {}), **detail},
    )


def security_event(*, kind: str, user=None, username: str = "", request=None, detail: dict | None = None):
    """Append to the security log, in the caller's transaction. Denials are written after the
    denied view's own transaction has ended (by the middleware and the API error handler), so
    a rolled-back request does not take its denial record with it."""
    from accounts.models import SecurityEvent
    from accounts.network import client_ip

    authenticated = getattr(user, "is_authenticated", False)
    ip = client_ip(request) if request is not None else _context.get()[1]
    return SecurityEvent.objects.create(
        kind=kind,
        user_id_value=user.pk if authenticated else None,
        username=(user.get_username() if authenticated else "") or username,
        ip=ip,
        path=(request.get_full_path()[:300] if request is not None else _path.get()),
        detail=detail or {},
    )


# --- Retention --------------------------------------------------------------------------


def prune(*, now=None) -> dict[str, int]:
    """Delete audit rows older than AUDIT_RETENTION_DAYS (never fewer than 180 days)."""
    from accounts.models import AuditEvent, SecurityEvent

    days = max(settings.AUDIT_RETENTION_DAYS, 180)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Transaction-local: the append-only trigger lets this transaction delete.
            cursor.execute("SELECT set_config('audit.pruning', 'on', true)")
        for model in (AuditEvent, SecurityEvent):
            # The model layer refuses delete(); pruning goes below it on purpose (on SQLite no
            # trigger guards deletes, see above).
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE at < %s', [cutoff])
            deleted[model._meta.label_lower] = cursor.rowcount
        if connection.vendor == "postgresql":
            # A transaction-local setting outlives this savepoint when the caller's transaction
            # goes on: close the door again before handing the transaction back.
            cursor.execute("SELECT set_config('audit.pruning', 'off', true)")
    return deleted


# --- Triggers ---------------------------------------------------------------------------


def audited_models():
    """Models whose tables carry the audit triggers, many-to-many link tables included."""
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in NOT_AUDITED:
            continue
        if meta.app_label in AUDITED_APPS or meta.db_table in ("auth_group", "auth_group_permissions"):
            yield model


def _on_post_migrate(sender, using="default", **kwargs):
    # post_migrate fires once per app with models; install once, after the last of them.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        install_triggers(connections[using])


def install_triggers(conn=None) -> int:
    conn = conn or connection
    from accounts.models import AuditEvent, SecurityEvent

    tables = set(conn.introspection.table_names())
    if AuditEvent._meta.db_table not in tables:
        return 0
    installed = 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)
            for model in (AuditEvent, SecurityEvent):
                if model._meta.db_table in tables:
                    cursor.execute(_PG_APPEND_ONLY.format(table=model._meta.db_table))
        seen = set()
        for model in audited_models():
            table = model._meta.db_table
            if table in seen or table not in tables:
                continue
            seen.add(table)
            if conn.vendor == "postgresql":
                cursor.execute(
                    f'CREATE OR REPLACE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                    f"FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
                )
            elif conn.vendor == "sqlite":
                for statement in _sqlite_triggers(model):
                    cursor.execute(statement)
            installed += 1
        if conn.vendor == "sqlite":
            for model in (AuditEvent, SecurityEvent):
                table = model._meta.db_table
                cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only"')
                cursor.execute(
                    f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE ON "{table}" '
                    f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"
                )
    return installed


_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger AS $$
DECLARE
    before_row jsonb;
    after_row jsonb;
    actor text := NULLIF(current_setting('audit.actor_id', true), '');
BEGIN
    IF TG_OP <> 'INSERT' THEN before_row := to_jsonb(OLD) - ARRAY['password', 'last_login']; END IF;
    IF TG_OP <> 'DELETE' THEN after_row := to_jsonb(NEW) - ARRAY['password', 'last_login']; END IF;
    IF TG_OP = 'UPDATE' AND before_row = after_row THEN RETURN NULL; END IF;
    INSERT INTO accounts_auditevent (at, kind, event, table_name, object_id, actor_id, ip, before, after)
    VALUES (
        now(), lower(TG_OP), '', TG_TABLE_NAME,
        COALESCE(after_row ->> 'id', before_row ->> 'id', ''),
        actor::bigint, COALESCE(current_setting('audit.ip', true), ''), before_row, after_row
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.pruning', true) = 'on' THEN
        -- Pruning deletes expired rows only: a row younger than the 180-day floor is skipped.
        IF OLD.at < now() - interval '180 days' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql;
"""

_PG_APPEND_ONLY = (
    'CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON "{table}" '
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
)


def drop_sqlite_triggers_going_back(*tables: str):
    """A migration operation for the end of a migration that adds columns to ``tables``: going
    back, it runs first and drops their SQLite audit triggers, because SQLite cannot drop a
    column that a trigger names. The next migrate installs the triggers again (post_migrate)."""
    from django.db import migrations

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for table in tables:
                for kind in ("insert", "update", "delete"):
                    schema_editor.execute(f'DROP TRIGGER IF EXISTS "audit_{kind}_{table}"')

    return migrations.RunPython(migrations.RunPython.noop, drop)


def _sqlite_triggers(model) -> list[str]:
    table = model._meta.db_table
    columns = [f.column for f in model._meta.local_concrete_fields if f.column not in SECRET_COLUMNS]
    pk = model._meta.pk.column

    def row(prefix: str) -> str:
        pairs = ", ".join(f"'{column}', {prefix}.\"{column}\"" for column in columns)
        return f"json_object({pairs})"

    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns)
    insert = (
        "INSERT INTO accounts_auditevent (at, kind, event, table_name, object_id, actor_id, ip, before, after) "
        "VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'), '{kind}', '', '" + table + "', "
        'CAST({ref}."' + pk + "\" AS TEXT), audit_actor_id(), COALESCE(audit_ip(), ''), {before}, {after});"
    )
    statements = []
    for kind, timing, ref, before, after, when in (
        ("insert", "AFTER INSERT", "NEW", "NULL", row("NEW"), ""),
        ("update", "AFTER UPDATE", "NEW", row("OLD"), row("NEW"), f" WHEN {changed}"),
        ("delete", "AFTER DELETE", "OLD", row("OLD"), "NULL", ""),
    ):
        name = f"audit_{kind}_{table}"
        statements.append(f'DROP TRIGGER IF EXISTS "{name}"')
        body = insert.format(kind=kind, ref=ref, before=before, after=after)
        statements.append(f'CREATE TRIGGER "{name}" {timing} ON "{table}" FOR EACH ROW{when} BEGIN {body} END')
    return statements
