"""The PostgreSQL role the portal runs as, which cannot alter the audit trail.

The owner role (the one that runs ``migrate`` and ``audit_prune``) owns every table and trigger.
The application role gets read and write on every table except the audit and security logs,
where it may only SELECT and INSERT (the audit triggers run as the writing role, so INSERT is
needed there). Without UPDATE, DELETE or TRUNCATE, and owning nothing, it can neither change a
log row nor drop the append-only trigger nor switch on ``audit.pruning``'s door: the privilege
check comes before any trigger.
"""

from django.db import connection

from accounts.models import AuditEvent, SecurityEvent

APPEND_ONLY = (AuditEvent, SecurityEvent)


class RoleError(Exception):
    """An expected failure, with a message in Chinese and English."""


def app_role_create(*, name: str, password: str | None = None) -> list[str]:
    """Create (or bring up to date) the application role; return the append-only tables.

    Idempotent: run it again after each ``migrate`` so new tables are granted too (default
    privileges already cover tables the owner creates later)."""
    if connection.vendor != "postgresql":
        raise RoleError("数据库角色只适用于 PostgreSQL / database roles need PostgreSQL")
    role = connection.ops.quote_name(name)
    tables = [model._meta.db_table for model in APPEND_ONLY]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute("SELECT 1 FROM pg_tables WHERE tableowner = %s LIMIT 1", [name])
            if cursor.fetchone():
                raise RoleError(
                    f"角色 {name} 拥有数据表，不能作为应用角色 / role {name} owns tables: not an application role"
                )
        else:
            cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        if password:
            cursor.execute(f"ALTER ROLE {role} LOGIN PASSWORD %s", [password])
        cursor.execute("SELECT quote_ident(current_schema()), quote_ident(current_database())")
        schema, database = cursor.fetchone()
        cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO {role}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
        )
        cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}")
        for table in tables:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {role}")
    return tables
