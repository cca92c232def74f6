"""The three operator roles: system, security and audit administrator (policy.py, subject 4).

What users rely on: the three roles are held by three different people and kept apart; an
operator decides no business and is a member of no organisation; only the security
administrator hands out roles and memberships, and never to themselves; the audit trail is
read by the auditor alone; Django admin opens to the system and security administrators only.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils.translation import override

from accounts import policy, services
from accounts.errors import ApplicationError
from accounts.models import Duty, Membership, SecurityEvent, User

OPERATORS = {"sysadmin": "system", "secadmin": "security", "auditor": "audit"}
OPERATOR_DUTIES = {"system": "system.admin", "security": "security.admin", "audit": "audit.admin"}
BUSINESS_USERS = ["health", "leader", "simen", "nursery1", "stranger"]


def _reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _message(error: pytest.ExceptionInfo) -> str:
    with override("zh-hans"):
        return str(error.value.message)


# --- Roles are kept apart ---------------------------------------------------------------


def test_the_demo_operators_hold_one_role_each(cast):
    assert {name: cast[name].operator_role for name in OPERATORS} == OPERATORS
    assert all(not cast[name].memberships.exists() for name in OPERATORS)


@pytest.mark.parametrize(
    ("username", "new_role"),
    [("sysadmin", "audit"), ("sysadmin", "security"), ("auditor", "system"), ("auditor", "security")],
)
def test_an_operator_cannot_be_switched_to_another_role(cast, username, new_role):
    user = cast[username]
    with pytest.raises(ApplicationError) as error:
        services.operator_role_set(actor=cast["secadmin"], user=user, role=new_role)

    with override("zh-hans"):
        held = user.get_operator_role_display()
    message = _message(error)
    assert user.real_name in message
    assert held in message
    assert _reload(user).operator_role == OPERATORS[username]


def test_switching_roles_needs_the_old_role_withdrawn_first(cast):
    """The only way to a second role is to lose the first: nobody ever holds two."""
    secadmin, auditor = cast["secadmin"], cast["auditor"]

    services.operator_role_set(actor=secadmin, user=auditor, role="")
    assert _reload(auditor).operator_role == ""
    services.operator_role_set(actor=secadmin, user=auditor, role="system")

    auditor = _reload(auditor)
    assert auditor.operator_role == "system"
    assert policy.duties(auditor) == frozenset({"system.admin"})


def test_an_unknown_role_is_refused(cast):
    with pytest.raises(ApplicationError):
        services.operator_role_set(actor=cast["secadmin"], user=cast["stranger"], role="superuser")
    assert _reload(cast["stranger"]).operator_role == ""


# --- Operators are not members ------------------------------------------------------------


@pytest.mark.parametrize("username", list(OPERATORS))
def test_an_operator_cannot_be_given_a_membership(cast, org, username):
    with pytest.raises(ApplicationError) as error:
        services.membership_set(actor=cast["secadmin"], user=cast[username], organisation=org("health"), role="viewer")

    assert _message(error)
    assert not Membership.objects.filter(user=cast[username]).exists()
    assert not cast[username].groups.filter(pk=org("health").group_id).exists()


@pytest.mark.parametrize(("username", "role"), [("health", "audit"), ("leader", "system"), ("nursery1", "security")])
def test_a_member_cannot_become_an_operator(cast, username, role):
    with pytest.raises(ApplicationError) as error:
        services.operator_role_set(actor=cast["secadmin"], user=cast[username], role=role)

    assert _message(error)
    user = _reload(cast[username])
    assert user.operator_role == ""
    assert user.is_staff is False
    assert user.memberships.exists()


# --- Who hands out roles ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["", "audit", "system", "security"])
def test_nobody_changes_their_own_role(cast, role):
    secadmin = cast["secadmin"]
    with pytest.raises(ApplicationError) as error:
        services.operator_role_set(actor=secadmin, user=secadmin, role=role)

    assert _message(error)
    assert _reload(secadmin).operator_role == "security"


@pytest.mark.parametrize("actor", ["sysadmin", "auditor", "health", "leader", "nursery1", "stranger"])
def test_only_the_security_administrator_sets_roles(cast, actor):
    stranger = cast["stranger"]
    with pytest.raises(PermissionDenied):
        services.operator_role_set(actor=cast[actor], user=stranger, role="audit")
    assert _reload(stranger).operator_role == ""

    with pytest.raises(PermissionDenied):
        services.operator_role_set(actor=cast[actor], user=cast["auditor"], role="")
    assert _reload(cast["auditor"]).operator_role == "audit"


@pytest.mark.parametrize("actor", ["sysadmin", "auditor", "health", "nursery1"])
def test_only_the_security_administrator_grants_memberships(cast, org, actor):
    with pytest.raises(PermissionDenied):
        services.membership_set(actor=cast[actor], user=cast["stranger"], organisation=org("health"), role="head")
    assert not Membership.objects.filter(user=cast["stranger"]).exists()


def test_the_security_administrator_makes_an_auditor_of_a_user_without_memberships(cast):
    stranger = services.operator_role_set(actor=cast["secadmin"], user=cast["stranger"], role="audit")

    stranger = _reload(stranger)
    assert stranger.operator_role == "audit"
    assert stranger.is_staff is False  # Django admin is for the system and security administrators
    assert policy.duties(stranger) == frozenset({"audit.admin"})


def test_the_security_administrator_grants_a_membership_to_a_user(cast, org):
    membership = services.membership_set(
        actor=cast["secadmin"], user=cast["stranger"], organisation=org("health"), role="viewer"
    )
    assert membership.role == "viewer"
    assert cast["stranger"].groups.filter(pk=org("health").group_id).exists()


# --- Operators decide no business ---------------------------------------------------------


@pytest.mark.parametrize(("username", "role"), list(OPERATORS.items()))
def test_an_operator_holds_only_their_operator_duty(cast, username, role):
    user = cast[username]
    assert policy.duties(user) == frozenset({OPERATOR_DUTIES[role]})
    assert policy.organisations_of(user) == []

    business = set(Duty.objects.exclude(code__in=OPERATOR_DUTIES.values()).values_list("code", flat=True))
    assert {"filing.review", "review.decide", "referral.decide", "dashboard.view"} <= business
    assert not policy.has_any_duty(user, business)


def test_is_superuser_grants_an_operator_no_business_duty(cast):
    auditor = cast["auditor"]
    auditor.is_superuser = True
    assert policy.duties(auditor) == frozenset({"audit.admin"})
    assert not policy.has_duty(auditor, "review.decide")


@pytest.mark.parametrize("username", list(OPERATORS))
@pytest.mark.parametrize("code", ["demo-simen-xingxing", "demo-lizhou-yangguang", "health"])
def test_an_operator_cannot_open_business_organisations(client_as, cast, org, username, code):
    organisation = org(code)
    response = client_as(username).get(f"/organisations/{organisation.pk}/")

    assert response.status_code == 404
    assert SecurityEvent.objects.filter(
        kind="out_of_scope", user_id_value=cast[username].pk, detail__lookup__pk=str(organisation.pk)
    ).exists()


def test_the_institution_page_does_open_for_its_own_head(client_as, org):
    """The control for the test above: the page exists and opens for the right person."""
    response = client_as("nursery1").get(f"/organisations/{org('demo-simen-xingxing').pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("username", list(OPERATORS))
def test_an_operator_lists_no_business_organisation(client_as, username):
    response = client_as(username).get("/api/v1/organisations/")
    assert response.status_code == 200
    kinds = {item["kind"] for item in response.json()["results"]}
    assert kinds <= {"operator"}


# --- The audit trail and the admin site ---------------------------------------------------


@pytest.mark.parametrize("path", ["/audit/", "/audit/security/"])
def test_the_auditor_reads_the_audit_trail(client_as, path):
    assert client_as("auditor").get(path).status_code == 200


@pytest.mark.parametrize("path", ["/audit/", "/audit/security/"])
@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "health", "leader", "stranger"])
def test_nobody_else_reads_the_audit_trail(client_as, cast, username, path):
    response = client_as(username).get(path)

    assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind="denied", user_id_value=cast[username].pk, path=path).exists()


@pytest.mark.parametrize("path", ["/api/v1/audit/events/", "/api/v1/audit/security-events/"])
@pytest.mark.parametrize(("username", "status"), [("auditor", 200), ("sysadmin", 403), ("secadmin", 403)])
def test_only_the_auditor_reads_the_audit_api(client_as, username, status, path):
    assert client_as(username).get(path).status_code == status


@pytest.mark.parametrize("path", ["/audit/", "/audit/security/"])
def test_anonymous_is_sent_to_log_in_for_the_audit_trail(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("username", ["sysadmin", "secadmin"])
def test_system_and_security_administrators_open_the_admin_site(client_as, username):
    assert client_as(username).get("/admin/").status_code == 200


@pytest.mark.parametrize("username", ["auditor", "health", "leader", "nursery1", "stranger"])
def test_everyone_else_is_refused_the_admin_site(client_as, username):
    assert client_as(username).get("/admin/").status_code == 403


def test_a_superuser_flag_alone_does_not_open_the_admin_site(cast):
    user = cast["health"]
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 403


def test_anonymous_is_sent_to_log_in_for_the_admin_site():
    response = Client().get("/admin/", follow=True)

    assert response.redirect_chain
    final_url = response.redirect_chain[-1][0]
    assert final_url.startswith("/accounts/login/")
    assert response.status_code == 200
    assert "accounts/login.html" in [t.name for t in response.templates]
