"""Lists that work, continued (``accounts.lists``): training programmes, periodic reports and the
registry's and training's import jobs, one filter set each. For each, the same filter gives the
same rows in the page, the Excel export and the API (where there is one); a value outside its set
is refused (a Chinese message on the page, 400 on the API, no export); the page, the API and the
export read a pinned number of queries with more rows than a page (an N+1 would show).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import Organisation, User
from dashboard.models import PeriodicReport
from registry.models import ImportJob, Region
from tests.test_lists_more import (
    LIZHOU,
    SIMEN,
    _api_rows,
    _export_rows,
    _page,
    _page_rows,
    _refused_by_the_export,
    _refused_on_the_api,
    _refused_on_the_page,
)
from training.models import Participant, TrainingProgramme, WorkforceImportJob

pytestmark = pytest.mark.django_db

K = TrainingProgramme.Kind


@pytest.fixture
def whole_exports(monkeypatch):
    """Every export at once (no background job), so the test reads its file."""
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)


def _export_url(name: str) -> str:
    return reverse("list_export", args=[name])


# --- Training programmes -------------------------------------------------------------------------


def _programmes(count: int, *, region: str = SIMEN, kind: str = K.VOLUNTEER, with_participants: int = 0) -> None:
    health = Organisation.objects.get(code="health")
    place = Region.objects.get(code=region)
    made = TrainingProgramme.objects.bulk_create(
        TrainingProgramme(kind=kind, title=f"列表培训{region[-3:]}{n:03d}", organiser=health, region=place,
                          starts_on=date(2026, 1, 1) + timedelta(days=n), ends_on=date(2026, 12, 31))
        for n in range(count)
    )  # fmt: skip
    Participant.objects.bulk_create(
        Participant(programme=programme, kind="public", name=f"学员{n}", township=place)
        for programme in made
        for n in range(with_participants)
    )


PROGRAMME_FILTERS = [
    {"township": SIMEN},
    {"kind": K.VILLAGE_INSTRUCTOR, "sort": "-starts"},
    {"status": "planned", "starts_after": "2026-01-05", "starts_before": "2026-12-31", "sort": "title"},
    {"kind": K.VOLUNTEER, "sort": "-participants"},
]


@pytest.mark.parametrize("params", PROGRAMME_FILTERS)
def test_programmes_filter_alike_in_the_page_the_export_and_the_api(params, client_as, whole_exports):
    _programmes(3, with_participants=2)
    _programmes(2, region=LIZHOU)
    fire = client_as("fire")
    rows = _page_rows(fire, "programme_list", params)
    assert rows, params
    assert len(rows) < len(_page_rows(fire, "programme_list", {}))
    assert [row["id"] for row in _api_rows(fire, "api_programme_list", params)] == [p.pk for p in rows]
    assert [row[0] for row in _export_rows(fire, "programmes", params)] == [p.title for p in rows]


def test_the_programme_sort_orders_the_page_by_its_column(client_as):
    _programmes(3, with_participants=0)
    _programmes(1, region=LIZHOU, with_participants=4)
    rows = _page_rows(client_as("health"), "programme_list", {"kind": K.VOLUNTEER, "sort": "-participants"})
    counts = [p.participant_count for p in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 4


def test_the_workbook_with_participants_reads_the_same_filter_set_as_the_list(client_as, whole_exports):
    from io import BytesIO

    from openpyxl import load_workbook

    _programmes(2, with_participants=1)
    simen = client_as("simen")
    params = {"kind": K.VOLUNTEER, "sort": "title"}
    rows = _page_rows(simen, "programme_list", params)
    workbook = load_workbook(BytesIO(simen.get(reverse("programme_export"), params).content))
    assert [row[0] for row in workbook["培训项目"].iter_rows(values_only=True)][1:] == [p.title for p in rows]
    response = simen.get(reverse("programme_export"), {"sort": "password"}, follow=True)
    assert "未能导出，请更正筛选条件。" in response.content.decode()


def test_a_programme_filter_outside_its_set_is_refused(client_as):
    lizhou = client_as("lizhou")
    for params in (
        {"township": "330281999"}, {"kind": "astronaut"}, {"status": "lost"}, {"sort": "password"},
        {"organiser": "999999"},
    ):  # fmt: skip
        _refused_on_the_api(lizhou, "api_programme_list", params)
        _refused_on_the_page(lizhou, "programme_list", params)
    _refused_by_the_export(lizhou, "programmes", {"kind": "astronaut"})


def test_the_programme_list_its_api_and_its_export_read_a_pinned_number_of_queries(
    client_as, whole_exports, django_assert_max_num_queries
):
    _programmes(40, with_participants=3)
    health = client_as("health")
    params = {"kind": K.VOLUNTEER, "township": SIMEN, "sort": "-participants"}
    health.get(reverse("programme_list"), params)  # warm the session
    with django_assert_max_num_queries(14):
        assert _page(health, "programme_list", params).context["page"].paginator.count >= 40
    with django_assert_max_num_queries(10):
        assert health.get(reverse("api_programme_list"), params).status_code == 200
    with django_assert_max_num_queries(10):
        assert len(_export_rows(health, "programmes", params)) >= 40


# --- Periodic reports ----------------------------------------------------------------------------


def _reports(count: int) -> None:
    townships = list(Region.objects.filter(code__in=[SIMEN, LIZHOU]).order_by("code"))
    organisations = {o.jurisdiction_id: o for o in Organisation.objects.filter(kind="township")}
    first = datetime(2026, 3, 1, 9, tzinfo=UTC)
    PeriodicReport.objects.bulk_create(
        PeriodicReport(
            region=townships[n % 2],
            year=2001 + n // 2,
            version=50 + n,
            figures={"population": n},
            status="submitted" if n % 3 else "draft",
            source="列表测试",
            organisation=organisations[townships[n % 2].pk],
            submitted_at=None if n % 3 == 0 else first + timedelta(days=n),
        )  # fmt: skip
        for n in range(count)
    )


REPORT_FILTERS = [
    {"region": LIZHOU},
    {"township": SIMEN, "sort": "-year"},
    {"status": "submitted", "submitted_after": "2026-03-01", "sort": "submitted"},
    {"year": "2003", "sort": "region"},
]


@pytest.mark.parametrize("params", REPORT_FILTERS)
def test_reports_filter_alike_in_the_page_the_export_and_the_api(params, client_as, whole_exports):
    _reports(12)
    health = client_as("health")
    rows = _page_rows(health, "report_list", params)
    assert rows, params
    assert len(rows) < len(_page_rows(health, "report_list", {}))
    assert [row["id"] for row in _api_rows(health, "api_report_list", params)] == [r.pk for r in rows]
    assert [(row[0], row[1], row[2]) for row in _export_rows(health, "reports", params)] == [
        (r.region.name, r.year, r.version) for r in rows
    ]


def test_a_township_sees_only_its_own_reports_in_the_page_the_export_and_the_api(client_as, whole_exports):
    _reports(6)
    simen = client_as("simen")
    rows = _page_rows(simen, "report_list", {})
    assert rows and {r.region.code for r in rows} == {SIMEN}
    assert [row["id"] for row in _api_rows(simen, "api_report_list", {})] == [r.pk for r in rows]
    assert len(_export_rows(simen, "reports", {})) == len(rows)


def test_a_report_filter_outside_its_set_is_refused(client_as):
    simen = client_as("simen")
    for params in ({"region": LIZHOU}, {"township": LIZHOU}, {"status": "lost"}, {"sort": "password"}):
        _refused_on_the_api(simen, "api_report_list", params)
        _refused_on_the_page(simen, "report_list", params)
    assert client_as("health").get(reverse("api_report_list"), {"year": "1999"}).status_code == 400
    _refused_by_the_export(simen, "reports", {"region": LIZHOU})
    # Those who read no reports have no list and no export.
    assert client_as("nursery1").get(_export_url("reports")).status_code == 403


def test_the_bulk_approval_keeps_the_lists_filters(client_as):
    _reports(6)
    health = client_as("health")
    query = f"status=submitted&region={LIZHOU}&sort=-year"
    page = _page(health, "report_list", {"status": "submitted", "region": LIZHOU, "sort": "-year"})
    waiting = [r.pk for r in page.context["page"]]
    assert waiting and page.context["waiting"]
    assert f'name="next" value="?{query.replace("&", "&amp;")}"' in page.content.decode()
    response = health.post(reverse("report_bulk_approve"), {"ids": waiting[:1], "next": f"?{query}"})
    assert response.status_code == 302 and response["Location"] == f"{reverse('report_list')}?{query}"
    assert PeriodicReport.objects.get(pk=waiting[0]).status == "approved"


def test_the_report_list_its_api_and_its_export_read_a_pinned_number_of_queries(
    client_as, whole_exports, django_assert_max_num_queries
):
    _reports(60)
    health = client_as("health")
    params = {"status": "submitted", "sort": "-submitted"}
    health.get(reverse("report_list"), params)
    with django_assert_max_num_queries(12):
        assert _page(health, "report_list", params).context["page"].paginator.count >= 30
    with django_assert_max_num_queries(8):
        assert health.get(reverse("api_report_list"), params).status_code == 200
    with django_assert_max_num_queries(10):
        assert len(_export_rows(health, "reports", params)) >= 30


# --- The registry's import jobs ------------------------------------------------------------------


def _registry_jobs(count: int, *, username: str = "simen") -> None:
    user = User.objects.get(username=username)
    organisation = Organisation.objects.get(code=f"township-{SIMEN if username == 'simen' else LIZHOU}")
    for n in range(count):
        ImportJob.objects.create(
            kind="institutions" if n % 2 else "registrations", file="imports/list-test.xlsx",
            original_name=f"导入{username}{n:03d}.xlsx", organisation=organisation, created_by=user,
            status="done" if n % 3 else "failed", total_rows=n, imported_rows=n,
        )  # fmt: skip


REGISTRY_IMPORT_FILTERS = [
    {"kind": "institutions"},
    {"status": "failed", "sort": "file"},
    {"uploaded_after": "2000-01-01", "kind": "registrations", "sort": "-status"},
]


@pytest.mark.parametrize("params", REGISTRY_IMPORT_FILTERS)
def test_registry_imports_filter_alike_in_the_page_and_the_export(params, client_as, whole_exports):
    _registry_jobs(6)
    _registry_jobs(2, username="lizhou")
    simen = client_as("simen")
    rows = _page_rows(simen, "import_list", params)
    assert rows, params
    assert len(rows) < len(_page_rows(simen, "import_list", {}))
    assert [row[1] for row in _export_rows(simen, "imports", params)] == [j.original_name for j in rows]


def test_an_organisation_sees_only_its_own_imports_in_the_page_and_the_export(client_as, whole_exports):
    _registry_jobs(3)
    _registry_jobs(2, username="lizhou")
    rows = _page_rows(client_as("lizhou"), "import_list", {})
    assert {j.original_name[:8] for j in rows} == {"导入lizhou"}
    assert len(_export_rows(client_as("lizhou"), "imports", {})) == len(rows) == 2


def test_a_registry_import_filter_outside_its_set_is_refused(client_as):
    simen = client_as("simen")
    for params in ({"kind": "children"}, {"status": "lost"}, {"sort": "password"}):
        _refused_on_the_page(simen, "import_list", params)
    _refused_by_the_export(simen, "imports", {"status": "lost"})
    assert client_as("nursery1").get(_export_url("imports")).status_code == 403


def test_the_registry_import_list_and_its_export_read_a_pinned_number_of_queries(
    client_as, whole_exports, django_assert_max_num_queries
):
    _registry_jobs(40)
    simen = client_as("simen")
    simen.get(reverse("import_list"))
    with django_assert_max_num_queries(14):
        assert _page(simen, "import_list", {"sort": "-uploaded"}).context["page"].paginator.count >= 40
    with django_assert_max_num_queries(10):
        assert len(_export_rows(simen, "imports", {})) >= 40


# --- The workforce import jobs -------------------------------------------------------------------


def _workforce_jobs(count: int, *, username: str = "nursery1") -> None:
    from registry.models import Institution

    user = User.objects.get(username=username)
    institution = Institution.objects.get(organisation__code="demo-simen-xingxing")
    programme = TrainingProgramme.objects.order_by("pk").first()
    for n in range(count):
        target = {"programme": programme} if n % 3 == 0 else {"institution": institution}
        kind = "participants" if n % 3 == 0 else ("staff" if n % 3 == 1 else "certificates")
        WorkforceImportJob.objects.create(
            kind=kind, file="imports/workforce/list-test.xlsx", original_name=f"人员{username}{n:03d}.xlsx",
            created_by=user, status="done" if n % 2 else "failed", **target,
        )  # fmt: skip


TRAINING_IMPORT_FILTERS = [
    {"kind": "staff"},
    {"status": "failed", "sort": "file"},
    {"uploaded_after": "2000-01-01", "kind": "participants", "sort": "-status"},
]


@pytest.mark.parametrize("params", TRAINING_IMPORT_FILTERS)
def test_workforce_imports_filter_alike_in_the_page_and_the_export(params, client_as, whole_exports):
    _workforce_jobs(6)
    nursery1 = client_as("nursery1")
    rows = _page_rows(nursery1, "training_import_list", params)
    assert rows, params
    assert len(rows) < len(_page_rows(nursery1, "training_import_list", {}))
    assert [row[1] for row in _export_rows(nursery1, "training_imports", params)] == [j.original_name for j in rows]


def test_each_user_lists_only_their_own_workforce_imports(client_as, whole_exports):
    _workforce_jobs(3)
    _workforce_jobs(2, username="simen")
    rows = _page_rows(client_as("simen"), "training_import_list", {})
    assert [j.created_by.username for j in rows] == ["simen", "simen"]
    assert len(_export_rows(client_as("simen"), "training_imports", {})) == 2
    assert _page_rows(client_as("nursery2"), "training_import_list", {}) == []
    # The import pages lead to the list.
    page = client_as("nursery1").get(reverse("staff_import")).content.decode()
    assert f'href="{reverse("training_import_list")}"' in page


def test_a_workforce_import_filter_outside_its_set_is_refused(client_as):
    nursery1 = client_as("nursery1")
    for params in ({"kind": "institutions"}, {"status": "lost"}, {"sort": "password"}):
        _refused_on_the_page(nursery1, "training_import_list", params)
    _refused_by_the_export(nursery1, "training_imports", {"uploaded_after": "0001-01-01"})


def test_the_workforce_import_list_and_its_export_read_a_pinned_number_of_queries(
    client_as, whole_exports, django_assert_max_num_queries
):
    _workforce_jobs(40)
    nursery1 = client_as("nursery1")
    nursery1.get(reverse("training_import_list"))
    with django_assert_max_num_queries(12):
        assert _page(nursery1, "training_import_list", {"sort": "file"}).context["page"].paginator.count >= 40
    with django_assert_max_num_queries(10):
        assert len(_export_rows(nursery1, "training_imports", {})) >= 40
