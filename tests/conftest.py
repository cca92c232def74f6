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

import pytest
from django.test import Client

from accounts import services
from accounts.demo import DEMO_PASSWORD, load_all_demo_data
from accounts.models import Organisation, User

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


@pytest.fixture(scope="session")
def django_db_setup(_media_root, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_cast()


@pytest.fixture
def cast(db) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=CAST)}


@pytest.fixture
def org(db):
    """Organisations by code: ``org("health")``, ``org("demo-simen-xingxing")``."""
    return lambda code: Organisation.objects.get(code=code)


@pytest.fixture
def client_as(db):
    """A test client logged in as one of the cast (``None``: anonymous)."""

    def make(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def en(client_as):
    """A client of the cast that reads the portal in English (messages compared verbatim)."""
    from tests.helpers import english

    return lambda username: english(client_as(username))
