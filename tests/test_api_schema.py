"""The API answers as its schema says: schemathesis walks every operation of the schema the
portal serves, as the health bureau, a township and an institution.

Each operation gets a few generated requests (fixed seed, no shrinking), half of them naming an
object the caller can see (the first row of the list the path lies under), so that details and
actions answer with bodies, not only 404s. The checks: no 5xx, the status code is documented, the
content type and the body match the schema. The run stays in the test's transaction, so writes
(DELETE included) are undone with it; within one role's run a deleted object answers 404 to
the operations after it, which the schema documents. ``SCHEMA_EXAMPLES`` sets the number of
examples per operation (the README's longer run)."""

import os
import re

import pytest
import schemathesis
from django.db import connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import checks

from tests.ci_share import share
from tests.factories import api_key
from yuyao_childcare.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _connection_kept_across_requests(monkeypatch):
    """schemathesis calls the WSGI application itself, whose request signals close a database
    connection that is inside a transaction, and with it the test's transaction (PostgreSQL;
    SQLite's in-memory database is never closed). Django's test client keeps the connection
    open for its own requests; here the connection ignores the signals' closing."""
    for connection in connections.all():
        monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)


EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "4"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def visible_values(client: APIClient, path: str) -> dict:
    """Path parameters of an object the caller sees: the first row of the list above it."""
    names = re.findall(r"{(\w+)}", path)
    if not names:
        return {}
    response = client.get(path[: path.index("{")])
    rows = response.json().get("results", []) if response.status_code == 200 else []
    if not isinstance(rows, list) or not rows or names[0] not in rows[0]:
        return {}
    return {names[0]: rows[0][names[0]]}


@pytest.mark.parametrize("username", share(["health", "simen", "nursery1"]))
def test_every_operation_answers_as_its_schema_says(username, cast):
    key = api_key(cast[username])
    headers = {"Authorization": f"Token {key}"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=headers["Authorization"])
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=headers)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = operation.as_strategy()
        known = visible_values(client, operation.path)
        if known:
            strategy = st.one_of(operation.as_strategy(path_parameters=known), strategy)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report what was found
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}: {failure}")
    assert operations > 70
    assert not failures, "\n\n".join(failures)


# --- What the walk found, one answer each --------------------------------------------------


def answer_conforms(user, method: str, path: str, **path_parameters):
    """Call one operation as ``user`` and check the answer against the schema; return it."""
    key = api_key(user)
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=headers)
    case = schema[path][method].Case(path_parameters=path_parameters)
    return case.call_and_validate(headers=headers, checks=CHECKS)


def test_the_city_region_has_no_parent_and_the_schema_allows_it(cast):
    response = answer_conforms(cast["health"], "GET", "/api/v1/regions/{code}/", code="330281")
    assert response.json()["parent_code"] is None


def test_a_first_report_corrects_nothing_and_the_schema_allows_it(cast):
    response = answer_conforms(cast["simen"], "GET", "/api/v1/dashboard/reports/")
    assert any(report["corrects"] is None for report in response.json()["results"])


def test_an_undecided_review_names_its_cycle_and_no_decider_as_the_schema_says(cast):
    from inspections.models import AnnualReview

    review = AnnualReview.objects.filter(decided_by=None).first()
    response = answer_conforms(cast["health"], "GET", "/api/v1/reviews/{id}/", id=review.pk)
    assert response.json()["decided_by"] is None
    assert response.json()["cycle"]["year"] == review.cycle.year


def test_every_operation_documents_the_refusals_with_the_one_error_shape(client_as):
    schema = client_as("health").get("/api/schema/", {"format": "json"}).json()
    operations = [operation for path in schema["paths"].values() for operation in path.values()]
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operation in operations:
        for code in ("400", "401", "403", "404"):
            assert operation["responses"][code]["content"] == error, (operation["operationId"], code)
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]


def test_an_unknown_token_answers_401_as_the_schema_says(cast):
    key = api_key(cast["health"])
    signed_in = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=signed_in)
    unknown = {"Authorization": "Token " + "0" * 40}
    response = schema["/api/v1/me/"]["GET"].Case().call_and_validate(headers=unknown, checks=CHECKS)
    assert response.status_code == 401


def test_refusals_are_documented_with_the_one_error_shape(cast):
    # 403: health lacks the audit duty; the schema says so and the body has the error shape.
    response = answer_conforms(cast["health"], "GET", "/api/v1/audit/events/")
    assert response.status_code == 403
    # 404 from a path no pattern matches (a negative id) is in the API's shape, not a page.
    response = answer_conforms(cast["nursery1"], "POST", "/api/v1/training/staff/{id}/leave/", id=-1)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
