"""Logging in, lock-out, the idle timeout, password rules and the forced first password change.

What users rely on: the right password opens the portal and a wrong one does not; guessing a
password locks that user name at that address for 30 minutes (and only there); an idle
session ends after 30 minutes; a password must be long, mixed and not common; an account an
administrator created cannot do anything until its holder has set their own password.

Project messages are English source strings translated by the zh-hans catalogue, so these
tests compare the page with the catalogue's text (``zh()``); Django's own messages already
have Chinese translations and are compared literally.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext, override

from accounts import services
from accounts.demo import DEMO_PASSWORD
from accounts.forms import LoginForm
from accounts.models import SecurityEvent, User
from accounts.validators import CharacterClassValidator
from tests.helpers import errors_of

LOGIN_URL = "/accounts/login/"
PASSWORD_URL = "/accounts/password/"
ATTACKER = "10.20.30.40"
ELSEWHERE = "10.20.30.99"


def zh(message) -> str:
    """The text a Chinese-speaking user is shown for a message: a source string, a lazy
    translation, or a function that builds the message (called in Chinese)."""
    with override("zh-hans"):
        if isinstance(message, str):
            return gettext(message)
        if isinstance(message, Promise):
            return str(message)
        return str(message())


def login(client: Client, username: str, password: str = DEMO_PASSWORD):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def logged_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def fail_times(client: Client, username: str, times: int) -> list[int]:
    return [login(client, username, "wrong-Password-1").status_code for _ in range(times)]


def assert_locked_page(response) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert escape(zh("Account locked")) in page
    assert "accounts/locked_out.html" in [t.name for t in response.templates]


# --- Logging in ---------------------------------------------------------------------------


def test_demo_user_logs_in_with_the_right_password_and_lands_on_home(cast):
    client = Client(REMOTE_ADDR=ATTACKER)
    response = login(client, "health")

    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_user_id(client) == cast["health"].pk
    home = client.get("/")
    assert "home.html" in [t.name for t in home.templates]
    assert SecurityEvent.objects.filter(kind="login", username="health", ip=ATTACKER).exists()


def test_wrong_password_is_refused_with_a_message_and_logged(cast):
    client = Client(REMOTE_ADDR=ATTACKER)
    response = login(client, "health", "Yuyao@2025")

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    page = response.content.decode()
    assert escape(zh(LoginForm.error_messages["invalid_login"])) in page
    failed = SecurityEvent.objects.filter(kind="login_failed", username="health")
    assert failed.count() == 1
    assert failed.get().ip == ATTACKER
    assert not SecurityEvent.objects.filter(kind="login", username="health").exists()


# --- Lock-out -----------------------------------------------------------------------------


def test_four_failures_do_not_lock(cast):
    client = Client(REMOTE_ADDR=ATTACKER)
    assert fail_times(client, "health", 4) == [200] * 4

    response = login(client, "health")
    assert response.status_code == 302
    assert logged_in_user_id(client) == cast["health"].pk


def test_fifth_failure_locks_the_pair_and_even_the_right_password_is_refused(cast):
    client = Client(REMOTE_ADDR=ATTACKER)
    assert fail_times(client, "health", 5) == [200, 200, 200, 200, 429]

    response = login(client, "health")
    assert_locked_page(response)
    assert logged_in_user_id(client) is None
    assert not SecurityEvent.objects.filter(kind="login", username="health").exists()


def test_lock_out_is_written_to_the_security_log(cast):
    client = Client(REMOTE_ADDR=ATTACKER)
    fail_times(client, "health", 4)
    assert not SecurityEvent.objects.filter(kind="locked_out").exists()

    fail_times(client, "health", 1)
    event = SecurityEvent.objects.get(kind="locked_out")
    assert event.username == "health"
    assert event.ip == ATTACKER


def test_same_user_name_from_another_address_still_logs_in(cast):
    fail_times(Client(REMOTE_ADDR=ATTACKER), "health", 5)

    elsewhere = Client(REMOTE_ADDR=ELSEWHERE)
    response = login(elsewhere, "health")
    assert response.status_code == 302
    assert logged_in_user_id(elsewhere) == cast["health"].pk

    # The success elsewhere does not lift the lock on the attacker's address.
    assert_locked_page(login(Client(REMOTE_ADDR=ATTACKER), "health"))


def test_another_user_name_from_the_same_address_still_logs_in(cast):
    fail_times(Client(REMOTE_ADDR=ATTACKER), "health", 5)

    colleague = Client(REMOTE_ADDR=ATTACKER)
    response = login(colleague, "simen")
    assert response.status_code == 302
    assert logged_in_user_id(colleague) == cast["simen"].pk

    # The colleague's success does not lift the lock on the other user name.
    assert_locked_page(login(Client(REMOTE_ADDR=ATTACKER), "health"))


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(cast):
    """No proxy is trusted (TRUSTED_PROXY_COUNT=0): the address is REMOTE_ADDR, whatever
    X-Forwarded-For a client sends."""
    fail_times(Client(REMOTE_ADDR=ATTACKER), "health", 5)

    forged = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert_locked_page(login(forged, "health"))
    assert logged_in_user_id(forged) is None


def _age_attempts(username: str, minutes: int) -> None:
    """Pretend the failures happened ``minutes`` ago. axes counts only attempts whose
    ``attempt_time`` is within AXES_COOLOFF_TIME of the request's time, so ageing the row is
    the same as waiting (and, unlike patching ``now``, independent of where axes imports it)."""
    updated = AccessAttempt.objects.filter(username=username).update(
        attempt_time=timezone.now() - timedelta(minutes=minutes)
    )
    assert updated, "no lock-out record to age"


def test_lock_lasts_thirty_minutes_then_the_user_may_log_in_again(cast):
    client = Client(REMOTE_ADDR=ATTACKER)
    fail_times(client, "health", 5)

    _age_attempts("health", 29)
    assert_locked_page(login(client, "health"))

    _age_attempts("health", 31)
    response = login(client, "health")
    assert response.status_code == 302
    assert logged_in_user_id(client) == cast["health"].pk


# --- Idle timeout -------------------------------------------------------------------------


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _date_the_last_push(client: Client, ago: timedelta) -> None:
    from accounts.middleware import IdleTimeoutMiddleware

    session = client.session
    session[IdleTimeoutMiddleware.PUSHED_AT] = int((timezone.now() - ago).timestamp())
    session.save()


def test_a_request_pushes_the_idle_expiry_thirty_minutes_ahead(client_as):
    client = client_as("health")
    # Idle for 29 minutes: one minute of the session is left.
    _date_the_last_push(client, timedelta(minutes=29))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    before = timezone.now()
    response = client.get("/organisations/")
    assert response.status_code == 200

    expiry = _session_row(client).expire_date
    assert before + timedelta(minutes=30) <= expiry <= timezone.now() + timedelta(minutes=30)


def test_the_expiry_is_pushed_once_a_minute_not_written_on_every_request(client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.middleware import IdleTimeoutMiddleware

    def session_writes(client) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/organisations/").status_code == 200
        return sum('UPDATE "django_session"' in query["sql"] for query in queries.captured_queries)

    client = client_as("health")
    _date_the_last_push(client, timedelta(minutes=5))
    assert session_writes(client) == 1  # five idle minutes: the expiry is pushed
    pushed = _session_row(client).expire_date
    assert session_writes(client) == 0  # within the minute: the row is left alone
    assert _session_row(client).expire_date == pushed

    _date_the_last_push(client, timedelta(seconds=IdleTimeoutMiddleware.INTERVAL_SECONDS))
    assert session_writes(client) == 1
    assert _session_row(client).expire_date > pushed


def test_an_anonymous_visitor_gets_no_session_row(client, db):
    before = Session.objects.count()
    assert client.get("/").status_code == 200
    assert client.get(LOGIN_URL).status_code == 200
    assert Session.objects.count() == before


def test_a_session_idle_past_its_expiry_is_logged_out(client_as):
    client = client_as("health")
    assert client.get("/organisations/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    home = client.get("/")
    assert home.status_code == 200
    assert "home_public.html" in [t.name for t in home.templates]
    assert not home.wsgi_request.user.is_authenticated

    protected = client.get("/organisations/")
    assert protected.status_code == 302
    assert protected.url == "/accounts/login/?next=/organisations/"


# --- Password rules -----------------------------------------------------------------------


@pytest.fixture
def member(db) -> User:
    return services.user_create(
        actor=None, username="pwtester", real_name="密码测试员", password=DEMO_PASSWORD, must_change_password=False
    )


def _change(client: Client, new: str, old: str = DEMO_PASSWORD):
    return client.post(PASSWORD_URL, {"old_password": old, "new_password1": new, "new_password2": new})


def _codes(response) -> set[str]:
    form = response.context["form"]
    return {error.code for errors in form.errors.as_data().values() for error in errors}


TOO_SIMPLE = CharacterClassValidator(min_classes=3)


@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        # Django 5.2 changed this msgid ("%d"); its zh_Hans catalogue still has the old one,
        # so the text comes from whatever catalogue translates it (see the module docstring).
        ("Ab1-xyz", "password_too_short", lambda: MinimumLengthValidator(8).get_error_message()),
        ("Password1", "password_too_common", lambda: "这个密码太常见了。"),
        ("abcdefgh12", "password_too_simple", lambda: TOO_SIMPLE.get_help_text()),  # two classes
        ("ABCDEFGHIJ", "password_too_simple", lambda: TOO_SIMPLE.get_help_text()),  # one class
        ("20262026", "password_entirely_numeric", lambda: "密码只包含数字。"),
    ],
)
def test_weak_passwords_are_refused_with_a_message_and_the_password_stays(member, password, code, message):
    client = Client()
    client.force_login(member)
    expected = zh(message)

    response = _change(client, password)

    assert response.status_code == 200
    assert code in _codes(response)
    assert expected in errors_of(response)
    assert escape(expected) in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEMO_PASSWORD)
    assert not member.check_password(password)
    assert not SecurityEvent.objects.filter(kind="password_changed", username="pwtester").exists()


def test_common_password_with_three_classes_is_refused_only_for_being_common(member):
    client = Client()
    client.force_login(member)
    response = _change(client, "Password1")
    assert _codes(response) == {"password_too_common"}
    assert errors_of(response) == ["这个密码太常见了。"]


def test_two_class_password_is_refused_only_for_its_classes(member):
    client = Client()
    client.force_login(member)
    response = _change(client, "abcdefgh12")
    assert _codes(response) == {"password_too_simple"}
    assert errors_of(response) == [zh(TOO_SIMPLE.get_help_text)]


def test_wrong_old_password_is_refused(member):
    client = Client()
    client.force_login(member)
    response = _change(client, "Qiao-2026-xyz", old="Yuyao@2025")
    assert "你的旧密码不正确。请重新输入。" in errors_of(response)
    member.refresh_from_db()
    assert member.check_password(DEMO_PASSWORD)


def test_good_password_is_accepted_and_the_user_stays_logged_in(member):
    client = Client()
    client.force_login(member)

    response = _change(client, "Qiao-2026-xyz")

    assert response.status_code == 302
    assert response.url == "/accounts/password/done/"
    member.refresh_from_db()
    assert member.check_password("Qiao-2026-xyz")
    assert SecurityEvent.objects.filter(kind="password_changed", username="pwtester").exists()
    assert client.get("/organisations/").status_code == 200
    assert login(Client(), "pwtester", "Qiao-2026-xyz").status_code == 302
    assert login(Client(), "pwtester", DEMO_PASSWORD).status_code == 200


# --- Forced password change at first login ------------------------------------------------


@pytest.fixture
def newcomer(db) -> User:
    return services.user_create(
        actor=None, username="newcomer", real_name="新同事", password=DEMO_PASSWORD, must_change_password=True
    )


@pytest.mark.parametrize("path", ["/", "/organisations/", "/notifications/", "/regions/330281/"])
def test_new_account_is_sent_to_the_password_page_from_every_page(newcomer, path):
    client = Client()
    assert login(client, "newcomer").status_code == 302
    assert logged_in_user_id(client) == newcomer.pk

    response = client.get(path)
    assert response.status_code == 302
    assert response.url == PASSWORD_URL


def test_new_account_api_calls_answer_password_change_required(newcomer):
    client = Client()
    login(client, "newcomer")

    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"


def test_new_account_sees_the_password_page_and_may_log_out(newcomer):
    client = Client()
    login(client, "newcomer")
    assert client.get(PASSWORD_URL).status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_after_changing_the_password_the_new_account_opens_home(newcomer):
    client = Client()
    login(client, "newcomer")

    response = _change(client, "Qiao-2026-xyz")
    assert response.status_code == 302

    newcomer.refresh_from_db()
    assert newcomer.must_change_password is False
    home = client.get("/")
    assert home.status_code == 200
    assert "home.html" in [t.name for t in home.templates]
    assert client.get("/organisations/").status_code == 200
    assert client.get("/api/v1/me/").json()["username"] == "newcomer"


def test_a_refused_new_password_keeps_the_obligation(newcomer):
    client = Client()
    login(client, "newcomer")
    assert _change(client, "abcdefgh12").status_code == 200

    newcomer.refresh_from_db()
    assert newcomer.must_change_password is True
    assert client.get("/").url == PASSWORD_URL


@pytest.mark.parametrize("username", ["health", "nursery1", "auditor", "stranger"])
def test_demo_accounts_are_not_sent_to_the_password_page(cast, username):
    assert cast[username].must_change_password is False
    client = Client()
    assert login(client, username).status_code == 302

    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_a_token_user_who_must_change_the_password_is_refused_by_the_api(db):
    from rest_framework.test import APIClient

    from accounts import services as account_services
    from tests.factories import api_key

    user = account_services.user_create(
        actor=None, username="token-newcomer", real_name="新账号", password="Qiao-2026-xyz", must_change_password=True
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"
