"""manage.py create_app_role: on PostgreSQL the portal's application role can write business
tables and append to the audit and security logs, but an UPDATE or DELETE of a log row is
refused by the database's privileges (before any trigger), even with the pruning door opened."""

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from accounts.models import AuditEvent, SecurityEvent, User

pytestmark = pytest.mark.django_db


def as_role(role: str, sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal undoes only this
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql, params)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles and privileges are PostgreSQL's")
def test_the_application_role_appends_to_the_logs_but_cannot_update_or_delete_them(cast):
    role = f"app_{uuid.uuid4().hex[:10]}"  # created in the test's transaction, gone with its rollback
    call_command("create_app_role", role)
    audit_rows = AuditEvent.objects.count()

    # A business write as the role works, and its audit trigger inserts the log row.
    as_role(role, "UPDATE accounts_user SET real_name = %s WHERE username = 'health'", ["卫健局甲"])
    assert User.objects.get(username="health").real_name == "卫健局甲"
    assert AuditEvent.objects.count() > audit_rows

    for model in (AuditEvent, SecurityEvent):
        table = model._meta.db_table
        with pytest.raises(DatabaseError, match="permission denied"):
            as_role(role, f'UPDATE "{table}" SET at = at')
        with pytest.raises(DatabaseError, match="permission denied"):
            as_role(role, f"SELECT set_config('audit.pruning', 'on', true); DELETE FROM {table}")
    assert AuditEvent.objects.count() > audit_rows


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal of the embedded mode")
def test_create_app_role_on_sqlite_says_it_needs_postgresql():
    with pytest.raises(CommandError, match="need PostgreSQL"):
        call_command("create_app_role", "yuyao_app")
