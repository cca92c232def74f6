"""API tokens (issue 16): keys are generated, never typed; a token works only while its user
could sign in (not deactivated, not locked out after failed logins)."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.demo import DEMO_PASSWORD

ADD = "/admin/authtoken/tokenproxy/add/"


def api_as(token: Token, address: str = "127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_token_form_has_no_key_field_and_a_typed_key_is_ignored(client_as, cast):
    client = client_as("sysadmin")
    form = client.get(ADD)
    assert form.status_code == 200
    assert 'name="key"' not in form.content.decode()
    response = client.post(ADD, {"key": "1", "user": cast["mca"].pk})
    assert response.status_code == 302
    token = Token.objects.get(user=cast["mca"])
    assert token.key != "1" and len(token.key) == 40
    assert api_as(Token(key="1")).get("/api/v1/me/").status_code == 401
    assert api_as(token).get("/api/v1/me/").json()["username"] == "mca"


def test_an_issued_token_cannot_be_changed_only_viewed(client_as, cast):
    token = Token.objects.create(user=cast["mca"])
    client = client_as("sysadmin")
    url = f"/admin/authtoken/tokenproxy/{cast['mca'].pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and token.key in page.content.decode() and 'name="key"' not in page.content.decode()
    client.post(url, {"user": cast["amr"].pk})
    assert Token.objects.get(key=token.key).user == cast["mca"]


def test_a_deactivated_user_s_token_answers_401(cast):
    token = Token.objects.create(user=cast["mca"])
    assert api_as(token).get("/api/v1/me/").status_code == 200
    cast["mca"].is_active = False
    cast["mca"].save(update_fields=["is_active"])
    response = api_as(token).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["error"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_locked_out_user_s_token_answers_401_until_the_lock_ends(cast, method):
    from axes.models import AccessAttempt

    token = Token.objects.create(user=cast["mca"])
    login = Client()
    for _ in range(5):
        login.post("/accounts/login/", {"username": "mca", "password": "wrong-Password-1"})
    assert login.post("/accounts/login/", {"username": "mca", "password": DEMO_PASSWORD}).status_code == 429
    response = getattr(api_as(token), method)("/api/v1/registrations/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    AccessAttempt.objects.filter(username="mca").delete()  # the security administrator lifts the lock
    assert api_as(token).get("/api/v1/me/").status_code == 200
