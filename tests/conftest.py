"""The fixed cast every view test uses, loaded once per test session from the demo data.

Each person's intent:
- ``health``    health bureau officer: reviews filings, city-wide sight.
- ``leader``    leading group viewer: reads dashboards, changes nothing.
- ``simen``     泗门镇 official (township A): sees only 泗门镇.
- ``lizhou``    梨洲街道 official (township B): sees only 梨洲街道.
- ``mca`` / ``amr`` / ``editor``  the three registration authorities.
- ``fire``      fire inspector: only the fire part of reviews.
- ``hrss`` / ``edu``  human resources bureau, education bureau.
- ``nursery1``  head of an institution in 泗门镇 (institution A).
- ``nursery2``  head of an institution in 梨洲街道 (institution B).
- ``auditor`` / ``sysadmin`` / ``secadmin``  the three operator roles.
- ``stranger``  a logged-in account with no organisation: must see nothing.
"""

import time

import pytest
from django.conf import settings
from django.test import Client, TransactionTestCase
from django.utils import translation

from accounts import second_factor, services
from accounts.demo import DEMO_PASSWORD, load_all_demo_data
from accounts.models import Organisation, User
from tests import snapshot
from tests.shared_database import SharedBuild

CAST = [
    "health", "leader", "simen", "lizhou", "mca", "amr", "editor", "fire", "hrss", "edu",
    "nursery1", "nursery2", "auditor", "sysadmin", "secadmin", "stranger",
]  # fmt: skip


def load_cast() -> None:
    services.reference_data_load_all()
    load_all_demo_data()
    if not User.objects.filter(username="stranger").exists():
        services.user_create(
            actor=None, username="stranger", real_name="无单位用户", password=DEMO_PASSWORD, must_change_password=False
        )


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files of the whole test session go to a temporary folder, not var/media."""
    from django.conf import settings

    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


# The cast's session keys, logged in once per test run (see _log_in_cast).
CAST_SESSIONS: dict[str, str] = {}


def _log_in_cast() -> None:
    """Log every member of the cast in once and keep the session keys.

    A test client then carries the key as its cookie instead of logging in again: a login
    per client was a tenth of the suite's time. The sessions are written as a login writes
    them, but without the login signal, so that the security log and ``last_login`` stay as
    the demo left them. They are committed with the cast (and so are in the snapshot); what a
    test does to them is rolled back with the test. They are made to outlive the idle timeout,
    which a long run would otherwise reach, and their last idle-expiry push is dated with that
    expiry, so that no request of a test writes the session row (query counts are those of a
    request within the minute) unless the test dates the push back."""
    from datetime import timedelta
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.middleware import IdleTimeoutMiddleware

    backend = Client()._get_backend()  # the backend force_login would record
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    outlive = timedelta(days=2)
    for user in User.objects.filter(username__in=CAST):
        session = store_class()
        session[IdleTimeoutMiddleware.PUSHED_AT] = int((timezone.now() + outlive).timestamp())
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        CAST_SESSIONS[user.username] = session.session_key
    Session.objects.filter(session_key__in=CAST_SESSIONS.values()).update(expire_date=timezone.now() + outlive)


def client_for(username: str | None) -> Client:
    """A test client logged in as ``username`` (``None``: anonymous): a member of the cast
    through the session kept for it, anyone else a test made by logging in."""
    client = Client()
    if username in CAST_SESSIONS:
        client.cookies[settings.SESSION_COOKIE_NAME] = CAST_SESSIONS[username]
    elif username:
        client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture(scope="session", autouse=True)
def _force_login_gives_the_second_factor():
    """A test's ``force_login`` stands for a whole sign-in: the password and, where one is asked,
    the second factor (tests/accounts/test_second_factor.py walks that step itself)."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[second_factor.VERIFIED_AT] = int(time.time())
        session.save()

    Client.force_login = force_login
    yield
    Client.force_login = original


@pytest.fixture(scope="session")
def _shared_build():
    """Before the test database is made: whether this worker builds it or copies another
    worker's build (tests/shared_database.py)."""
    shared = SharedBuild()
    shared.begin()
    return shared


@pytest.fixture(scope="session")
def django_db_setup(_media_root, _shared_build, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if _shared_build.copier:
            _shared_build.copy_files()
        else:
            load_cast()
            _shared_build.publish()
        _log_in_cast()
        snapshot.take()
    yield
    with django_db_blocker.unblock():
        _shared_build.end()


def _restore_instead_of_flush(test_case) -> None:
    """A test that commits ends with the cast put back from the snapshot taken at the start
    of the run, in place of Django's flush: the flush emptied every table and then rebuilt
    content types, permissions and the audit triggers (seconds on PostgreSQL), only for the
    snapshot to be copied back after it. The next test finds what every test finds, and no
    test has to reload the demo."""
    if snapshot.taken():
        snapshot.restore()
    else:
        _flush(test_case)


_flush = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _restore_instead_of_flush


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test starts in the portal's language: a request in English leaves English active
    in the thread, and a message built outside a request would follow the earlier test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def cast(db) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=CAST)}


@pytest.fixture
def org(db):
    """Organisations by code: ``org("health")``, ``org("demo-simen-xingxing")``."""
    return lambda code: Organisation.objects.get(code=code)


@pytest.fixture
def client_as(db):
    """A test client logged in as one of the cast, or as a user the test made (``None``:
    anonymous); see ``client_for``."""
    return client_for


@pytest.fixture
def en(client_as):
    """A client of the cast that reads the portal in English (messages compared verbatim)."""
    from tests.helpers import english

    return lambda username: english(client_as(username))
