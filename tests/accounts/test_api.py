"""The API: one error shape, token and session authentication, the schema and its documentation
page (served from this site only), paginated lists."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import api_key

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"count", "next", "previous", "results"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error


# --- One error shape ----------------------------------------------------------------------


def test_anonymous_call_answers_401_with_www_authenticate(client_as):
    response = client_as(None).get("/api/v1/me/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_answers_401_in_the_same_shape(client_as):
    response = client_as(None).get("/api/v1/me/", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_another_institutions_record_answers_404(client_as, org):
    other = org("demo-lizhou-yangguang")
    response = client_as("nursery1").get(f"/api/v1/organisations/{other.pk}/")
    assert_error(response, 404, "not_found")
    # The same record is there for its own head: 404 hides it, it does not mean "absent".
    assert client_as("nursery2").get(f"/api/v1/organisations/{other.pk}/").status_code == 200


def test_a_missing_duty_answers_403(client_as):
    assert_error(client_as("health").get("/api/v1/audit/events/"), 403, "permission_denied")
    assert_error(client_as("health").get("/api/v1/audit/security-events/"), 403, "permission_denied")


def test_error_messages_follow_the_language(client_as):
    client = client_as(None)
    chinese = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["error"]["message"]
    english = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert english == "Authentication credentials were not provided."
    assert chinese != english


# --- Authentication -----------------------------------------------------------------------


def test_token_authentication(cast):
    key = api_key(cast["health"])
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "health"
    assert "filing.review" in me["duties"]
    assert [org["code"] for org in me["organisations"]] == ["health"]


def test_session_authentication(client_as):
    me = client_as("nursery1").get("/api/v1/me/").json()
    assert me["username"] == "nursery1"
    assert [org["code"] for org in me["organisations"]] == ["demo-simen-xingxing"]
    assert "filing.review" not in me["duties"]


# --- Schema and documentation -------------------------------------------------------------


def test_schema_lists_the_endpoints(client_as):
    response = client_as("health").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/organisations/{id}/" in schema["paths"]


def test_schema_needs_a_logged_in_user(client_as):
    assert client_as(None).get("/api/schema/").status_code == 401


def test_swagger_ui_uses_only_local_assets(client_as):
    client = client_as("health")
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html

    urls = re.findall(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", html, re.I)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls), urls
    assert any(url.endswith("swagger-ui.css") for url in urls), urls
    for url in urls:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I), f"asset from another host: {url}"
        if url.startswith("/api/docs/?script"):  # the start-up script, served by the view (no inline script)
            assert client.get(url).status_code == 200
            continue
        assert url.startswith("/static/"), url
        # Present among the static files, and served by the portal itself.
        assert finders.find(url.removeprefix("/static/")), f"no static file behind {url}"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content) if asset.streaming else asset.content, f"{url} is empty"
    # The page (its start-up script) loads the schema from this site as well.
    assert 'url: "/api/schema/"' in client.get("/api/docs/?script=").content.decode()


def test_swagger_ui_needs_a_logged_in_user(client_as):
    assert client_as(None).get("/api/docs/").status_code == 401


# --- Lists are paginated ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("health", "/api/v1/regions/"),
        ("health", "/api/v1/organisations/"),
        ("health", "/api/v1/notifications/"),
        ("auditor", "/api/v1/audit/events/"),
        ("auditor", "/api/v1/audit/security-events/"),
    ],
)
def test_lists_are_paginated(client_as, username, url):
    response = client_as(username).get(url)
    assert response.status_code == 200, response.content
    page = response.json()
    assert set(page) == PAGE_KEYS
    assert isinstance(page["count"], int)
    assert isinstance(page["results"], list)
    assert len(page["results"]) <= 50
    assert page["previous"] is None


def test_a_long_list_has_further_pages(client_as):
    client = client_as("health")
    first = client.get("/api/v1/regions/").json()
    assert first["count"] > 50, "the reference regions should fill more than one page"
    assert len(first["results"]) == 50
    assert first["next"]
    second = client.get(first["next"]).json()
    assert set(second) == PAGE_KEYS
    assert second["previous"]
    codes = {region["code"] for region in first["results"]}
    assert codes.isdisjoint(region["code"] for region in second["results"])


def test_a_page_past_the_end_answers_404_in_the_error_shape(client_as):
    assert_error(client_as("health").get("/api/v1/organisations/", {"page": 999}), 404, "not_found")


def test_the_schema_is_built_once_per_language_and_served_from_memory(client_as):
    from unittest import mock

    from drf_spectacular.generators import SchemaGenerator

    from accounts.api import SchemaView

    with (
        mock.patch.object(SchemaView, "_built", {}),
        mock.patch.object(
            SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
        ) as built,
    ):
        first = client_as("health").get("/api/schema/", {"format": "json"}).json()
        again = client_as("amr").get("/api/schema/", {"format": "json"}).json()
        assert built.call_count == 1 and again == first
        english = client_as("health").get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 200 and built.call_count == 2


# --- Filters take only values of their set --------------------------------------------------


@pytest.mark.parametrize(
    "username, url, params",
    [
        ("health", "/api/v1/organisations/", {"kind": "ministry"}),
        ("health", "/api/v1/notifications/", {"unread": "yes"}),
        ("auditor", "/api/v1/audit/events/", {"kind": "drop"}),
        ("auditor", "/api/v1/audit/security-events/", {"kind": "hack"}),
        ("health", "/api/v1/registrations/", {"status": "gone"}),
        ("health", "/api/v1/registrations/", {"legal_form": "charity"}),
        ("health", "/api/v1/guidance-sites/", {"level": "province"}),
    ],
)
def test_a_filter_value_outside_its_set_answers_400_naming_it(client_as, username, url, params):
    error = assert_error(client_as(username).get(url, params), 400, "invalid")
    assert set(error["fields"]) == set(params)


def test_a_filter_value_in_its_set_still_filters(client_as):
    rows = client_as("health").get("/api/v1/organisations/", {"kind": "township"}).json()["results"]
    assert rows and {row["kind"] for row in rows} == {"township"}
    sites = client_as("health").get("/api/v1/guidance-sites/", {"level": "city_centre"}).json()["results"]
    assert {site["level"] for site in sites} == {"city_centre"}


@pytest.mark.parametrize(
    "username, url, name",
    [
        ("health", "/api/v1/reviews/", "township"),
        ("health", "/api/v1/cases/", "township"),
        ("health", "/api/v1/residential-areas/", "township"),
        ("health", "/api/v1/training/staff/", "township"),
        ("health", "/api/v1/training/certificates/", "township"),
        ("health", "/api/v1/training/programmes/", "township"),
        ("health", "/api/v1/dashboard/reports/", "region"),
        ("health", "/api/v1/dashboard/targets/", "region"),
    ],
)
def test_a_region_filter_naming_no_region_answers_400(client_as, username, url, name):
    client = client_as(username)
    assert set(assert_error(client.get(url, {name: "330281999"}), 400, "invalid")["fields"]) == {name}
    # 泗门镇 is a township: its code filters (to what is in the caller's sight) as before.
    assert client.get(url, {name: "330281103"}).status_code == 200
