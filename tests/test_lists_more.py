"""Lists that work, continued (``accounts.lists``): the certificates' queue and the other lists
brought onto one filter set each. For each, the same filter gives the same rows in the page, the
Excel export and the API (where there is one); a township sees only its own rows; a value
outside its set is refused (a Chinese message on the page, 400 on the API); the page reads the
same number of queries for 2 rows as for 20.
"""

from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CertificateFactory
from training.models import StaffMember

pytestmark = pytest.mark.django_db

SIMEN = "330281103"  # 泗门镇
LIZHOU = "330281001"  # 梨洲街道


def _page(client, url_name, params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return response


def _page_rows(client, url_name, params) -> list:
    return list(_page(client, url_name, params).context["page"].paginator.object_list)


def _api_rows(client, url_name, params) -> list[dict]:
    rows, response = [], client.get(reverse(url_name), params)
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows
        response = client.get(response.json()["next"])


def _export_rows(client, name, params) -> list[tuple]:
    response = client.post(f"{reverse('list_export', args=[name])}?{urlencode(params)}", {"confirm": "1"})
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))[1:]


def _queries(client, url_name, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(url_name), params).status_code == 200
    return len(captured)


def _refused_on_the_page(client, url_name, params) -> None:
    page = client.get(reverse(url_name), params)
    assert page.status_code == 200 and page.context["page"].paginator.count == 0
    html = page.content.decode()
    assert "筛选条件无效" in html and "选择一个有效的选项" in html


def _refused_on_the_api(client, url_name, params) -> None:
    api = client.get(reverse(url_name), params)
    assert api.status_code == 400, (url_name, params)
    error = api.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == set(params), error


def _refused_by_the_export(client, name, params) -> None:
    export = client.get(reverse("list_export", args=[name]), params, follow=True)
    assert "未能导出，请更正筛选条件。" in export.content.decode()


# --- Certificates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"township": SIMEN, "status": "all"},
        {"status": "pending", "recorded_after": "2000-01-01"},
        {"status": "all", "kind": "childcare-worker", "sort": "-issued"},
        {"status": "verified", "sort": "name"},
    ],
)
def test_certificates_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)  # every export at once, to read it here
    hrss = client_as("hrss")
    rows = _page_rows(hrss, "certificate_queue", params)
    assert rows, params
    ids = [c.pk for c in rows]
    assert [row["id"] for row in _api_rows(hrss, "api_certificate_list", params)] == ids
    assert [(row[0], row[5]) for row in _export_rows(hrss, "certificates", params)] == [
        (c.staff.name, c.number) for c in rows
    ]


def test_the_hr_bureaus_queue_opens_on_the_pending_certificates_and_its_export_keeps_them(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    hrss = client_as("hrss")
    response = _page(hrss, "certificate_queue", {})
    rows = list(response.context["page"].paginator.object_list)
    assert rows and {c.status for c in rows} == {"pending"}
    assert response.context["query"] == "status=pending"  # the export and the sort links keep it
    assert len(_export_rows(hrss, "certificates", {"status": "pending"})) == len(rows)
    everything = _page_rows(hrss, "certificate_queue", {"status": "all"})
    assert len(everything) > len(rows)


def test_a_township_sees_only_its_own_certificates_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    simen = client_as("simen")
    rows = _page_rows(simen, "certificate_queue", {})
    assert rows and {c.staff.institution.township.code for c in rows} == {SIMEN}
    assert [row["id"] for row in _api_rows(simen, "api_certificate_list", {})] == [c.pk for c in rows]
    assert [row[5] for row in _export_rows(simen, "certificates", {})] == [c.number for c in rows]


def test_a_certificate_filter_outside_its_set_is_refused(client_as):
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"status": "lost"}, {"kind": "astronaut"}):
        _refused_on_the_api(simen, "api_certificate_list", params)
        _refused_on_the_page(simen, "certificate_queue", params)
    for staff in ("0", "1.5", "99999999999999999999"):  # an id no row can have: 400, never a 500
        _refused_on_the_api(simen, "api_certificate_list", {"staff": staff})
    _refused_by_the_export(simen, "certificates", {"township": LIZHOU})


def test_the_certificate_queue_reads_as_many_queries_for_20_rows_as_for_2(client_as):
    member = StaffMember.objects.filter(institution__township__code=SIMEN, left_on__isnull=True).first()
    hrss = client_as("hrss")
    params = {"staff": member.pk, "status": "pending"}
    CertificateFactory.create_batch(2, staff=member)
    hrss.get(reverse("certificate_queue"), params)
    few = _queries(hrss, "certificate_queue", params)
    CertificateFactory.create_batch(18, staff=member)
    assert _page(hrss, "certificate_queue", params).context["page"].paginator.count >= 20
    assert _queries(hrss, "certificate_queue", params) == few <= 14


# --- Annual reviews ------------------------------------------------------------------------------

REVIEW_FILTERS = [
    {"township": SIMEN},
    {"year": "2026", "self_report": "not_submitted", "sort": "-institution"},
    {"status": "awaiting_report", "provider_type": "standalone", "sort": "township"},
    {"result": "undecided", "q": "园", "sort": "-year"},
]


@pytest.mark.parametrize("params", REVIEW_FILTERS)
def test_annual_reviews_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    health = client_as("health")
    rows = _page_rows(health, "review_list", params)
    assert rows, params
    ids = [r.pk for r in rows]
    assert [row["id"] for row in _api_rows(health, "api_review_list", params)] == ids
    assert [(row[0], row[1]) for row in _export_rows(health, "reviews", params)] == [
        (r.cycle.year, r.institution.name) for r in rows
    ]
    # The page's direct export (the old link) gives the same file.
    direct = health.get(reverse("review_export"), params)
    assert [row[1] for row in load_workbook(BytesIO(direct.content)).active.iter_rows(values_only=True)][1:] == [
        r.institution.name for r in rows
    ]


def test_a_township_sees_only_its_own_reviews_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    simen = client_as("simen")
    rows = _page_rows(simen, "review_list", {})
    assert rows and {r.institution.township.code for r in rows} == {SIMEN}
    assert [row["id"] for row in _api_rows(simen, "api_review_list", {})] == [r.pk for r in rows]
    assert [row[1] for row in _export_rows(simen, "reviews", {})] == [r.institution.name for r in rows]


def test_a_review_filter_outside_its_set_is_refused(client_as):
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"status": "lost"}, {"year": "1999"}):
        _refused_on_the_api(simen, "api_review_list", params)
        _refused_on_the_page(simen, "review_list", params)
    _refused_by_the_export(simen, "reviews", {"self_report": "maybe"})


def _new_reviews(count: int, start: int) -> None:
    from inspections.services import cycles
    from tests.factories import InstitutionFactory

    for number in range(start, start + count):
        institution = InstitutionFactory(filed=True, name=f"计数测试园{number:03d}")
        cycles.cycle_membership_sync(actor=None, institution_id=institution.pk)


def test_the_review_list_reads_as_many_queries_for_20_rows_as_for_2(client_as):
    health = client_as("health")
    params = {"q": "计数测试园", "year": "2026"}
    _new_reviews(2, 0)
    health.get(reverse("review_list"), params)
    few = _queries(health, "review_list", params)
    _new_reviews(18, 2)
    assert _page(health, "review_list", params).context["page"].paginator.count == 20
    assert _queries(health, "review_list", params) == few <= 16


# --- Complaints ----------------------------------------------------------------------------------


def _complaints(count: int, *, township: str = SIMEN, category: str = "unregistered") -> None:
    from registry.models import Region
    from supervision.services import complaints as complaint_services

    region = Region.objects.get(code=township)
    for number in range(count):
        complaint_services.complaint_submit(
            category=category, township=region, provider_name=f"无证看护点{township[-3:]}{number:03d}",
            provider_address="某路1号", description="测试投诉",
        )  # fmt: skip


COMPLAINT_FILTERS = [
    {"township": SIMEN},
    {"status": "received", "received_after": "2000-01-01", "sort": "-due"},
    {"category": "unregistered", "q": "看护点", "sort": "status"},
]


@pytest.mark.parametrize("params", COMPLAINT_FILTERS)
def test_complaints_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _complaints(3, township=SIMEN)
    _complaints(2, township=LIZHOU)
    health = client_as("health")
    rows = _page_rows(health, "complaint_list", params)
    assert rows, params
    codes = [c.tracking_code for c in rows]
    assert [row["tracking_code"] for row in _api_rows(health, "api_complaint_list", params)] == codes
    assert [row[0] for row in _export_rows(health, "complaints", params)] == codes
    assert len(rows) < len(_page_rows(health, "complaint_list", {})) or "q" in params


def test_a_township_sees_only_its_own_complaints_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _complaints(3, township=SIMEN)
    _complaints(2, township=LIZHOU)
    simen = client_as("simen")
    rows = _page_rows(simen, "complaint_list", {})
    assert rows and {c.township.code for c in rows} == {SIMEN}
    codes = [c.tracking_code for c in rows]
    assert [row["tracking_code"] for row in _api_rows(simen, "api_complaint_list", {})] == codes
    assert [row[0] for row in _export_rows(simen, "complaints", {})] == codes


def test_a_complaint_filter_outside_its_set_is_refused(client_as):
    _complaints(1, township=SIMEN)
    _complaints(1, township=LIZHOU)
    health = client_as("health")
    for params in ({"status": "lost"}, {"sort": "password"}, {"category": "noise"}, {"township": "330281999"}):
        _refused_on_the_api(health, "api_complaint_list", params)
        _refused_on_the_page(health, "complaint_list", params)
    _refused_on_the_api(client_as("simen"), "api_complaint_list", {"township": LIZHOU})
    _refused_by_the_export(health, "complaints", {"overdue": "maybe"})
    # Those who handle no complaints have no list and no export.
    assert client_as("nursery1").get(reverse("list_export", args=["complaints"])).status_code == 403


def test_the_complaint_list_reads_as_many_queries_for_20_rows_as_for_2(client_as):
    health = client_as("health")
    params = {"q": "看护点"}
    _complaints(2)
    health.get(reverse("complaint_list"), params)
    few = _queries(health, "complaint_list", params)
    _complaints(18, township=LIZHOU)
    assert _page(health, "complaint_list", params).context["page"].paginator.count >= 20
    assert _queries(health, "complaint_list", params) == few <= 14


# --- Incidents -----------------------------------------------------------------------------------


def _incidents(count: int, *, organisation: str = "demo-simen-xingxing", kind: str = "fire", late=False) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from registry.models import Institution
    from supervision.models import Incident

    institution = Institution.objects.get(organisation__code=organisation)
    reporter = User.objects.get(username="nursery1")
    for number in range(count):
        Incident.objects.create(
            institution=institution, kind=kind, occurred_at=timezone.now() - timedelta(hours=number + 1),
            reported_by=reporter, description=f"测试事件{number}", late=late,
        )  # fmt: skip


INCIDENT_FILTERS = [
    {"township": SIMEN},
    {"kind": "fire", "occurred_after": "2000-01-01", "sort": "-reported"},
    {"late": "1", "status": "reported", "sort": "occurred"},
    {"since": "2000-01-01", "sort": "kind"},
]


@pytest.mark.parametrize("params", INCIDENT_FILTERS)
def test_incidents_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _incidents(3)
    _incidents(2, organisation="demo-lizhou-yangguang", kind="injury", late=True)
    health = client_as("health")
    rows = _page_rows(health, "incident_list", params)
    assert rows, params
    assert [row["id"] for row in _api_rows(health, "api_incident_list", params)] == [i.pk for i in rows]
    assert [(row[0], row[3]) for row in _export_rows(health, "incidents", params)] == [
        (i.institution.name, _local(i.occurred_at)) for i in rows
    ]


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_a_township_sees_only_its_own_incidents_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _incidents(3)
    _incidents(2, organisation="demo-lizhou-yangguang")
    simen = client_as("simen")
    rows = _page_rows(simen, "incident_list", {})
    assert rows and {i.institution.township.code for i in rows} == {SIMEN}
    ids = [i.pk for i in rows]
    assert [row["id"] for row in _api_rows(simen, "api_incident_list", {})] == ids
    assert len(_export_rows(simen, "incidents", {})) == len(ids)


def test_an_incident_filter_outside_its_set_is_refused(client_as):
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"status": "lost"}, {"kind": "flood"}):
        _refused_on_the_api(simen, "api_incident_list", params)
        _refused_on_the_page(simen, "incident_list", params)
    _refused_on_the_api(simen, "api_incident_list", {"late": "maybe"})
    _refused_by_the_export(simen, "incidents", {"kind": "flood"})
    assert client_as("fire").get(reverse("list_export", args=["incidents"])).status_code == 403


def test_the_incident_list_reads_as_many_queries_for_20_rows_as_for_2(client_as):
    health = client_as("health")
    params = {"kind": "food"}
    _incidents(2, kind="food")
    health.get(reverse("incident_list"), params)
    few = _queries(health, "incident_list", params)
    _incidents(18, organisation="demo-lizhou-yangguang", kind="food")
    assert _page(health, "incident_list", params).context["page"].paginator.count >= 20
    assert _queries(health, "incident_list", params) == few <= 14


# --- Residential areas ---------------------------------------------------------------------------

AREA_FILTERS = [
    {"township": SIMEN},
    {"kind": "new", "recorded_after": "2000-01-01", "sort": "-population"},
    {"kind": "old", "sort": "planned"},
    {"q": "小区", "sort": "-township"},
]


@pytest.mark.parametrize("params", AREA_FILTERS)
def test_residential_areas_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    from tests.factories import ResidentialAreaFactory

    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    ResidentialAreaFactory(kind="old", township_code=LIZHOU)
    ResidentialAreaFactory(kind="new")
    health = client_as("health")
    response = _page(health, "residential_area_list", params)
    rows = list(response.context["page"].paginator.object_list)
    assert rows, params
    ids = [a.pk for a in rows]
    assert [row["id"] for row in _api_rows(health, "api_residential_area_list", params)] == ids
    assert [row[0] for row in _export_rows(health, "residential_areas", params)] == [a.name for a in rows]
    # The summary rows total the same filtered areas.
    summary = response.context["summary"]
    assert summary["total"]["areas"] == len(rows)
    assert summary["total"]["population"] == sum(a.population for a in rows)


def test_a_township_sees_only_its_own_residential_areas_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    from tests.factories import ResidentialAreaFactory

    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    ResidentialAreaFactory(township_code=LIZHOU)
    ResidentialAreaFactory()
    simen = client_as("simen")
    response = _page(simen, "residential_area_list", {})
    rows = list(response.context["page"].paginator.object_list)
    assert rows and {a.township.code for a in rows} == {SIMEN}
    assert [row["code"] for row in response.context["summary"]["townships"]] == [SIMEN]
    assert [row["id"] for row in _api_rows(simen, "api_residential_area_list", {})] == [a.pk for a in rows]
    assert [row[1] for row in _export_rows(simen, "residential_areas", {})] == [a.township.name for a in rows]


def test_a_residential_area_filter_outside_its_set_is_refused(client_as):
    health = client_as("health")
    for params in ({"township": "330281999"}, {"sort": "password"}, {"kind": "castle"}):
        _refused_on_the_api(health, "api_residential_area_list", params)
        _refused_on_the_page(health, "residential_area_list", params)
    _refused_on_the_api(client_as("simen"), "api_residential_area_list", {"township": LIZHOU})
    _refused_by_the_export(client_as("simen"), "residential_areas", {"township": LIZHOU})
    assert client_as("nursery1").get(reverse("list_export", args=["residential_areas"])).status_code == 403


def test_the_residential_area_list_reads_as_many_queries_for_20_rows_as_for_2(client_as):
    from tests.factories import ResidentialAreaFactory

    health = client_as("health")
    params = {"q": "计数小区"}
    for number in range(2):
        ResidentialAreaFactory(name=f"计数小区{number:02d}")
    health.get(reverse("residential_area_list"), params)
    few = _queries(health, "residential_area_list", params)
    for number in range(2, 20):
        ResidentialAreaFactory(name=f"计数小区{number:02d}", township_code=LIZHOU if number % 2 else SIMEN)
    assert _page(health, "residential_area_list", params).context["page"].paginator.count == 20
    assert _queries(health, "residential_area_list", params) == few <= 14
