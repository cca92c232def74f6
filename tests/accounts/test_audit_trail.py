"""The audit trail and the security log (``accounts/audit.py`` is the design).

What users rely on:
- every change of a business record, however it is written (model save, queryset update,
  bulk writes, cascades, raw SQL), leaves a row saying what changed, who did it and from where;
- secrets (password hashes) never reach the trail, and a login alone writes no change;
- the trail cannot be edited or deleted, except expired rows by the pruning service;
- rows are kept at least 180 days, and pruning never deletes a younger row;
- every table of the portal's apps is covered, or is exempt with a reason;
- only the audit administrator reads the trail and the security log, pages and API alike,
  and the pages cost the same number of queries however long the trail is.
"""

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts import audit
from accounts.demo import DEMO_PASSWORD
from accounts.models import AuditEvent, Duty, Membership, Notification, Region, SecurityEvent, User
from accounts.tasks import audit_prune_task
from yuyao_childcare import env

BASE_DIR = Path(__file__).resolve().parents[2]
PG = "postgresql"


@pytest.fixture
def mark(db):
    """Marks the end of the trail before the test acts; calling ``mark(table, **filters)``
    returns the rows written since, oldest first."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new_events(table: str | None = None, **filters):
        queryset = AuditEvent.objects.filter(id__gt=last, **filters).order_by("id")
        if table:
            queryset = queryset.filter(table_name=table)
        return list(queryset)

    return new_events


def _duty(code: str, **extra) -> Duty:
    return Duty.objects.create(code=code, name=f"测试职责 {code}", name_en=f"Test duty {code}", **extra)


# --- Every change is caught ---------------------------------------------------------------


def test_model_save_insert_and_update_record_before_after_actor_and_address(mark, cast):
    with audit.acting_as(cast["sysadmin"], "10.20.30.40"):
        duty = _duty("test.save")
        duty.name = "改名后的职责"
        duty.save()

    insert, update = mark("accounts_duty")
    assert insert.kind == AuditEvent.Kind.INSERT
    assert insert.object_id == str(duty.pk)
    assert insert.before is None
    assert insert.after["code"] == "test.save"
    assert insert.after["name"] == "测试职责 test.save"
    assert update.kind == AuditEvent.Kind.UPDATE
    assert update.object_id == str(duty.pk)
    assert update.before["name"] == "测试职责 test.save"
    assert update.after["name"] == "改名后的职责"
    for event in (insert, update):
        assert event.actor_id == cast["sysadmin"].pk
        assert event.ip == "10.20.30.40"


def test_changes_outside_any_actor_are_recorded_without_one(mark):
    duty = _duty("test.nobody")
    (insert,) = mark("accounts_duty")
    assert insert.object_id == str(duty.pk)
    assert insert.actor_id is None
    assert insert.ip == ""


def test_acting_as_ends_with_its_block_and_nothing_leaks_into_later_writes(mark, cast):
    # On PostgreSQL the actor travels in a session setting of the connection: a later write on
    # the same connection, with nobody acting, must not inherit it.
    with audit.acting_as(cast["secadmin"], "10.0.0.9"):
        _duty("test.inside")
    _duty("test.outside")
    inside, outside = mark("accounts_duty")
    assert (inside.actor_id, inside.ip) == (cast["secadmin"].pk, "10.0.0.9")
    assert (outside.actor_id, outside.ip) == (None, "")


def test_queryset_update_is_recorded_for_every_row(mark, cast):
    first, second = _duty("test.qs1"), _duty("test.qs2")
    with audit.acting_as(cast["sysadmin"], "10.0.0.1"):
        changed = Duty.objects.filter(code__startswith="test.qs").update(description="批量说明")
    assert changed == 2
    updates = mark("accounts_duty", kind=AuditEvent.Kind.UPDATE)
    assert sorted(e.object_id for e in updates) == sorted([str(first.pk), str(second.pk)])
    for event in updates:
        assert event.before["description"] == ""
        assert event.after["description"] == "批量说明"
        assert event.actor_id == cast["sysadmin"].pk
        assert event.ip == "10.0.0.1"


def test_queryset_update_that_matches_nothing_reports_nothing(mark):
    # The row count Django reads back must be the update's, not that of anything sent before it.
    assert Duty.objects.filter(code="no-such-duty").update(name="x") == 0
    assert mark("accounts_duty") == []


def test_bulk_create_and_bulk_update_are_recorded(mark, cast):
    with audit.acting_as(cast["sysadmin"], "10.0.0.2"):
        created = Duty.objects.bulk_create(
            [Duty(code=f"test.bulk{i}", name=f"批量{i}", name_en=f"Bulk {i}") for i in range(3)]
        )
        duties = list(Duty.objects.filter(code__startswith="test.bulk").order_by("code"))
        for duty in duties:
            duty.name_en = duty.name_en.upper()
        Duty.objects.bulk_update(duties, ["name_en"])

    inserts = mark("accounts_duty", kind=AuditEvent.Kind.INSERT)
    updates = mark("accounts_duty", kind=AuditEvent.Kind.UPDATE)
    assert sorted(e.after["code"] for e in inserts) == ["test.bulk0", "test.bulk1", "test.bulk2"]
    assert sorted(e.object_id for e in updates) == sorted(str(d.pk) for d in duties)
    assert len(created) == 3
    for event in updates:
        assert event.before["name_en"].startswith("Bulk ")
        assert event.after["name_en"].startswith("BULK ")
    for event in inserts + updates:
        assert (event.actor_id, event.ip) == (cast["sysadmin"].pk, "10.0.0.2")


def test_delete_and_its_cascades_are_recorded(mark, cast, org):
    with audit.acting_as(cast["sysadmin"], "10.0.0.3"):
        user = User.objects.create_user(username="cascade-test", password=DEMO_PASSWORD, real_name="级联测试")
        membership = Membership.objects.create(user=user, organisation=org("health"), role="viewer")
        user.groups.add(org("health").group)
        user_pk, membership_pk = user.pk, membership.pk
        user.delete()

    (user_delete,) = mark("accounts_user", kind=AuditEvent.Kind.DELETE)
    assert user_delete.object_id == str(user_pk)
    assert user_delete.before["username"] == "cascade-test"
    assert user_delete.after is None
    # The membership and the group link go with the user, and are recorded too.
    (membership_delete,) = mark("accounts_membership", kind=AuditEvent.Kind.DELETE)
    assert membership_delete.object_id == str(membership_pk)
    assert membership_delete.before["role"] == "viewer"
    (link_delete,) = mark("accounts_user_groups", kind=AuditEvent.Kind.DELETE)
    assert link_delete.before["user_id"] == user_pk
    for event in (user_delete, membership_delete, link_delete):
        assert (event.actor_id, event.ip) == (cast["sysadmin"].pk, "10.0.0.3")


def test_many_to_many_changes_are_recorded(mark, org):
    health = org("health")
    duty = _duty("test.m2m")
    health.duties.add(duty)
    health.duties.remove(duty)
    added, removed = mark("accounts_organisation_duties")
    assert added.kind == AuditEvent.Kind.INSERT
    assert added.after["organisation_id"] == health.pk
    assert added.after["duty_id"] == duty.pk
    assert removed.kind == AuditEvent.Kind.DELETE
    assert removed.before["duty_id"] == duty.pk


def test_raw_sql_is_recorded(mark, cast):
    duty = _duty("test.raw")
    with audit.acting_as(cast["sysadmin"], "10.0.0.4"), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_duty SET name = %s WHERE id = %s", ["原始SQL改名", duty.pk])
        assert cursor.rowcount == 1
        # A statement without parameters, with a literal percent sign in it.
        cursor.execute(f"UPDATE accounts_duty SET description = '100% 原始' WHERE id = {int(duty.pk)}")
        assert cursor.rowcount == 1
        cursor.execute("DELETE FROM accounts_duty WHERE id = %s", [duty.pk])

    update_name, update_description, delete = mark("accounts_duty")[1:]
    assert update_name.kind == AuditEvent.Kind.UPDATE
    assert update_name.after["name"] == "原始SQL改名"
    assert update_description.after["description"] == "100% 原始"
    assert delete.kind == AuditEvent.Kind.DELETE
    assert delete.object_id == str(duty.pk)
    for event in (update_name, update_description, delete):
        assert (event.actor_id, event.ip) == (cast["sysadmin"].pk, "10.0.0.4")


def test_a_request_records_its_user_and_address(mark, cast, client_as, org):
    """secadmin puts the stranger into an organisation through the Django admin."""
    client = client_as("secadmin")
    stranger, health = cast["stranger"], org("health")
    now = timezone.localtime()
    response = client.post(
        "/admin/accounts/membership/add/",
        {
            "user": stranger.pk,
            "organisation": health.pk,
            "role": "viewer",
            "created_at_0": now.strftime("%Y-%m-%d"),
            "created_at_1": now.strftime("%H:%M:%S"),
        },
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=stranger, organisation=health)

    (insert,) = mark("accounts_membership", kind=AuditEvent.Kind.INSERT)
    assert insert.object_id == str(membership.pk)
    assert insert.after["role"] == "viewer"
    (group_link,) = mark("accounts_user_groups", kind=AuditEvent.Kind.INSERT)
    assert group_link.after["group_id"] == health.group_id
    (named,) = mark(event="membership.set")
    assert named.kind == AuditEvent.Kind.ACTION
    assert named.object_id == str(membership.pk)
    for event in (insert, group_link, named):
        assert event.actor_id == cast["secadmin"].pk
        assert event.ip == "192.0.2.77"


# --- What is not written ------------------------------------------------------------------


def test_a_login_alone_writes_no_change(mark, cast):
    user = cast["health"]
    update_last_login(None, user)
    user.refresh_from_db()
    assert user.last_login is not None
    assert mark("accounts_user") == []


def test_saving_an_unchanged_row_writes_no_change(mark, org):
    org("health").save()
    assert mark("accounts_organisation") == []


def test_saving_a_user_with_an_unchanged_mobile_writes_no_change(mark):
    user = User.objects.create_user(username="mobile-test", password=DEMO_PASSWORD, mobile="13800138000")
    User.objects.get(pk=user.pk).save()
    assert mark("accounts_user", kind=AuditEvent.Kind.UPDATE) == []


def test_a_changed_mobile_is_re_encrypted_and_recorded(mark):
    user = User.objects.create_user(username="mobile-test2", password=DEMO_PASSWORD, mobile="13800138000")
    reloaded = User.objects.get(pk=user.pk)
    reloaded.mobile = "13900139000"
    reloaded.save()
    assert User.objects.get(pk=user.pk).mobile == "13900139000"
    assert len(mark("accounts_user", kind=AuditEvent.Kind.UPDATE)) == 1


def test_the_password_hash_never_reaches_the_trail(mark):
    user = User.objects.create_user(username="secret-test", password="Old-Passw0rd!", real_name="密码测试")
    user.set_password("New-Passw0rd!")
    user.real_name = "密码测试改名"
    user.save()
    user.set_password("Third-Passw0rd!")
    user.save()  # only the hash changed: nothing audited changed

    trail = mark("accounts_user")
    assert [e.kind for e in trail] == [AuditEvent.Kind.INSERT, AuditEvent.Kind.UPDATE]
    assert trail[1].after["real_name"] == "密码测试改名"
    for event in trail:
        for row in (event.before, event.after):
            if row is not None:
                assert "password" not in row
                assert "last_login" not in row
        assert user.password not in json.dumps([event.before, event.after])
        assert "pbkdf2" not in json.dumps([event.before, event.after])
        assert "argon2" not in json.dumps([event.before, event.after])


# --- Append-only ------------------------------------------------------------------------


@pytest.fixture
def audit_rows(db):
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.ACTION, event="test.row", table_name="accounts_duty")
    security = SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN, username="health")
    return event, security


def test_audit_rows_cannot_be_changed_or_deleted_through_the_model(audit_rows):
    for row in audit_rows:
        model = type(row)
        with pytest.raises(ValidationError):
            row.save()
        with pytest.raises(ValidationError):
            row.delete()
        with pytest.raises(ValidationError):
            model.objects.filter(pk=row.pk).update(ip="6.6.6.6")
        with pytest.raises(ValidationError):
            model.objects.filter(pk=row.pk).delete()
        with pytest.raises(ValidationError):
            model.objects.all().delete()
        assert model.objects.filter(pk=row.pk, ip="").exists()


@pytest.mark.parametrize("table", ["accounts_auditevent", "accounts_securityevent"])
def test_raw_sql_update_of_audit_rows_fails_on_every_engine(audit_rows, table):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET ip = %s", ["6.6.6.6"])
    assert not AuditEvent.objects.filter(ip="6.6.6.6").exists()
    assert not SecurityEvent.objects.filter(ip="6.6.6.6").exists()


@pytest.mark.parametrize("model", [AuditEvent, SecurityEvent])
def test_raw_sql_delete_of_audit_rows_is_engine_specific(audit_rows, model):
    table = model._meta.db_table
    row = next(r for r in audit_rows if isinstance(r, model))
    if connection.vendor == PG:
        # A trigger refuses every client, not only Django.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])
        # Not even a client claiming to prune deletes a row younger than the 180-day floor.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.pruning', 'on', true)")
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])
            assert cursor.rowcount == 0
            cursor.execute("SELECT set_config('audit.pruning', 'off', true)")
        assert model.objects.filter(pk=row.pk).exists()
    else:
        # SQLite: documented in audit.py, deletes are refused by the model layer only (a trigger
        # would block the test flush). Raw SQL below the model layer can delete.
        assert connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])
            assert cursor.rowcount == 1
        assert not model.objects.filter(pk=row.pk).exists()


# --- Retention --------------------------------------------------------------------------


def _aged(days: float, tag: str):
    at = timezone.now() - timedelta(days=days)
    event = AuditEvent.objects.create(at=at, kind=AuditEvent.Kind.ACTION, event=tag, table_name="accounts_duty")
    security = SecurityEvent.objects.create(at=at, kind=SecurityEvent.Kind.LOGIN, username=tag)
    return event, security


def _exists(rows) -> list[bool]:
    return [type(row).objects.filter(pk=row.pk).exists() for row in rows]


def test_prune_deletes_rows_past_retention_and_never_a_younger_one(db, settings):
    assert settings.AUDIT_RETENTION_DAYS == 180
    young = _aged(179, "age179")
    old = _aged(181, "age181")
    fresh = AuditEvent.objects.order_by("-at").first()

    deleted = audit.prune()

    assert _exists(young) == [True, True]
    assert _exists(old) == [False, False]
    assert AuditEvent.objects.filter(pk=fresh.pk).exists()
    assert deleted["accounts.auditevent"] >= 1
    assert deleted["accounts.securityevent"] >= 1
    assert not AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=180)).exists()
    assert not SecurityEvent.objects.filter(at__lt=timezone.now() - timedelta(days=180)).exists()

    # A second run deletes nothing more.
    assert audit.prune() == {"accounts.auditevent": 0, "accounts.securityevent": 0}
    assert _exists(young) == [True, True]


def test_after_pruning_the_trail_is_append_only_again(db):
    _aged(181, "age181")
    row = _aged(1, "age1")[0]
    audit.prune()
    if connection.vendor == PG:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [row.pk])
    with pytest.raises(ValidationError):
        row.delete()
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_the_prune_command_and_the_daily_task_prune(db):
    first = _aged(200, "age200-command")
    keep = _aged(100, "age100")
    out = io.StringIO()
    call_command("audit_prune", stdout=out)
    assert "retention 180 days" in out.getvalue()
    assert _exists(first) == [False, False]

    second = _aged(300, "age300-task")
    result = audit_prune_task.delay().get()
    assert result["accounts.auditevent"] >= 1
    assert result["accounts.securityevent"] >= 1
    assert _exists(second) == [False, False]
    assert _exists(keep) == [True, True]
    assert audit_prune_task.delay().get() == {"accounts.auditevent": 0, "accounts.securityevent": 0}


def test_a_longer_retention_keeps_older_rows(db, settings):
    settings.AUDIT_RETENTION_DAYS = 400
    kept = _aged(200, "age200")
    gone = _aged(401, "age401")
    audit.prune()
    assert _exists(kept) == [True, True]
    assert _exists(gone) == [False, False]


def test_a_shorter_retention_than_180_days_is_never_applied(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30  # cannot come from the environment, see below
    kept = _aged(179, "age179")
    audit.prune()
    assert _exists(kept) == [True, True]


def test_env_integer_refuses_values_under_the_minimum(monkeypatch):
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "179")
    with pytest.raises(ImproperlyConfigured, match="AUDIT_RETENTION_DAYS must be at least 180"):
        env.integer("AUDIT_RETENTION_DAYS", 180, minimum=180)
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "400")
    assert env.integer("AUDIT_RETENTION_DAYS", 180, minimum=180) == 400


def _settings_in_subprocess(retention: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DJANGO_ENV": "test", "AUDIT_RETENTION_DAYS": retention}
    environ["DJANGO_SETTINGS_MODULE"] = "yuyao_childcare.settings"
    code = "from django.conf import settings; print(settings.AUDIT_RETENTION_DAYS)"
    return subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environ, capture_output=True, text=True, timeout=60
    )


def test_the_settings_loader_refuses_a_retention_under_180_days():
    refused = _settings_in_subprocess("179")
    assert refused.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 180" in refused.stderr
    accepted = _settings_in_subprocess("400")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == "400"


# --- Every table is covered ---------------------------------------------------------------


def _trigger_catalogue() -> dict[str, set[str]]:
    """Table name → names of the audit triggers installed on it, read from the database."""
    with connection.cursor() as cursor:
        if connection.vendor == PG:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        catalogue: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            catalogue.setdefault(table, set()).add(name)
    return catalogue


def _is_audited(catalogue, table: str) -> bool:
    names = catalogue.get(table, set())
    if connection.vendor == PG:
        return "audit_row_change" in names
    return {f"audit_{kind}_{table}" for kind in ("insert", "update", "delete")} <= names


def test_every_model_of_the_portal_is_audited_or_exempt_with_a_reason(db):
    catalogue = _trigger_catalogue()
    tables = []
    for label in audit.AUDITED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            tables.append((model._meta.label_lower, model._meta.db_table))
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                tables.append((through._meta.label_lower, through._meta.db_table))
    assert ("accounts.organisation_duties", "accounts_organisation_duties") in tables
    assert ("accounts.user_groups", "accounts_user_groups") in tables

    missing = []
    for label, table in sorted(set(tables)):
        if label in audit.NOT_AUDITED:
            assert len(audit.NOT_AUDITED[label]) > 10, f"{label}: exempt without a reason"
            assert not _is_audited(catalogue, table), f"{label}: exempt but audited"
            continue
        if not _is_audited(catalogue, table):
            missing.append(table)
    assert missing == [], f"tables without audit triggers: {missing}"
    # Django's groups and their permissions carry the organisations' access: audited too.
    assert _is_audited(catalogue, "auth_group")
    assert _is_audited(catalogue, "auth_group_permissions")


def test_the_exempt_list_names_real_models():
    for label in audit.NOT_AUDITED:
        assert apps.get_model(label) is not None


def test_a_notification_is_not_audited_but_a_region_is(mark, cast):
    Notification.objects.create(recipient=cast["health"], title="测试消息")
    region = Region.objects.get(code="330281")
    region.name = "余姚市（测试）"
    region.save()
    assert mark("accounts_notification") == []
    (update,) = mark("accounts_region")
    assert update.after["name"] == "余姚市（测试）"


# --- The pages of the audit administrator ---------------------------------------------------


def _event(days_ago: int = 0, **fields) -> AuditEvent:
    fields.setdefault("kind", AuditEvent.Kind.ACTION)
    fields.setdefault("table_name", "accounts_duty")
    return AuditEvent.objects.create(at=timezone.now() - timedelta(days=days_ago), **fields)


def test_the_audit_page_lists_events_with_actor_names(client_as, cast):
    _event(event="test.listed", object_id="4242", actor_id=cast["health"].pk, ip="198.51.100.7")
    response = client_as("auditor").get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "test.listed" in page
    assert "198.51.100.7" in page
    assert "演示·卫健局备案员" in page  # the actor by name, not by id


def _listed(client, query: dict) -> set[str]:
    response = client.get("/audit/", query)
    assert response.status_code == 200
    return {event.event for event in response.context["page"] if event.event.startswith("flt.")}


def test_the_audit_page_filters_by_table_kind_dates_and_text(client_as):
    _event(event="flt.duty-today", table_name="accounts_duty", object_id="77001")
    _event(event="flt.region-today", table_name="accounts_region", object_id="77002")
    _event(event="flt.duty-old", table_name="accounts_duty", object_id="77003", days_ago=40)
    _event(event="flt.deleted", kind=AuditEvent.Kind.DELETE, table_name="accounts_duty", object_id="77004")
    client = client_as("auditor")
    everything = {"flt.duty-today", "flt.region-today", "flt.duty-old", "flt.deleted"}
    # The trail of the demo data fills the first pages: narrow every query to these rows by text.
    assert _listed(client, {"text": "flt."}) == everything
    assert _listed(client, {"text": "region-today"}) == {"flt.region-today"}
    assert _listed(client, {"text": "77003"}) == {"flt.duty-old"}
    assert _listed(client, {"text": "no-such-event"}) == set()

    def only(**query) -> set[str]:
        return _listed(client, {"text": "flt.", **query})

    assert only(table="accounts_region") == {"flt.region-today"}
    assert only(kind="delete") == {"flt.deleted"}
    assert only(table="accounts_duty", kind="action") == {"flt.duty-today", "flt.duty-old"}
    today = timezone.localdate()
    assert only(since=(today - timedelta(days=1)).isoformat()) == everything - {"flt.duty-old"}
    assert only(until=(today - timedelta(days=30)).isoformat()) == {"flt.duty-old"}
    old_day = (today - timedelta(days=40)).isoformat()
    assert only(since=old_day, until=old_day) == {"flt.duty-old"}
    assert only(until=(today - timedelta(days=41)).isoformat()) == set()


def test_an_invalid_filter_lists_nothing_rather_than_everything(client_as):
    _event(event="flt.region", table_name="accounts_region")
    _event(event="flt.duty", table_name="accounts_duty")
    client = client_as("auditor")
    # "删除" is the label, not the value: the page says so and lists nothing, instead of
    # dropping every filter and listing rows of other tables under "accounts_region".
    response = client.get("/audit/", {"table": "accounts_region", "kind": "删除"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert list(response.context["page"]) == []
    response = client.get("/audit/security/", {"username": "health", "since": "2026-13-45"})
    assert response.status_code == 200
    assert response.context["form"].errors["since"]
    assert list(response.context["page"]) == []


def test_the_audit_page_offers_the_kinds_to_choose_from(client_as):
    page = client_as("auditor").get("/audit/", {"kind": "delete"}).content.decode()
    assert '<select name="kind"' in page
    for value in ("insert", "update", "delete", "action"):
        assert f'<option value="{value}"' in page
    assert '<option value="delete" selected>' in page


def test_the_audit_page_filters_by_the_actor_s_name_and_organisation(client_as, cast, org):
    _event(event="flt.by-health", actor_id=cast["health"].pk)
    _event(event="flt.by-fire", actor_id=cast["fire"].pk)
    client = client_as("auditor")
    assert _listed(client, {"person": "消防监督员"}) == {"flt.by-fire"}
    assert _listed(client, {"person": "fire"}) == {"flt.by-fire"}  # the user name too
    assert _listed(client, {"organisation": org("health").pk}) == {"flt.by-health"}


def test_the_security_log_lists_logins_failures_denials_and_out_of_scope_requests(client_as, org):
    anonymous = Client(REMOTE_ADDR="203.0.113.5")
    response = anonymous.post("/accounts/login/", {"username": "leader", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    failed = Client(REMOTE_ADDR="203.0.113.6")
    response = failed.post("/accounts/login/", {"username": "edu", "password": "wrong-password"})
    assert response.status_code == 200

    assert client_as("health").get("/audit/", REMOTE_ADDR="203.0.113.7").status_code == 403
    other = org("demo-lizhou-yangguang")
    assert client_as("nursery1").get(f"/organisations/{other.pk}/", REMOTE_ADDR="203.0.113.8").status_code == 404

    def one(kind: str, username: str) -> SecurityEvent:
        (event,) = SecurityEvent.objects.filter(kind=kind, username=username)
        return event

    login = one(SecurityEvent.Kind.LOGIN, "leader")
    assert login.ip == "203.0.113.5"
    assert one(SecurityEvent.Kind.LOGIN_FAILED, "edu").ip == "203.0.113.6"
    denied = one(SecurityEvent.Kind.PERMISSION_DENIED, "health")
    assert (denied.ip, denied.path) == ("203.0.113.7", "/audit/")
    out_of_scope = one(SecurityEvent.Kind.OUT_OF_SCOPE, "nursery1")
    assert out_of_scope.ip == "203.0.113.8"
    assert out_of_scope.detail["model"] == "accounts.organisation"

    client = client_as("auditor")
    page = client.get("/audit/security/").content.decode()
    for text in ("leader", "edu", "health", "nursery1", "203.0.113.5", "203.0.113.6", "/audit/"):
        assert text in page

    def listed(query) -> set[tuple[str, str]]:
        response = client.get("/audit/security/", query)
        assert response.status_code == 200
        return {(e.kind, e.username) for e in response.context["page"]}

    assert listed({"kind": "login_failed"}) == {("login_failed", "edu")}
    assert listed({"kind": "denied"}) == {("denied", "health")}
    assert listed({"kind": "out_of_scope"}) == {("out_of_scope", "nursery1")}
    assert ("login", "leader") in listed({"person": "lead"})
    assert listed({"ip": "203.0.113.8"}) == {("out_of_scope", "nursery1")}


@pytest.mark.parametrize("path", ["/audit/", "/audit/security/"])
@pytest.mark.parametrize("username", ["health", "leader", "sysadmin", "secadmin", "nursery1", "stranger"])
def test_only_the_audit_administrator_opens_the_audit_pages(client_as, path, username):
    response = client_as(username).get(path)
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED, username=username).exists()


@pytest.mark.parametrize("path", ["/audit/", "/audit/security/"])
def test_an_anonymous_visitor_is_sent_to_log_in(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Session, user, count, page, actor names, unread badge, and the idle-expiry push (a save and
# its savepoint, at most once a minute: 9 on the audit page, 8 on the security log), plus one
# spare. A query per row would exceed it already with 5 rows.
QUERY_BOUND = 10


@pytest.mark.parametrize("path", ["/audit/", "/audit/security/"])
def test_the_audit_pages_keep_a_fixed_number_of_queries(client_as, cast, django_assert_max_num_queries, path):
    client = client_as("auditor")
    actors = [cast[name].pk for name in ("health", "fire", "simen", "nursery1", "secadmin")]

    def add(count: int, start: int):
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    kind="action", event=f"q.{i}", table_name="accounts_duty", actor_id=actors[i % 5], ip="1.1.1.1"
                )
                for i in range(start, start + count)
            ]
        )
        SecurityEvent.objects.bulk_create(
            [SecurityEvent(kind="login", username=f"user{i}", ip="1.1.1.1") for i in range(start, start + count)]
        )

    add(5, 0)
    client.get(path)  # warm the session
    with django_assert_max_num_queries(QUERY_BOUND):
        small = client.get(path)
    add(195, 5)
    with django_assert_max_num_queries(QUERY_BOUND):
        large = client.get(path)
    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) == 50
    if path == "/audit/":
        assert "演示·消防监督员" in large.content.decode()


# --- The API ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/audit/events/", "/api/v1/audit/security-events/"])
def test_the_audit_api_answers_the_audit_administrator_only(client_as, path):
    _event(event="api.listed")
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN, username="api-listed")
    response = client_as("auditor").get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1
    assert body["results"]

    for username in ("health", "sysadmin", "secadmin"):
        refused = client_as(username).get(path)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "permission_denied"
        assert error["message"]
        assert error["fields"] == {}
        assert "results" not in refused.json()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED, username="health").exists()


def test_the_audit_api_filters_by_table_and_kind(client_as):
    _event(event="api.region", table_name="accounts_region", kind=AuditEvent.Kind.DELETE)
    _event(event="api.duty", table_name="accounts_duty")
    body = client_as("auditor").get("/api/v1/audit/events/", {"table": "accounts_region", "kind": "delete"}).json()
    assert {row["event"] for row in body["results"] if row["event"].startswith("api.")} == {"api.region"}
    assert all(row["table_name"] == "accounts_region" for row in body["results"])


def test_an_api_write_by_a_token_user_is_attributed_to_that_user(cast):
    """The middleware runs before DRF knows a token's user; the authentication class closes it."""
    from rest_framework.test import APIClient

    from tests.factories import api_key

    client = APIClient(REMOTE_ADDR="198.51.100.7")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(cast['mca'])}")
    response = client.post(
        "/api/v1/registrations/",
        {
            "credit_code": "52330281MA2E00001G",
            "name": "审计测试托育中心",
            "legal_form": "nonprofit",
            "provider_type": "standalone",
            "village": "330281103201",
            "address": "测试路1号",
            "certificate_number": "审计-0001",
            "registered_on": "2026-03-02",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    row = AuditEvent.objects.get(
        table_name="registry_registration", kind=AuditEvent.Kind.INSERT, object_id=str(response.json()["id"])
    )
    assert (row.actor_id, row.ip) == (cast["mca"].pk, "198.51.100.7")
