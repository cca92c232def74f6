"""Sign-in through the government's unified identity (issue 16, point 10), against a provider
run in the test (tests/accounts/identity_provider.py): the portal's OpenID Connect client runs
its real code over HTTP. A verified identity reaches only an account the security administrator
linked; lock-out, deactivation and the second factor apply as to a password sign-in."""

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.demo import DEMO_PASSWORD
from accounts.identity import BACKEND_PATH
from accounts.models import AuditEvent, IdentityLink, Membership, SecurityEvent, User
from tests.accounts.identity_provider import IdentityProvider

START = "/accounts/identity/start/"
CALLBACK = "/accounts/identity/callback/"
BUTTON = "使用统一身份认证登录"


@pytest.fixture
def provider(settings, db):
    """The provider, and the portal configured for it from its discovery document."""
    provider = IdentityProvider()
    discovered = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = discovered["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovered["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovered["token_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovered["jwks_uri"]
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    yield provider
    provider.close()


def link(provider, user, subject="gov-person-0001") -> IdentityLink:
    provider.subject = subject
    return IdentityLink.objects.create(issuer=provider.issuer, subject=subject, user=user)


def callback_url(client: Client, next_url: str = "") -> str:
    """Start at the portal, sign in at the provider: the URL the provider sends the browser back to."""
    start = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(client.provider_authorize)
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


def sign_in(provider, client: Client | None = None, next_url: str = ""):
    client = client or Client()
    client.provider_authorize = f"{provider.issuer}/authorize"
    return client, client.get(callback_url(client, next_url))


def refusals(reason: str):
    return SecurityEvent.objects.filter(kind=SecurityEvent.Kind.IDENTITY_REFUSED, detail__reason=reason)


def message_of(client: Client) -> str:
    return client.get("/accounts/login/").content.decode()


# --- Off unless configured -------------------------------------------------------------------


def test_unconfigured_there_is_no_button_and_the_urls_answer_404(db):
    client = Client()
    assert BUTTON not in client.get("/accounts/login/").content.decode()
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_configured_the_login_page_offers_the_unified_identity(provider):
    page = Client().get("/accounts/login/?next=/registry/").content.decode()
    assert BUTTON in page and f"{START}?next=/registry/" in page


# --- A linked identity signs in ----------------------------------------------------------------


def test_a_linked_subject_signs_in_as_its_account_and_the_log_says_how(provider, cast):
    link(provider, cast["nursery1"])
    client, response = sign_in(provider, next_url="/notifications/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert client.session[SESSION_KEY] == str(cast["nursery1"].pk)
    assert client.get("/notifications/").status_code == 200
    login = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN, username="nursery1").latest("pk")
    assert login.detail == {"via": "identity"}
    assert provider.token_requests == 1


def test_an_operator_signed_in_by_identity_still_gives_the_second_factor(provider, cast, settings):
    settings.SECOND_FACTOR_DEMO_EXEMPT = False
    link(provider, cast["secadmin"])
    client, response = sign_in(provider)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(cast["secadmin"].pk)
    page = client.get("/security/tokens/")
    assert page.status_code == 302 and "/accounts/second-factor/" in page["Location"]
    assert client.get("/api/v1/me/").status_code == 403


# --- Refused: nothing created, a message, a security-log entry -----------------------------------


def test_an_unknown_subject_is_refused_and_nothing_is_created(provider, cast):
    link(provider, cast["nursery1"], subject="gov-person-0001")
    provider.subject = "gov-person-9999"  # signed in at the provider, linked to nobody here
    before = (User.objects.count(), IdentityLink.objects.count(), Membership.objects.count())
    client, response = sign_in(provider)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert "未关联" in message_of(client)
    assert (User.objects.count(), IdentityLink.objects.count(), Membership.objects.count()) == before
    entry = refusals("unknown_subject").get()
    assert entry.detail["subject"] == "gov-person-9999" and entry.detail["issuer"] == provider.issuer


def test_a_link_to_another_issuer_does_not_open_the_account(provider, cast):
    IdentityLink.objects.create(issuer="https://other-provider.example", subject=provider.subject, user=cast["mca"])
    client, _response = sign_in(provider)
    assert SESSION_KEY not in client.session and refusals("unknown_subject").exists()


def test_a_deactivated_account_is_refused(provider, cast):
    link(provider, cast["nursery1"])
    User.objects.filter(pk=cast["nursery1"].pk).update(is_active=False)
    client, _response = sign_in(provider)
    assert SESSION_KEY not in client.session
    assert "停用" in message_of(client)
    assert refusals("inactive").get().username == "nursery1"


def test_a_locked_out_account_is_refused_until_the_lock_ends(provider, cast):
    from axes.models import AccessAttempt

    link(provider, cast["nursery1"])
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "nursery1", "password": "wrong-Password-1"})
    assert client.post("/accounts/login/", {"username": "nursery1", "password": DEMO_PASSWORD}).status_code == 429
    client, _response = sign_in(provider, client)
    assert SESSION_KEY not in client.session
    assert refusals("locked").get().username == "nursery1"
    AccessAttempt.objects.filter(username="nursery1").delete()  # the security administrator lifts it
    client, _response = sign_in(provider, client)
    assert client.session[SESSION_KEY] == str(cast["nursery1"].pk)


@pytest.mark.parametrize("misbehave", ["signature", "nonce", "issuer", "audience", "expired"])
def test_an_id_token_that_does_not_verify_is_refused(provider, cast, misbehave):
    link(provider, cast["nursery1"])
    provider.misbehave = misbehave
    client, response = sign_in(provider)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert "无法验证" in message_of(client)
    assert refusals("invalid").count() == 1


def test_a_forged_state_is_refused_before_the_code_is_exchanged(provider, cast):
    link(provider, cast["nursery1"])
    client = Client()
    client.provider_authorize = f"{provider.issuer}/authorize"
    url = callback_url(client)
    forged = url.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 302 and SESSION_KEY not in client.session
    assert provider.token_requests == 0
    assert refusals("invalid").count() == 1


def test_a_callback_replayed_in_another_browser_is_refused(provider, cast):
    link(provider, cast["nursery1"])
    client = Client()
    client.provider_authorize = f"{provider.issuer}/authorize"
    url = callback_url(client)
    assert client.get(url).status_code == 302 and SESSION_KEY in client.session
    replay = Client()  # its session never started this sign-in
    assert replay.get(url).status_code == 302 and SESSION_KEY not in replay.session
    assert refusals("failed").get().detail["error"] == "no state"
    assert provider.token_requests == 1


def test_a_provider_error_answer_is_refused_with_a_message(provider):
    client = Client()
    client.get(START)
    response = client.get(CALLBACK, {"error": "access_denied", "state": "whatever"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert refusals("failed").get().detail["error"] == "access_denied"


def test_an_unreachable_provider_is_a_message_not_an_error_page(provider, cast):
    link(provider, cast["nursery1"])
    client = Client()
    client.provider_authorize = f"{provider.issuer}/authorize"
    url = callback_url(client)
    provider.close()
    response = client.get(url)
    assert response.status_code == 302 and SESSION_KEY not in client.session
    assert refusals("provider").exists()


# --- The links: set by the security administrator, audited -------------------------------------


def test_only_the_security_administrator_links_identities_and_it_is_audited(client_as, cast, settings):
    settings.OIDC_ISSUER = "https://id.example.gov.cn"
    add = "/admin/accounts/identitylink/add/"
    assert client_as("sysadmin").get(add).status_code == 403
    assert client_as("health").get(add).status_code in (302, 403)
    client = client_as("secadmin")
    assert 'value="https://id.example.gov.cn"' in client.get(add).content.decode()
    data = {"issuer": "https://id.example.gov.cn", "subject": "gov-person-0042", "user": cast["mca"].pk}
    assert client.post(add, data).status_code == 302
    made = IdentityLink.objects.get(subject="gov-person-0042")
    assert made.user == cast["mca"]
    assert AuditEvent.objects.filter(
        table_name="accounts_identitylink", kind="insert", object_id=str(made.pk), actor_id=cast["secadmin"].pk
    ).exists()
    # A second identity for the same account at the same provider is refused.
    again = client.post(add, data | {"subject": "gov-person-0043"})
    assert again.status_code == 200 and IdentityLink.objects.filter(user=cast["mca"]).count() == 1


def test_the_identity_backend_is_inert_for_password_sign_in(cast):
    client = Client()
    assert client.post("/accounts/login/", {"username": "nursery1", "password": DEMO_PASSWORD}).status_code == 302
    assert client.session["_auth_user_backend"] != BACKEND_PATH
