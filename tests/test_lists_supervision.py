"""Lists that work, for daily supervision and enforcement (``accounts.lists``): the cases against
unregistered or unsafe providers, the spot-check plans and tasks, the risk list, the objections
and the case decisions. For each, the same filter gives the same rows in the page, the Excel
export and the API (where there is one); a township sees only its own rows; a value outside its
set is refused (a Chinese message on the page, 400 on the API, no export); the page, the export
and the API read the same number of queries for many rows as for a few.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_lists_more import (
    LIZHOU,
    SIMEN,
    _api_rows,
    _export_rows,
    _page_rows,
    _refused_by_the_export,
    _refused_on_the_api,
    _refused_on_the_page,
)

pytestmark = pytest.mark.django_db


def _read(client, url, params, *, export: bool) -> None:
    response = client.post(f"{url}?{urlencode(params)}", {"confirm": "1"}) if export else client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a streamed export reads its rows while it is sent


def _export_url(name, params) -> str:
    return f"{reverse('list_export', args=[name])}?{urlencode(params)}"


def _same_queries_for_more_rows(client, assert_max, *, page, api, export, params, add_rows, limits, monkeypatch):
    """The page, the API (if the list has one) and the export (made at once: every row) read as
    many queries after ``add_rows()`` (20 rows more) as before it, and at most ``limits``: a
    dict of the most queries each may read ("page", "api", "export")."""
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    reads = {"page": (reverse(page), False), "export": (reverse("list_export", args=[export]), True)}
    if api:
        reads["api"] = (reverse(api), False)
    client.get(reverse(page), params)  # the first request fills caches the others share

    def counts() -> dict:
        numbers = {}
        for name, (url, is_export) in reads.items():
            with assert_max(limits[name]) as captured:
                _read(client, url, params, export=is_export)
            numbers[name] = len(captured.captured_queries)
        return numbers

    few = counts()
    rows = len(_page_rows(client, page, params))
    add_rows()
    assert len(_page_rows(client, page, params)) >= rows + 20
    assert counts() == few


# --- Cases against unregistered or unsafe providers ----------------------------------------------


def _cases(count: int, *, township: str = SIMEN, status: str = "open", found_days_ago: int = 0, name="无证看护点"):
    from accounts.models import Organisation
    from inspections.models import Case
    from registry.models import Region

    region = Region.objects.get(code=township)
    office = Organisation.objects.get(code=f"township-{township}")
    deadline = timezone.localdate() - timedelta(days=1) if status == "ordered" else None
    Case.objects.bulk_create(
        Case(
            provider_name=f"{name}{township[-3:]}{number:03d}", place=f"某小区{number}幢", township=region,
            found="未登记备案", found_on=timezone.localdate() - timedelta(days=found_days_ago + number),
            recorded_by=office, status=status, deadline=deadline,
        )
        for number in range(count)
    )  # fmt: skip


CASE_FILTERS = [
    {"township": SIMEN},
    {"status": "ordered", "overdue": "1", "sort": "-deadline"},
    {"found_after": (timezone.localdate() - timedelta(days=30)).isoformat(), "sort": "township"},
    {"q": "看护点", "found_before": timezone.localdate().isoformat(), "sort": "-found"},
]


@pytest.mark.parametrize("params", CASE_FILTERS)
def test_cases_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _cases(3)
    _cases(2, township=LIZHOU, status="ordered")
    _cases(2, township=LIZHOU, name="旧看护点", found_days_ago=90)
    health = client_as("health")
    rows = _page_rows(health, "case_list", params)
    assert rows and len(rows) < len(_page_rows(health, "case_list", {})), params
    assert [row["id"] for row in _api_rows(health, "api_case_list", params)] == [c.pk for c in rows]
    assert [(row[0], row[1]) for row in _export_rows(health, "cases", params)] == [
        (c.provider_name, c.place) for c in rows
    ]


def test_the_case_page_s_old_export_link_leads_to_the_list_s_export_with_its_filters(client_as):
    _cases(2)
    export = client_as("simen").get(reverse("case_export"), {"status": "open", "sort": "found"})
    assert export.status_code == 302
    assert export["Location"] == _export_url("cases", {"status": "open", "sort": "found"})
    page = client_as("simen").get(reverse("case_list"), {"status": "open"}).content.decode()
    assert f'action="{_export_url("cases", {"status": "open"})}"' in page


def test_a_township_sees_only_its_own_cases_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _cases(3)
    _cases(2, township=LIZHOU)
    simen = client_as("simen")
    rows = _page_rows(simen, "case_list", {})
    assert rows and {c.township.code for c in rows} == {SIMEN}
    assert [row["id"] for row in _api_rows(simen, "api_case_list", {})] == [c.pk for c in rows]
    assert [row[0] for row in _export_rows(simen, "cases", {})] == [c.provider_name for c in rows]


def test_a_case_filter_outside_its_set_is_refused(client_as):
    _cases(1)
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"status": "lost"}):
        _refused_on_the_api(simen, "api_case_list", params)
        _refused_on_the_page(simen, "case_list", params)
    bad_date = simen.get(reverse("api_case_list"), {"found_after": "昨天"})
    assert bad_date.status_code == 400 and set(bad_date.json()["error"]["fields"]) == {"found"}
    _refused_by_the_export(simen, "cases", {"township": LIZHOU})
    # Those who do not handle cases have no list and no export.
    assert client_as("fire").get(reverse("list_export", args=["cases"])).status_code == 403


def test_the_case_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _cases(2, name="计数看护点")
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="case_list", api="api_case_list", export="cases",
        params={"q": "计数看护点"}, add_rows=lambda: _cases(30, township=LIZHOU, name="计数看护点"),
        limits={"page": 9, "api": 8, "export": 8}, monkeypatch=monkeypatch,
    )  # fmt: skip


# --- Spot-check plans and tasks ------------------------------------------------------------------


def _plans(count: int, *, townships=(SIMEN,), title="计数抽查计划", draw=False):
    from accounts.models import Organisation, User
    from registry.models import Region
    from supervision.services import spotchecks

    health = User.objects.get(username="health")
    plans = []
    for number in range(count):
        plan = spotchecks.plan_create(
            actor=health, title=f"{title}{number:03d}", departments=list(Organisation.objects.filter(code="health")),
            townships=list(Region.objects.filter(code__in=townships)), percent_low=100, percent_medium=100,
            percent_high=100, inspectors_per_department=1,
        )  # fmt: skip
        plans.append(spotchecks.plan_draw(actor=health, plan=plan, reason="") if draw else plan)
    return plans


PLAN_FILTERS = [
    {"township": LIZHOU},
    {"status": "draft", "created_after": "2000-01-01", "sort": "title"},
    {"q": "计数", "sort": "-created"},
]


@pytest.mark.parametrize("params", PLAN_FILTERS)
def test_spot_check_plans_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _plans(2, townships=(SIMEN,))
    _plans(1, townships=(LIZHOU,), title="梨洲抽查")
    _plans(1, townships=(), title="全市抽查")
    health = client_as("health")
    rows = _page_rows(health, "spot_check_plan_list", params)
    assert rows and len(rows) < len(_page_rows(health, "spot_check_plan_list", {})), params
    assert [row["id"] for row in _api_rows(health, "api_spot_check_plan_list", params)] == [p.pk for p in rows]
    assert [row[0] for row in _export_rows(health, "spot_check_plans", params)] == [p.title for p in rows]


def test_a_township_filter_keeps_the_plans_covering_it_and_those_of_the_whole_city(client_as):
    _plans(1, townships=(SIMEN,), title="泗门抽查")
    _plans(1, townships=(LIZHOU,), title="梨洲抽查")
    _plans(1, townships=(), title="全市抽查")
    titles = {p.title for p in _page_rows(client_as("health"), "spot_check_plan_list", {"township": LIZHOU})}
    assert {"梨洲抽查000", "全市抽查000"} <= titles and "泗门抽查000" not in titles


TASK_FILTERS = [
    {"township": SIMEN},
    {"status": "open", "band": "low", "sort": "-institution"},
    {"drawn_after": "2000-01-01", "area": "health_care", "sort": "township"},
]


@pytest.mark.parametrize("params", TASK_FILTERS)
def test_spot_check_tasks_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _plans(1, townships=(SIMEN, LIZHOU), draw=True)
    health = client_as("health")
    rows = _page_rows(health, "spot_check_task_list", params)
    assert rows, params
    if params != TASK_FILTERS[2]:  # every task of the health bureau is in its own area
        assert len(rows) < len(_page_rows(health, "spot_check_task_list", {}))
    assert [row["id"] for row in _api_rows(health, "api_spot_check_task_list", params)] == [t.pk for t in rows]
    assert [(row[0], row[4]) for row in _export_rows(health, "spot_check_tasks", params)] == [
        (t.institution.name, t.plan.title) for t in rows
    ]


def test_a_spot_check_filter_outside_its_set_is_refused(client_as):
    health = client_as("health")
    for page, api in (("spot_check_plan_list", "api_spot_check_plan_list"),
                      ("spot_check_task_list", "api_spot_check_task_list")):  # fmt: skip
        for params in ({"township": "330281999"}, {"sort": "password"}, {"status": "lost"}):
            _refused_on_the_api(health, api, params)
            _refused_on_the_page(health, page, params)
    _refused_on_the_api(health, "api_spot_check_task_list", {"band": "extreme"})
    _refused_by_the_export(health, "spot_check_plans", {"status": "lost"})
    _refused_by_the_export(health, "spot_check_tasks", {"area": "moon"})
    # Those who neither plan nor inspect have no list and no export.
    for name in ("spot_check_plans", "spot_check_tasks"):
        assert client_as("simen").get(reverse("list_export", args=[name])).status_code == 403


def test_the_spot_check_plan_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _plans(2, draw=True)
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="spot_check_plan_list",
        api="api_spot_check_plan_list", export="spot_check_plans", params={"q": "计数抽查计划"},
        add_rows=lambda: _plans(20, townships=(SIMEN, LIZHOU), title="计数抽查计划乙", draw=True),
        limits={"page": 11, "api": 10, "export": 10}, monkeypatch=monkeypatch,
    )  # fmt: skip


def test_the_spot_check_task_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _plans(1, townships=(SIMEN,), draw=True)
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="spot_check_task_list",
        api="api_spot_check_task_list", export="spot_check_tasks", params={"drawn_after": "2000-01-01"},
        add_rows=lambda: _plans(8, townships=(SIMEN, LIZHOU), draw=True),
        limits={"page": 12, "api": 11, "export": 11}, monkeypatch=monkeypatch,
    )  # fmt: skip


# --- Risk ----------------------------------------------------------------------------------------


def _risk_scores(count: int, *, township: str = LIZHOU, name: str = "计数风险园") -> None:
    from supervision.services import risk
    from tests.factories import InstitutionFactory

    for number in range(count):
        InstitutionFactory(township_code=township, name=f"{name}{number:03d}")
    risk.risk_scores_recompute()


RISK_FILTERS = [
    {"township": SIMEN},
    {"band": "low", "computed_after": "2000-01-01", "sort": "institution"},
    {"q": "园", "sort": "-township"},
    {"overridden": "0", "sort": "score"},
]


@pytest.mark.parametrize("params", RISK_FILTERS)
def test_risk_scores_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _risk_scores(3)
    fire = client_as("fire")
    rows = _page_rows(fire, "risk_list", params)
    assert rows, params
    assert [row["id"] for row in _api_rows(fire, "api_risk_list", params)] == [r.pk for r in rows]
    assert [(row[0], row[1]) for row in _export_rows(fire, "risk", params)] == [
        (r.institution.name, r.institution.township.name) for r in rows
    ]


def test_only_bands_set_by_the_health_bureau_are_listed_when_asked(client_as):
    from supervision.models import RiskScore

    _risk_scores(2)
    RiskScore.objects.filter(institution__name="计数风险园000").update(override_band="high", override_reason="测试")
    rows = _page_rows(client_as("health"), "risk_list", {"overridden": "1"})
    assert [r.institution.name for r in rows] == ["计数风险园000"]
    high = _page_rows(client_as("health"), "risk_list", {"band": "high", "q": "计数"})
    assert [r.institution.name for r in high] == ["计数风险园000"]


def test_a_risk_filter_outside_its_set_is_refused(client_as):
    fire = client_as("fire")
    for params in ({"township": "330281999"}, {"sort": "password"}, {"band": "extreme"}):
        _refused_on_the_api(fire, "api_risk_list", params)
        _refused_on_the_page(fire, "risk_list", params)
    _refused_on_the_api(fire, "api_risk_list", {"overridden": "maybe"})
    _refused_by_the_export(fire, "risk", {"band": "extreme"})
    # Rule 35: institutions and townships have no risk list and no export; the API lists them nothing.
    for username in ("nursery1", "simen"):
        assert client_as(username).get(reverse("list_export", args=["risk"])).status_code == 403
    assert _api_rows(client_as("nursery1"), "api_risk_list", {}) == []


def test_the_risk_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _risk_scores(2)
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="risk_list", api="api_risk_list", export="risk",
        params={"q": "计数风险园"}, add_rows=lambda: _risk_scores(20, township=SIMEN, name="计数风险园乙"),
        limits={"page": 13, "api": 10, "export": 10}, monkeypatch=monkeypatch,
    )  # fmt: skip


# --- Objections ----------------------------------------------------------------------------------


def _objections(count: int, *, organisation: str = "demo-simen-xingxing", status: str = "upheld") -> None:
    from accounts.models import Organisation, User
    from inspections.models import AnnualReview
    from registry.models import Institution
    from supervision.models import Objection

    institution = Institution.objects.get(organisation__code=organisation)
    review = AnnualReview.objects.filter(institution=institution).first()
    submitter = User.objects.filter(memberships__organisation=institution.organisation).first()
    health = Organisation.objects.get(code="health")
    Objection.objects.bulk_create(
        Objection(
            institution=institution, subject=Objection.Subject.DECISION, review=review, department=health,
            reasons=f"第{number}份", submitted_by=submitter, status=status,
            submitted_at=timezone.now() - timedelta(hours=number + 1),
        )
        for number in range(count)
    )  # fmt: skip


OBJECTION_FILTERS = [
    {"township": LIZHOU},
    {"status": "upheld", "lodged_after": "2000-01-01", "sort": "lodged"},
    {"subject": "decision", "sort": "-institution"},
]


@pytest.mark.parametrize("params", OBJECTION_FILTERS)
def test_objections_filter_alike_in_the_page_and_the_export(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _objections(3)
    _objections(2, organisation="demo-lizhou-yangguang", status="changed")
    health = client_as("health")
    rows = _page_rows(health, "objection_list", params)
    assert rows and len(rows) < len(_page_rows(health, "objection_list", {})), params
    assert [(row[0], row[4]) for row in _export_rows(health, "objections", params)] == [
        (o.institution.name, _local(o.submitted_at)) for o in rows
    ]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_a_township_sees_only_its_own_objections_in_the_page_and_the_export(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _objections(2)
    _objections(2, organisation="demo-lizhou-yangguang")
    simen = client_as("simen")
    rows = _page_rows(simen, "objection_list", {})
    assert rows and {o.institution.township.code for o in rows} == {SIMEN}
    assert [row[0] for row in _export_rows(simen, "objections", {})] == [o.institution.name for o in rows]


def test_an_objection_filter_outside_its_set_is_refused(client_as):
    _objections(1)
    _objections(1, organisation="demo-lizhou-yangguang")
    health = client_as("health")
    for params in ({"township": "330281999"}, {"sort": "password"}, {"status": "lost"}, {"subject": "weather"}):
        _refused_on_the_page(health, "objection_list", params)
    _refused_on_the_page(client_as("simen"), "objection_list", {"township": LIZHOU})
    _refused_by_the_export(health, "objections", {"status": "lost"})
    assert client_as("stranger").get(reverse("list_export", args=["objections"])).status_code == 403


def test_the_objection_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _objections(2)
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="objection_list", api=None, export="objections",
        params={"lodged_after": "2000-01-01"},
        add_rows=lambda: _objections(20, organisation="demo-lizhou-yangguang"),
        limits={"page": 9, "export": 8}, monkeypatch=monkeypatch,
    )  # fmt: skip


# --- Case decisions about the institution -------------------------------------------------------


def _decisions(count: int, *, organisation: str = "demo-simen-xingxing", status: str = "penalised") -> None:
    from accounts.models import Organisation
    from inspections.models import Case
    from registry.models import Institution

    institution = Institution.objects.get(organisation__code=organisation)
    office = Organisation.objects.get(code=f"township-{institution.township.code}")
    amr = Organisation.objects.get(code="amr")
    today = timezone.localdate()
    Case.objects.bulk_create(
        Case(
            provider_name=institution.name, place="机构内", township=institution.township, institution=institution,
            found="未按规定配备保育人员", found_on=today - timedelta(days=40), recorded_by=office, status=status,
            closed_at=timezone.now(), decision_number=f"余罚〔2026〕{organisation[-4:]}{number:03d}号",
            decision_date=today - timedelta(days=number), decision_department=amr, decision_facts="事实",
            decision_basis="依据", objection_deadline=today + timedelta(days=5 - number % 3),
        )
        for number in range(count)
    )  # fmt: skip


DECISION_FILTERS = [
    {"status": "banned"},
    {"decided_after": (timezone.localdate() - timedelta(days=1)).isoformat(), "sort": "-deadline"},
    {"sort": "decided"},
]


@pytest.mark.parametrize("params", DECISION_FILTERS)
def test_case_decisions_filter_alike_in_the_page_and_the_export(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _decisions(3)
    _decisions(1, status="banned")
    _decisions(2, organisation="demo-lizhou-yangguang")
    nursery = client_as("nursery1")
    rows = _page_rows(nursery, "case_decision_list", params)
    assert rows and {c.institution.organisation.code for c in rows} == {"demo-simen-xingxing"}, params
    if "sort" not in params or len(params) > 1:
        assert len(rows) < len(_page_rows(nursery, "case_decision_list", {}))
    assert [row[1] for row in _export_rows(nursery, "case_decisions", params)] == [c.decision_number for c in rows]
    # The export is the notice's (rule 37): never the investigation nor the place.
    exported = "".join(str(cell) for row in _export_rows(nursery, "case_decisions", params) for cell in row)
    assert "未按规定配备保育人员" not in exported and "机构内" not in exported


def test_a_case_decision_filter_outside_its_set_is_refused(client_as):
    _decisions(1)
    nursery = client_as("nursery1")
    for params in ({"township": LIZHOU}, {"sort": "place"}, {"status": "open"}):
        _refused_on_the_page(nursery, "case_decision_list", params)
    _refused_by_the_export(nursery, "case_decisions", {"status": "open"})
    assert client_as("health").get(reverse("list_export", args=["case_decisions"])).status_code == 403


def test_the_case_decision_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _decisions(2)
    _same_queries_for_more_rows(
        client_as("nursery1"), django_assert_max_num_queries, page="case_decision_list", api=None,
        export="case_decisions", params={}, add_rows=lambda: _decisions(20, status="banned"),
        limits={"page": 9, "export": 8}, monkeypatch=monkeypatch,
    )  # fmt: skip
