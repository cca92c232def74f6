"""Pages and API lists keep a fixed number of queries whatever the data size."""

import pytest

from accounts import services
from tests.factories import InstitutionFactory
from tests.helpers import shipped_regions

SIMEN = "330281103"


def _add_notifications(user, count: int):
    for index in range(count):
        services.notification_send(recipient=user, title=f"消息{index}")


@pytest.mark.parametrize("size", [2, 40])
@pytest.mark.parametrize("username", ["simen", "health"])
def test_organisation_list_page_and_api(size, username, client_as, django_assert_max_num_queries):
    InstitutionFactory.create_batch(size, township_code=SIMEN)
    client = client_as(username)
    with django_assert_max_num_queries(14):
        assert client.get("/organisations/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/organisations/").status_code == 200


@pytest.mark.parametrize("size", [2, 60])
def test_notification_inbox_page_and_api(size, cast, client_as, django_assert_max_num_queries):
    _add_notifications(cast["nursery1"], size)
    client = client_as("nursery1")
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/notifications/").status_code == 200


@pytest.mark.parametrize("username", ["simen", "health"])
def test_township_region_page_with_its_villages(username, client_as, django_assert_max_num_queries):
    client = client_as(username)
    with django_assert_max_num_queries(14):
        response = client.get("/regions/330281103/")
    assert response.status_code == 200
    assert response.content.decode().count(f"/regions/{SIMEN}") >= len(shipped_regions(parent=SIMEN))


@pytest.mark.parametrize("size", [2, 40])
def test_home_page_with_its_work_queue(size, client_as, django_assert_max_num_queries):
    InstitutionFactory.create_batch(size, township_code=SIMEN)
    for username in ("health", "simen", "nursery1", "nursery2", "auditor", "leader"):
        client = client_as(username)
        with django_assert_max_num_queries(15):  # the health bureau: one query of counts per app
            assert client.get("/").status_code == 200
