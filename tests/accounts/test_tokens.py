"""API tokens (issue 16): keys are generated, never typed, shown once and stored only as a
hash; a token works only while its user could sign in (not deactivated, not locked out after
failed logins)."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.crypto import key_digest
from accounts.demo import DEMO_PASSWORD
from accounts.models import ApiTokenDetails, AuditEvent
from tests.factories import api_key

ADD = "/admin/authtoken/tokenproxy/add/"


def api_as(key: str, address: str = "127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_form_has_no_key_field_and_a_typed_key_is_ignored(client_as, cast):
    client = client_as("sysadmin")
    form = client.get(ADD)
    assert form.status_code == 200
    assert 'name="key"' not in form.content.decode()
    response = client.post(ADD, {"key": "1", "user": cast["mca"].pk}, follow=True)
    assert response.status_code == 200
    token = Token.objects.get(user=cast["mca"])
    assert token.key not in ("1", key_digest("1")) and len(token.key) == 40
    assert api_as("1").get("/api/v1/me/").status_code == 401
    # The key is shown once, in the message after saving; the table holds its hash.
    key = re.search(r"\b[0-9a-f]{40}\b", str(list(response.context["messages"])[0])).group(0)
    assert key_digest(key) == token.key
    assert api_as(key).get("/api/v1/me/").json()["username"] == "mca"


def test_an_issued_token_cannot_be_changed_only_viewed(client_as, cast):
    api_key(cast["mca"])
    token = Token.objects.get(user=cast["mca"])
    client = client_as("sysadmin")
    url = f"/admin/authtoken/tokenproxy/{cast['mca'].pk}/change/"
    page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200 and token.key in content and 'name="key"' not in content
    client.post(url, {"user": cast["amr"].pk})
    assert Token.objects.get(key=token.key).user == cast["mca"]


def test_a_deactivated_user_s_token_answers_401(cast):
    key = api_key(cast["mca"])
    assert api_as(key).get("/api/v1/me/").status_code == 200
    cast["mca"].is_active = False
    cast["mca"].save(update_fields=["is_active"])
    response = api_as(key).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["error"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_locked_out_user_s_token_answers_401_until_the_lock_ends(cast, method):
    from axes.models import AccessAttempt

    key = api_key(cast["mca"])
    login = Client()
    for _ in range(5):
        login.post("/accounts/login/", {"username": "mca", "password": "wrong-Password-1"})
    assert login.post("/accounts/login/", {"username": "mca", "password": DEMO_PASSWORD}).status_code == 429
    response = getattr(api_as(key), method)("/api/v1/registrations/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    AccessAttempt.objects.filter(username="mca").delete()  # the security administrator lifts the lock
    assert api_as(key).get("/api/v1/me/").status_code == 200


# --- Details, expiry, last use, the security administrator's list (point 4) --------------

LIST = "/security/tokens/"


def issue(cast, username="mca", days=90) -> tuple[Token, str]:
    from accounts import services

    user = cast[username]
    organisation = user.memberships.first().organisation
    return services.api_token_issue(
        actor=cast["secadmin"], user=user, organisation=organisation, name="民政系统", days=days
    )


def test_an_expired_token_answers_401_in_the_one_error_shape(cast):
    token, key = issue(cast)
    assert api_as(key).get("/api/v1/me/").status_code == 200
    token.details.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.details.save(update_fields=["expires_at"])
    response = api_as(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["message"]


def test_a_token_issued_without_details_expires_after_the_default_90_days(cast):
    key = api_key(cast["mca"])
    assert api_as(key).get("/api/v1/me/").status_code == 200
    Token.objects.filter(user=cast["mca"]).update(created=timezone.now() - datetime.timedelta(days=91))
    assert api_as(key).get("/api/v1/me/").status_code == 401


def test_the_security_administrator_issues_a_token_whose_key_is_shown_once(client_as, cast):
    client = client_as("secadmin")
    org = cast["mca"].memberships.first().organisation
    page = client.post(LIST, {"username": "mca", "organisation_code": org.code, "name": "民政系统", "days": "30"})
    token = Token.objects.get(user=cast["mca"])
    key = re.search(r'<code class="token-key">([0-9a-f]{40})</code>', page.content.decode()).group(1)
    assert key_digest(key) == token.key and api_as(key).get("/api/v1/me/").status_code == 200
    assert token.details.organisation == org and token.details.name == "民政系统"
    assert token.details.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    assert AuditEvent.objects.filter(event="api_token.issued", actor_id=cast["secadmin"].pk).exists()
    assert key not in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days": "366"}, "365"),
        ({"organisation_code": "health"}, "所属单位"),
    ],
)
def test_a_token_beyond_the_limits_is_refused_and_nothing_is_issued(client_as, cast, data, message):
    form = {"username": "mca", "organisation_code": "", "name": "x", "days": "90"} | data
    page = client_as("secadmin").post(LIST, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and message in page.content.decode()
    assert not Token.objects.filter(user=cast["mca"]).exists()


def test_the_token_list_shows_name_user_organisation_and_times_but_never_the_key(client_as, cast):
    token, key = issue(cast)
    api_as(key).get("/api/v1/me/")
    page = client_as("secadmin").get(LIST).content.decode()
    assert "民政系统" in page and "mca" in page and token.details.organisation.name in page
    assert f"{timezone.localtime(token.details.expires_at):%Y-%m-%d}" in page
    assert key not in page


def test_a_revoked_token_answers_401_and_the_revocation_is_audited(client_as, cast):
    _token, key = issue(cast)
    response = client_as("secadmin").post(f"/security/tokens/{cast['mca'].pk}/revoke/")
    assert response.status_code == 302
    assert api_as(key).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(event="api_token.revoked", actor_id=cast["secadmin"].pk).exists()
    assert client_as("secadmin").post(f"/security/tokens/{cast['mca'].pk}/revoke/").status_code == 404


def test_last_used_is_written_once_within_a_minute(cast):
    token, key = issue(cast)
    client = api_as(key)
    client.get("/api/v1/me/")
    first = ApiTokenDetails.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/me/")
    assert not [q for q in queries if "apitokendetails" in q["sql"].lower() and q["sql"].startswith("UPDATE")]
    assert ApiTokenDetails.objects.get(pk=token.pk).last_used_at == first
    ApiTokenDetails.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/api/v1/me/")
    assert ApiTokenDetails.objects.get(pk=token.pk).last_used_at > first


def test_the_migration_describes_tokens_issued_before_it(cast):
    from importlib import import_module

    from django.apps import apps

    token = Token.objects.create(user=cast["mca"])  # as tokens were stored then: the key itself
    import_module("accounts.migrations.0004_api_token_details").describe_existing_tokens(apps, None)
    details = ApiTokenDetails.objects.get(pk=token.pk)
    assert details.name and details.organisation == cast["mca"].memberships.order_by("pk").first().organisation
    assert details.expires_at > timezone.now() + datetime.timedelta(days=89)
    import_module("accounts.migrations.0006_hash_api_token_keys").hash_existing_keys(apps, None)
    assert api_as(token.key).get("/api/v1/me/").status_code == 200


def test_a_token_issued_without_an_organisation_belongs_to_the_user_s_first(client_as, cast):
    client_as("secadmin").post(LIST, {"username": "mca", "organisation_code": "", "name": "x", "days": "90"})
    details = Token.objects.get(user=cast["mca"]).details
    assert details.organisation == cast["mca"].memberships.order_by("pk").first().organisation


@pytest.mark.parametrize("count", [2, 6])
def test_the_token_list_runs_a_fixed_number_of_queries(client_as, cast, django_assert_max_num_queries, count):
    for username in ["mca", "amr", "health", "fire", "hrss", "edu"][:count]:
        issue(cast, username)
    client = client_as("secadmin")
    with django_assert_max_num_queries(6):  # measured: 5 for 2 and for 6 tokens
        assert client.get(LIST).status_code == 200


# --- Keys stored as hashes (point 4) --------------------------------------------------------


def test_the_database_holds_no_usable_key(cast):
    _token, key = issue(cast)
    stored = Token.objects.get(user=cast["mca"]).key
    assert stored != key and stored == key_digest(key)
    assert api_as(key).get("/api/v1/me/").status_code == 200
    response = api_as(stored).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["error"]["message"]
    # Nor does the audit trail of the issue name the key.
    assert not AuditEvent.objects.filter(object_id=key).exists()


def test_the_migration_hashes_existing_keys_keeps_their_details_and_ends_them_within_30_days(cast):
    from importlib import import_module

    from django.apps import apps

    organisation = cast["mca"].memberships.first().organisation
    key = Token.generate_key()
    old = Token.objects.create(user=cast["mca"], key=key)  # stored in plain, as before
    created = timezone.now() - datetime.timedelta(days=3)
    Token.objects.filter(pk=key).update(created=created)
    used = timezone.now() - datetime.timedelta(hours=2)
    expires = timezone.now() + datetime.timedelta(days=20)
    ApiTokenDetails.objects.create(
        token=old, name="民政系统", organisation=organisation, expires_at=expires, last_used_at=used
    )
    assert api_as(key).get("/api/v1/me/").status_code == 401  # a plain row is not accepted any more

    import_module("accounts.migrations.0006_hash_api_token_keys").hash_existing_keys(apps, None)

    token = Token.objects.get(user=cast["mca"])
    assert token.key == key_digest(key) and not Token.objects.filter(key=key).exists()
    assert token.created == created
    details = ApiTokenDetails.objects.get(pk=token.pk)
    assert (details.name, details.organisation, details.expires_at) == ("民政系统", organisation, expires)
    assert details.last_used_at == used
    assert api_as(key).get("/api/v1/me/").json()["username"] == "mca"
    assert api_as(token.key).get("/api/v1/me/").status_code == 401

    # A key once stored in plain (and named by the audit trail) is not kept for long.
    later = ApiTokenDetails.objects.create(
        token=Token.objects.create(user=cast["hrss"], key=Token.generate_key()),
        name="人社系统",
        organisation=cast["hrss"].memberships.first().organisation,
        expires_at=timezone.now() + datetime.timedelta(days=300),
    )
    import_module("accounts.migrations.0006_hash_api_token_keys").hash_existing_keys(apps, None)
    carried = ApiTokenDetails.objects.get(token__user=cast["hrss"])
    assert carried.name == later.name
    assert carried.expires_at <= timezone.now() + datetime.timedelta(days=30)
