"""The operators' pages in Chinese and by name (issue 17, point 6).

What operators rely on:
- the security administrator finds people and organisations by typing part of a name, and
  puts a person in an organisation (or gives an operator role) without knowing any id;
- the audit trail reads as words: the record type's name, each changed field by its name,
  choice values by their labels, times in Beijing time, never raw JSON or UTC;
- the auditor filters by a person's name and by organisation, and exports the filtered range
  to Excel; the export is itself on the trail;
- the pages cost the same number of queries however long the trail is.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, Membership

USERS = "/operators/choices/users/"
ORGANISATIONS = "/operators/choices/organisations/"


def _assign(client, *, user, organisation, role="viewer"):
    return client.post(
        reverse("membership_assign"),
        {"action": "membership", "user": user.pk, "organisation": organisation.pk, "role": role},
    )


def test_the_security_administrator_finds_people_and_organisations_by_name(client_as):
    client = client_as("secadmin")
    users = client.get(USERS, {"q": "泗门镇专干"}).json()["results"]
    assert [u["name"] for u in users] == ["演示·泗门镇专干（simen）"]
    assert "泗门镇人民政府" in users[0]["township"]
    organisations = client.get(ORGANISATIONS, {"q": "泗门镇人民"}).json()["results"]
    assert [o["name"] for o in organisations] == ["泗门镇人民政府"]
    # The auditor looks up too (to filter the trail); a business user is refused.
    assert client_as("auditor").get(ORGANISATIONS, {"q": "泗门"}).status_code == 200
    assert client_as("health").get(USERS, {"q": "simen"}).status_code == 403


def test_a_membership_is_granted_by_name_and_audited(client_as, cast, org):
    township = org("township-330281103")
    response = _assign(client_as("secadmin"), user=cast["stranger"], organisation=township)
    assert response.status_code == 302
    membership = Membership.objects.get(user=cast["stranger"], organisation=township)
    assert membership.role == "viewer"
    assert AuditEvent.objects.filter(event="membership.set", object_id=str(membership.pk)).exists()
    page = client_as("secadmin").get(reverse("membership_assign")).content.decode()
    assert 'data-picker-url="/operators/choices/users/"' in page
    assert "无单位用户（stranger）" in page  # the latest memberships, by name


def test_an_operator_team_or_a_made_up_id_is_refused_and_nothing_changes(client_as, cast, org):
    from django.contrib.auth.models import Group

    from accounts.models import Organisation

    team = Organisation.objects.create(
        code="test-operators", name="运维组", kind=Organisation.Kind.OPERATOR,
        jurisdiction=org("health").jurisdiction, group=Group.objects.create(name="test-operators"),
    )  # fmt: skip
    before = Membership.objects.count()
    response = _assign(client_as("secadmin"), user=cast["stranger"], organisation=team)
    assert response.status_code == 200
    assert "请从列表中选择" in response.content.decode()
    response = client_as("secadmin").post(
        reverse("membership_assign"),
        {"action": "membership", "user": "99999999", "organisation": "x", "role": "viewer"},
    )
    assert response.status_code == 200
    assert Membership.objects.count() == before


def test_an_operator_cannot_become_a_member_and_is_told_why(client_as, cast, org):
    response = _assign(client_as("secadmin"), user=cast["auditor"], organisation=org("health"))
    assert response.status_code == 200
    assert "管理员不能成为单位成员" in response.content.decode()
    assert not Membership.objects.filter(user=cast["auditor"]).exists()


def test_an_operator_role_is_given_by_name(client_as, cast):
    response = client_as("secadmin").post(
        reverse("membership_assign"),
        {"action": "role", "role-user": cast["stranger"].pk, "role-operator_role": "audit"},
    )
    assert response.status_code == 302
    cast["stranger"].refresh_from_db()
    assert cast["stranger"].operator_role == "audit"


def test_the_trail_reads_in_words_with_local_times(client_as, cast, org):
    township = org("township-330281103")
    _assign(client_as("secadmin"), user=cast["stranger"], organisation=township, role="viewer")
    _assign(client_as("secadmin"), user=cast["stranger"], organisation=township, role="head")
    change = AuditEvent.objects.filter(table_name="accounts_membership", kind="update").latest("id")
    page = client_as("auditor").get(reverse("audit_event_list"), {"table": "accounts_membership", "kind": "update"})
    html = page.content.decode()
    assert "成员关系" in html or "成员" in html  # the model's verbose name, not its table
    assert "accounts_membership" not in html.split("<tbody>")[1]
    assert "角色" in html and "查阅人员" in html and "负责人" in html  # field name, choice labels
    assert '"role"' not in html and "{" not in html.split("<tbody>")[1].split("</tbody>")[0]
    from django.utils import timezone

    local = timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M")
    assert local in html


def test_the_trail_filters_by_person_name_and_organisation(client_as, cast, org):
    _assign(client_as("secadmin"), user=cast["stranger"], organisation=org("township-330281103"))
    auditor = client_as("auditor")
    by_name = auditor.get(reverse("audit_event_list"), {"person": "安全管理员", "text": "membership.set"})
    assert "演示·安全管理员" in by_name.content.decode()
    assert "membership.set" in by_name.content.decode()
    nobody = auditor.get(reverse("audit_event_list"), {"person": "没有这个人", "text": "membership.set"})
    assert "membership.set" not in nobody.content.decode().split("<tbody>")[1]
    health = org("health")
    by_org = auditor.get(reverse("audit_event_list"), {"organisation": health.pk, "text": "membership.set"})
    assert "membership.set" not in by_org.content.decode().split("<tbody>")[1]  # secadmin is in no organisation
    security = auditor.get(reverse("security_event_list"), {"organisation": health.pk})
    assert security.status_code == 200


def test_the_export_holds_the_filtered_range_in_words_and_is_itself_audited(client_as, cast, org):
    _assign(client_as("secadmin"), user=cast["stranger"], organisation=org("township-330281103"))
    before = AuditEvent.objects.filter(event="audit_log.exported").count()
    response = client_as("auditor").get(reverse("audit_event_export"), {"person": "安全管理员", "text": "membership"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "IP地址")
    assert rows[1:] and all(row[1] == "演示·安全管理员" for row in rows[1:])
    assert all("membership" in (row[4] or "") for row in rows[1:])
    exported = AuditEvent.objects.filter(event="audit_log.exported")
    assert exported.count() == before + 1
    assert exported.latest("id").actor_id == cast["auditor"].pk
    security = client_as("auditor").get(reverse("security_event_export"), {"kind": "login"})
    assert security.status_code == 200
    assert AuditEvent.objects.filter(event="security_log.exported").exists()


def test_an_invalid_filter_exports_nothing(client_as):
    response = client_as("auditor").get(reverse("audit_event_export"), {"since": "not a date"})
    assert response.status_code == 302


@pytest.mark.parametrize("size", [5, 80])
def test_the_trail_and_the_log_keep_a_fixed_number_of_queries(
    size, client_as, cast, org, django_assert_max_num_queries
):
    township = org("township-330281103")
    for n in range(size):
        _assign(client_as("secadmin"), user=cast["stranger"], organisation=township, role=["viewer", "head"][n % 2])
    auditor = client_as("auditor")
    with django_assert_max_num_queries(12):
        assert auditor.get(reverse("audit_event_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            auditor.get(reverse("audit_event_list"), {"person": "安全", "organisation": township.pk}).status_code == 200
        )
    with django_assert_max_num_queries(12):
        assert auditor.get(reverse("security_event_list"), {"person": "simen"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client_as("secadmin").get(reverse("membership_assign")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client_as("secadmin").get(USERS, {"q": "演示"}).status_code == 200


def test_a_time_stored_in_utc_by_the_triggers_reads_in_beijing_time(db):
    from accounts.audit_display import changes

    event = AuditEvent(
        kind="update",
        table_name="accounts_membership",
        before={"id": 3, "role": "viewer", "created_at": "2026-11-09 02:03:04.123", "user_id": 7},
        after={"id": 3, "role": "head", "created_at": "2026-11-09T16:30:00+00:00", "user_id": 7},
    )
    rows = {change.field: (change.before, change.after) for change in changes(event)}
    assert rows["角色"] == ("查阅人员", "负责人")
    assert rows["创建时间"] == ("2026-11-09 10:03:04", "2026-11-10 00:30:00")
    assert "用户" not in rows and "id" not in rows  # unchanged fields and the row id are not shown


def test_the_admin_membership_form_finds_people_by_name_not_by_id(client_as):
    page = client_as("secadmin").get("/admin/accounts/membership/add/").content.decode()
    assert 'data-picker-url="/operators/choices/users/"' in page
    assert 'data-picker-url="/operators/choices/organisations/"' in page
    assert "related-lookup" not in page  # the raw-id look-up the security administrator could not open
