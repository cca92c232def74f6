"""The handlers' complaints API: sight as on the pages, the conclusion, no contact ever."""

import json

import pytest
from django.urls import reverse

from registry.models import Institution
from supervision.models import Complaint
from supervision.services import complaints as services


def _complaint(**fields) -> Complaint:
    institution = Institution.objects.get(name="【演示】梨洲街道启航托育园")
    return services.complaint_submit(institution=institution, description="接口测试", **fields)


def test_the_handler_reads_and_concludes_a_complaint_without_ever_seeing_the_contact(client_as):
    complaint = _complaint(category="fees", contact_phone="13977778888")
    client = client_as("amr")
    detail = client.get(reverse("api_complaint_detail", args=[complaint.pk]))
    assert detail.status_code == 200
    assert detail.json()["has_contact"] is True and "13977778888" not in detail.content.decode()
    answer = client.post(
        reverse("api_complaint_conclude", args=[complaint.pk]),
        data=json.dumps({"outcome": "substantiated", "findings": "属实", "reply": "已处理"}),
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "concluded"
    again = client.post(
        reverse("api_complaint_conclude", args=[complaint.pk]),
        data=json.dumps({"outcome": "not_substantiated", "findings": "x", "reply": "y"}),
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["error"]["message"]
    complaint.refresh_from_db()
    assert complaint.outcome == "substantiated"


def test_bad_input_answers_400_with_field_errors(client_as):
    complaint = _complaint(category="fees")
    answer = client_as("amr").post(
        reverse("api_complaint_conclude", args=[complaint.pk]),
        data=json.dumps({"outcome": "maybe"}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert {"outcome", "findings", "reply"} <= set(answer.json()["error"]["fields"])


@pytest.mark.parametrize("size", [5, 60])
def test_the_api_list_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    for _n in range(size):
        _complaint(category="fees")
    client = client_as("amr")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("api_complaint_list"))
    assert response.status_code == 200
    assert all(row["category"] in Complaint.Category.values for row in response.json()["results"])


def test_an_open_complaint_has_no_outcome_nor_order_and_the_schema_allows_it(cast, monkeypatch):
    from django.db import connections

    from tests.test_api_schema import answer_conforms

    # As in test_api_schema: the WSGI call must not close the test's connection (PostgreSQL).
    for connection in connections.all():
        monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)

    complaint = _complaint(category="fees")
    response = answer_conforms(cast["amr"], "GET", "/api/v1/complaints/{id}/", id=complaint.pk)
    assert response.json()["outcome"] == "" and response.json()["order_number"] is None
