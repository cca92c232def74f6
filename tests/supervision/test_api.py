"""The risk and spot-check API: field errors on bad input, the draw's record, pinned lists."""

from rest_framework.test import APIClient

from supervision.models import RiskScore, SpotCheckPlan
from tests.factories import LIZHOU, InstitutionFactory


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_an_override_without_a_reason_answers_400_with_the_field(cast):
    score = RiskScore.objects.get(institution__organisation__code="demo-simen-xingxing")
    response = _api(cast["health"]).post(f"/api/v1/supervision/risk/{score.pk}/band/", {"band": "high", "reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    response = _api(cast["health"]).post(f"/api/v1/supervision/risk/{score.pk}/band/", {"band": "x", "reason": "r"})
    assert response.status_code == 400 and "band" in response.json()["error"]["fields"]
    score.refresh_from_db()
    assert score.override_band == ""


def test_the_score_answers_with_its_reasons(cast):
    score = RiskScore.objects.filter(computed_band="high").first()
    body = _api(cast["health"]).get(f"/api/v1/supervision/risk/{score.pk}/").json()
    assert body["band"] == "high" and body["inspections_per_year"] == 4
    assert sum(float(reason["points"]) for reason in body["reasons"]) == float(body["score"])


def test_an_institution_sees_no_risk_score_of_its_own(cast):
    assert _api(cast["nursery1"]).get("/api/v1/supervision/risk/").json()["results"] == []
    own = RiskScore.objects.get(institution__organisation__code="demo-simen-xingxing")
    assert _api(cast["nursery1"]).get(f"/api/v1/supervision/risk/{own.pk}/").status_code == 404


def test_the_plan_answers_with_its_seed_inputs_and_that_it_reproduces(cast):
    plan = SpotCheckPlan.objects.get(title__startswith="【演示】")
    body = _api(cast["amr"]).get(f"/api/v1/supervision/spot-checks/{plan.pk}/").json()
    assert body["seed"] == plan.seed and body["inputs"]["strata"] and body["reproduces"] is True
    assert {task["department"] for task in body["tasks"]} == {"health", "fire", "amr"}


def test_a_redraw_without_a_reason_answers_400(cast):
    plan = SpotCheckPlan.objects.get(title__startswith="【演示】")
    response = _api(cast["health"]).post(f"/api/v1/supervision/spot-checks/{plan.pk}/draw/", {})
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


def test_the_lists_queries_stay_pinned(cast, django_assert_max_num_queries):
    client = _api(cast["health"])
    urls = ["/api/v1/supervision/risk/", "/api/v1/supervision/spot-checks/", "/api/v1/supervision/spot-check-tasks/"]
    for url in urls:
        client.get(url)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for _n in range(10):
        InstitutionFactory(township_code=LIZHOU)
    from supervision.services import risk

    risk.risk_scores_recompute()
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
