"""The dashboard API: indicators, a region's values (the snapshot's numbers, with targets and
status), targets, and periodic reports with approval — the same rules and services as the
pages, errors in the one API error shape, a token works like a session."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, Region
from dashboard import selectors
from dashboard.models import Indicator, PeriodicReport, Snapshot, Target
from dashboard.services import snapshots as services
from tests.factories import api_key
from tests.helpers import error_of, patch_json, post_json, queries_of

pytestmark = pytest.mark.django_db

API = "/api/v1/dashboard"
SIMEN, LIZHOU, CITY = "330281103", "330281001", "330281"
YEAR = timezone.localdate().year


def current(code: str) -> PeriodicReport:
    return PeriodicReport.objects.get(region__code=code, year=YEAR, corrects=None)


def last_approved(code: str) -> PeriodicReport:
    return PeriodicReport.objects.filter(region__code=code, status="approved").order_by("-year", "-version").first()


# --- Indicators and values ------------------------------------------------------------------


def test_indicators_list_their_codes_names_units_and_how_they_are_computed(client_as):
    body = client_as("hrss").get(f"{API}/indicators/").json()
    assert body["count"] == Indicator.objects.count()
    rows = {row["code"]: row for row in body["results"]}
    assert rows["health_management_rate"] == {
        "code": "health_management_rate", "name": "3岁以下婴幼儿健康管理率",
        "name_en": "Health management rate of children under 3", "unit": "percent", "direction": "higher",
        "levels": ["city", "township"], "source": "report", "numerator": "children_health_managed",
        "denominator": "children_under_3",
        "description": Indicator.objects.get(code="health_management_rate").description,
    }  # fmt: skip
    assert rows["slots_per_1000"]["unit"] == "per_1000" and rows["slots_per_1000"]["source"] == "live"


@pytest.mark.parametrize(("username", "code"), [("leader", CITY), ("health", CITY), ("simen", SIMEN), ("hrss", LIZHOU)])
def test_values_are_the_snapshot_s_numbers_with_target_and_status(client_as, cast, username, code):
    response = client_as(username).get(f"{API}/values/", {"region": code})
    assert response.status_code == 200, response.content
    body = response.json()
    snapshot = Snapshot.objects.get(region__code=code)
    assert body["region"] == {"code": code, "name": snapshot.region.name, "level": snapshot.region.level}
    assert body["year"] is None
    assert body["computed_at"].startswith(timezone.localtime(snapshot.computed_at).isoformat()[:19])
    values = {row["indicator"]: row for row in body["values"]}
    assert set(values) == {i.code for i in Indicator.objects.all() if snapshot.region.level in i.levels}
    for indicator_code, row in values.items():
        kept = snapshot.values[indicator_code]
        assert (row["value"], row["numerator"], row["denominator"]) == (
            kept["value"], kept["numerator"], kept["denominator"]
        ), indicator_code  # fmt: skip
    board = selectors.dashboard(actor=cast[username], region=snapshot.region)
    for board_row in board.rows:
        row = values[board_row.indicator.code]
        assert row["status"] == board_row.status
        assert (row["target"] or {}).get("id") == (board_row.target.pk if board_row.target else None)


def test_a_year_gives_the_value_the_history_kept(client_as):
    snapshot = Snapshot.objects.get(region__code=SIMEN)
    year = YEAR - 2
    body = client_as("simen").get(f"{API}/values/", {"region": SIMEN, "year": year}).json()
    assert body["year"] == year
    for row in body["values"]:
        assert row["value"] == snapshot.history.get(row["indicator"], {}).get(str(year)), row["indicator"]
        assert row["numerator"] is None and row["denominator"] is None
    # A year the history does not hold: no values.
    body = client_as("simen").get(f"{API}/values/", {"region": SIMEN, "year": 2001}).json()
    assert {row["value"] for row in body["values"]} == {None}


def test_the_target_and_status_follow_the_year_asked_for(client_as):
    Target.objects.create(indicator=Indicator.objects.get(code="children_under_3"), region=Region.objects.get(
        code=SIMEN), year=YEAR - 2, value=Decimal("1"), source="测试")  # fmt: skip
    body = client_as("health").get(f"{API}/values/", {"region": SIMEN, "year": YEAR - 2}).json()
    row = next(row for row in body["values"] if row["indicator"] == "children_under_3")
    assert row["target"]["year"] == YEAR - 2 and row["target"]["value"] == "1.00"
    assert row["status"] == "met"


def test_without_a_region_the_values_are_of_one_s_own_dashboard(client_as):
    assert client_as("simen").get(f"{API}/values/").json()["region"]["code"] == SIMEN
    assert client_as("leader").get(f"{API}/values/").json()["region"]["code"] == CITY


def test_values_follow_the_dashboards_scope(client_as):
    simen = client_as("simen")
    for code in (LIZHOU, CITY):
        assert error_of(simen.get(f"{API}/values/", {"region": code}), 404)["code"] == "not_found"
    assert error_of(simen.get(f"{API}/values/", {"region": "330281999"}), 404)["code"] == "not_found"
    for username in ("nursery1", "fire", "sysadmin", "stranger"):
        response = client_as(username).get(f"{API}/values/", {"region": SIMEN})
        assert error_of(response, 403)["code"] == "permission_denied", username
    assert error_of(client_as(None).get(f"{API}/values/"), 401)["code"] == "not_authenticated"


def test_bad_values_queries_answer_400(client_as):
    client = client_as("leader")
    assert "year" in error_of(client.get(f"{API}/values/", {"region": CITY, "year": "last"}))["fields"]
    assert "year" in error_of(client.get(f"{API}/values/", {"region": CITY, "year": "1899"}))["fields"]
    assert "region" in error_of(client.get(f"{API}/values/", {"region": "余姚"}))["fields"]


def test_a_token_reads_values_like_a_session(cast):
    key = api_key(cast["leader"])
    response = Client().get(f"{API}/values/", {"region": SIMEN}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["region"]["code"] == SIMEN


def _more_data(size: int) -> None:
    """More targets and reports: neither changes what the values endpoint costs."""
    townships = list(Region.objects.filter(level="township").order_by("code"))
    indicators = list(Indicator.objects.all())
    # Every (indicator, township, year) once: townships vary fastest, then indicators, then years.
    per_year = len(townships) * len(indicators)
    Target.objects.bulk_create(
        Target(
            indicator=indicators[(n // len(townships)) % len(indicators)],
            region=townships[n % len(townships)],
            year=2100 - n // per_year,
            value=Decimal(n % 90),
        )  # fmt: skip
        for n in range(size)
    )
    organisations = {o.jurisdiction_id: o for o in Organisation.objects.filter(kind="township")}
    PeriodicReport.objects.bulk_create(
        PeriodicReport(
            region=townships[n % len(townships)],
            year=2000 + n % 20,
            version=10 + n,
            status="submitted",
            figures={"population": n},
            source="批量",
            organisation=organisations[townships[n % len(townships)].pk],
        )  # fmt: skip
        for n in range(size)
    )


def test_values_and_report_list_keep_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    client = client_as("leader")
    client.get(f"{API}/values/", {"region": CITY})  # warm the session
    calls = [
        (f"{API}/values/", {"region": CITY}),
        (f"{API}/values/", {"region": SIMEN, "year": YEAR - 1}),
        (f"{API}/reports/", {}),
        (f"{API}/targets/", {"region": CITY}),
    ]
    small = [queries_of(client, url, params) for url, params in calls]
    _more_data(400)
    large = [queries_of(client, url, params) for url, params in calls]
    assert large == small
    # The session and the user's memberships (5, with the idle-expiry push, at most once a minute), then the
    # region, its snapshot, the on-track margin, the targets, the indicators and the ranking.
    with django_assert_max_num_queries(13):
        client.get(f"{API}/values/", {"region": CITY})
    with django_assert_max_num_queries(14):
        client.get(f"{API}/values/", {"region": SIMEN, "year": YEAR - 1})


# --- Targets --------------------------------------------------------------------------------


def test_targets_are_listed_by_region_and_indicator(client_as):
    body = client_as("nursery1").get(f"{API}/targets/", {"region": CITY, "indicator": "new_slots"}).json()
    rows = body["results"]
    assert rows and {(row["indicator"], row["region"]["code"]) for row in rows} == {("new_slots", CITY)}
    first = rows[0]
    assert set(first) == {"id", "indicator", "indicator_name", "unit", "region", "year", "value", "source", "set_by",
                          "updated_at"}  # fmt: skip
    assert first["set_by"] is None  # reference data


def test_the_health_bureau_sets_and_deletes_a_target_through_the_api(client_as):
    health = client_as("health")
    data = {"indicator": "slots_per_1000", "region": SIMEN, "year": YEAR, "value": "6.5", "source": "镇目标"}
    body = post_json(health, f"{API}/targets/", data).json()
    assert (body["indicator"], body["region"]["code"], body["year"], body["value"], body["set_by"]) == (
        "slots_per_1000", SIMEN, YEAR, "6.50", "市卫生健康局"
    )  # fmt: skip
    again = post_json(health, f"{API}/targets/", {**data, "value": "7"}).json()
    assert again["id"] == body["id"] and again["value"] == "7.00"
    assert health.delete(f"{API}/targets/{body['id']}/").status_code == 204
    assert not Target.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"indicator": "nothing"}, "indicator"),
        ({"region": "330281103001"}, "region"),
        ({"value": "150", "indicator": "health_management_rate"}, "value"),
        ({"value": "many"}, "value"),
        ({"year": 1999}, "year"),
    ],
)
def test_bad_targets_answer_400_and_change_nothing(client_as, change, field):
    before = Target.objects.count()
    data = {"indicator": "slots_per_1000", "region": SIMEN, "year": YEAR, "value": "6", **change}
    assert field in error_of(post_json(client_as("health"), f"{API}/targets/", data))["fields"]
    assert Target.objects.count() == before


def test_the_leader_reads_but_may_not_write_targets(client_as):
    leader = client_as("leader")
    assert leader.get(f"{API}/targets/").status_code == 200
    data = {"indicator": "slots_per_1000", "region": SIMEN, "year": YEAR, "value": "6"}
    assert error_of(post_json(leader, f"{API}/targets/", data), 403)["code"] == "permission_denied"
    target = Target.objects.first()
    assert error_of(leader.delete(f"{API}/targets/{target.pk}/"), 403)["code"] == "permission_denied"
    assert Target.objects.filter(pk=target.pk).exists()
    assert leader.get(f"{API}/values/", {"region": LIZHOU}).status_code == 200


# --- Periodic reports -----------------------------------------------------------------------


def test_a_report_goes_from_draft_to_approved_through_the_api(client_as):
    simen, health = client_as("simen"), client_as("health")
    figures = {"population": 50000, "children_under_3": 1000, "children_health_managed": 930}
    created = post_json(simen, f"{API}/reports/", {"year": 2020, "figures": figures, "source": "年报"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["region"]["code"], body["status"], body["figures"], body["may_change"]) == (
        SIMEN, "draft", figures, True
    )  # fmt: skip
    pk = body["id"]
    changed = patch_json(simen, f"{API}/reports/{pk}/", {"figures": {"children_health_managed": 940}}).json()
    assert changed["figures"] == {**figures, "children_health_managed": 940}
    assert simen.post(f"{API}/reports/{pk}/submit/").json()["status"] == "submitted"
    assert error_of(patch_json(simen, f"{API}/reports/{pk}/", {"source": "x"}))["message"] == (
        "已提交或已审核通过的报表已锁定。"  # API messages come in the default language, Chinese
    )
    approved = health.post(f"{API}/reports/{pk}/approve/").json()
    assert (approved["status"], approved["locked"], approved["may_correct"]) == ("approved", True, False)
    assert error_of(health.post(f"{API}/reports/{pk}/approve/"))["message"] == "仅已提交的报表可以审核通过。"
    assert simen.get(f"{API}/reports/{pk}/").json()["may_correct"] is True


def test_bad_figures_answer_400_and_nothing_is_saved(client_as):
    before = PeriodicReport.objects.count()
    simen = client_as("simen")
    cases = [
        ({"population": -5}, "population"),
        ({"population": "many"}, "population"),
        ({"children_under_3": 10, "children_health_managed": 11}, "children_health_managed"),
        ({"apples": 3}, "apples"),
    ]
    for figures, field in cases:
        error = error_of(post_json(simen, f"{API}/reports/", {"year": 2020, "figures": figures, "source": "年报"}))
        assert field in error["fields"]["figures"], (figures, error)
    assert PeriodicReport.objects.count() == before


def test_a_report_for_another_township_is_refused_and_creates_nothing(client_as):
    simen, health = client_as("simen"), client_as("health")
    body = {"year": 2020, "figures": {"population": 50000}, "source": "年报"}
    before = PeriodicReport.objects.count()
    # Another township's region is out of 泗门镇's sight: 404, not a draft of its own.
    assert error_of(post_json(simen, f"{API}/reports/", {**body, "region": LIZHOU}), 404)["code"] == "not_found"
    # The health bureau sees 泗门镇 but reports for the city: refused with the field.
    assert "region" in error_of(post_json(health, f"{API}/reports/", {**body, "region": SIMEN}))["fields"]
    assert PeriodicReport.objects.count() == before
    # Naming one's own region is what leaving it out does.
    created = post_json(simen, f"{API}/reports/", {**body, "region": SIMEN})
    assert created.status_code == 201 and created.json()["region"]["code"] == SIMEN


def test_return_correct_and_bulk_approval_through_the_api(client_as):
    health, lizhou = client_as("health"), client_as("lizhou")
    waiting = current(SIMEN)
    assert "reason" in error_of(post_json(health, f"{API}/reports/{waiting.pk}/return/", {"reason": " "}))["fields"]
    returned = post_json(health, f"{API}/reports/{waiting.pk}/return/", {"reason": "请核实"}).json()
    assert (returned["status"], returned["return_reason"]) == ("returned", "请核实")

    approved = last_approved(LIZHOU)
    correction = post_json(lizhou, f"{API}/reports/{approved.pk}/correct/", {"figures": {"kindergartens": 9},
                                                                           "submit": True})  # fmt: skip
    assert correction.status_code == 201, correction.content
    body = correction.json()
    assert (body["version"], body["corrects"], body["status"]) == (approved.version + 1, approved.pk, "submitted")
    assert body["figures"] == {**approved.figures, "kindergartens": 9}
    assert lizhou.get(f"{API}/reports/{approved.pk}/").json()["correction"] == body["id"]

    answer = post_json(health, f"{API}/reports/approve/", {"ids": [body["id"], waiting.pk, 999999999]}).json()
    assert answer["approved"] == 1 and answer["not_found"] == [999999999]
    assert len(answer["problems"]) == 1 and "仅已提交的报表可以审核通过。" in answer["problems"][0]
    approved.refresh_from_db()
    assert approved.status == "superseded"
    services.snapshots_refresh()
    assert Snapshot.objects.get(region__code=LIZHOU).values["kindergartens"]["value"] == "9"


def test_report_scope_through_the_api(client_as):
    simen, leader = client_as("simen"), client_as("leader")
    rows = simen.get(f"{API}/reports/").json()["results"]
    assert rows and {row["region"]["code"] for row in rows} == {SIMEN}
    foreign = current(LIZHOU)
    assert error_of(simen.get(f"{API}/reports/{foreign.pk}/"), 404)["code"] == "not_found"
    assert error_of(simen.post(f"{API}/reports/{foreign.pk}/submit/"), 404)["code"] == "not_found"
    assert leader.get(f"{API}/reports/{foreign.pk}/").status_code == 200
    for response in (
        leader.post(f"{API}/reports/{current(SIMEN).pk}/approve/"),
        post_json(leader, f"{API}/reports/", {"year": 2020, "figures": {"population": 1}, "source": "x"}),
        post_json(leader, f"{API}/reports/approve/", {"ids": [current(SIMEN).pk]}),
        simen.post(f"{API}/reports/{current(SIMEN).pk}/approve/"),
    ):
        assert error_of(response, 403)["code"] == "permission_denied"
    assert current(SIMEN).status == "submitted"
    assert error_of(client_as("hrss").get(f"{API}/reports/"), 403)["code"] == "permission_denied"


def test_the_dashboard_endpoints_are_in_the_openapi_schema(client_as):
    paths = client_as("health").get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in ("indicators/", "values/", "targets/", "targets/{id}/", "reports/", "reports/{id}/",
                 "reports/{id}/approve/", "reports/approve/"):  # fmt: skip
        assert f"{API}/{path}" in paths
