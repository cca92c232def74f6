"""The institution picker's endpoint: at most 20 matches by name, in the user's sight only, in
one fixed number of queries whatever the number of institutions."""

import pytest
from django.urls import reverse

from registry.models import Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

A = "demo-simen-xingxing"  # nursery1, 泗门镇
B = "demo-lizhou-yangguang"  # nursery2, 梨洲街道


def _choices(client, q=""):
    response = client.get(reverse("institution_choices"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_the_matches_are_in_sight_only(client_as):
    a = Institution.objects.select_related("township").get(organisation__code=A)
    b = Institution.objects.get(organisation__code=B)
    assert {"id": a.pk, "name": a.name, "township": a.township.name} in _choices(client_as("health"), "泗门")
    assert b.pk in {row["id"] for row in _choices(client_as("health"), b.name)}
    # simen sees its own township: nursery2 is never offered, even by its exact name.
    assert _choices(client_as("simen"), b.name) == []
    assert a.pk in {row["id"] for row in _choices(client_as("simen"), a.name)}
    assert {row["id"] for row in _choices(client_as("nursery1"))} == {a.pk}


def test_at_most_twenty_in_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    InstitutionFactory.create_batch(25)
    client = client_as("health")
    with django_assert_max_num_queries(8):
        results = _choices(client, "测试托育园")
    assert len(results) == 20
    assert all("测试托育园" in row["name"] for row in results)


def test_the_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("institution_choices"), {"q": "托育"})
    assert response.status_code == 302 and "login" in response["Location"]
