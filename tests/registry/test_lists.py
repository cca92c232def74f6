"""Lists that work (``accounts.lists``): the filing queue, the institutions and the staff roster
filter with one filter set each, so the page, the Excel export and the API give the same rows;
a township sees only its own rows in all three; a value outside its set is a Chinese message
on the page and 400 on the API; an export larger than a page is built in the background with
progress and a notification; the printable filing ledger lists a month's accepted filings.
"""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Notification
from dashboard.models import ExportJob
from registry.models import Filing, Institution
from training.models import StaffMember

pytestmark = pytest.mark.django_db

SIMEN = "330281103"  # 泗门镇
LIZHOU = "330281001"  # 梨洲街道

# (list name, page URL name, API URL name, a filter that narrows it, name of one row, export's name column)
LISTS = {
    "filings": ("filing_list", "api_filing_list", lambda f: f.institution.name, 0),
    "institutions": ("institution_list", "api_institution_list", lambda i: i.name, 0),
    "staff": ("staff_list", "api_staff_list", lambda m: m.name, 2),
    "registrations": ("registration_list", "api_registration_list", lambda r: r.institution.name, 0),
    "orders": ("order_list", "api_order_list", lambda o: o.number, 0),
}
API_NAMES = {
    "filings": lambda row: row["institution"]["name"],
    "institutions": lambda row: row["name"],
    "staff": lambda row: row["name"],
    "registrations": lambda row: row["institution"]["name"],
    "orders": lambda row: row["number"],
}
TOWNSHIP_OF = {
    "filings": lambda f: f.institution.township.code,
    "institutions": lambda i: i.township.code,
    "staff": lambda m: m.institution.township.code,
    "registrations": lambda r: r.institution.township.code,
    "orders": lambda o: o.institution.township.code,
}


def _page_rows(client, name, params) -> list:
    response = client.get(reverse(LISTS[name][0] if name in LISTS else f"{name}_list"), params)
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list)


def _api_names(client, name, params) -> list[str]:
    names, url = [], reverse(LISTS[name][1])
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        names += [API_NAMES[name](row) for row in response.json()["results"]]
        if not response.json()["next"]:
            return names
        response = client.get(response.json()["next"])


def _workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))[1:]


def _export_names(client, name, params) -> list[str]:
    response = client.post(f"{reverse('list_export', args=[name])}?{_query(params)}", {"confirm": "1"})
    return [row[LISTS[name][3] if name in LISTS else 0] for row in _workbook_rows(response)]


def _query(params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


FILTERS = {
    "filings": [
        {"township": SIMEN},
        {"status": "submitted", "submitted_after": "2000-01-01"},
        {"provider_type": "standalone", "sort": "-submitted"},
    ],
    "institutions": [
        {"township": LIZHOU},
        {"filing_status": "filed", "inclusive": "yes"},
        {"provider_type": "family_care_point", "sort": "-name"},
    ],
    "staff": [
        {"township": SIMEN, "status": "all"},
        {"role": "caregiver"},
        {"hired_after": "2000-01-01", "sort": "name"},
    ],
    "registrations": [
        {"township": SIMEN},
        {"status": "active", "registered_after": "2000-01-01"},
        {"legal_form": "company", "sort": "-registered"},
    ],
    "orders": [
        {"township": SIMEN},
        {"issued_after": "2000-01-01", "status": "open"},
        {"deadline_after": "2000-01-01", "sort": "deadline"},
    ],
}


@pytest.mark.parametrize("name", LISTS)
def test_the_same_filter_gives_the_same_rows_in_the_page_the_export_and_the_api(name, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)  # every export at once, to read it here
    health = client_as("health")
    for params in FILTERS[name]:
        rows = _page_rows(health, name, params)
        assert rows, params
        page_names = [LISTS[name][2](row) for row in rows]
        assert _api_names(health, name, params) == page_names, params
        assert _export_names(health, name, params) == page_names, params
    everything = _page_rows(health, name, {"status": "all"} if name == "staff" else {})
    assert all(len(_page_rows(health, name, params)) < len(everything) for params in FILTERS[name][:1])


@pytest.mark.parametrize("name", LISTS)
def test_a_township_sees_only_its_own_rows_in_the_page_the_export_and_the_api(name, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    simen = client_as("simen")
    rows = _page_rows(simen, name, {})
    assert rows and {TOWNSHIP_OF[name](row) for row in rows} == {SIMEN}
    names = [LISTS[name][2](row) for row in rows]
    assert _api_names(simen, name, {}) == names
    assert _export_names(simen, name, {}) == names


@pytest.mark.parametrize("name", LISTS)
def test_a_value_outside_its_set_is_400_on_the_api_and_a_chinese_message_on_the_page(name, client_as):
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"status": "bogus"}):
        api = simen.get(reverse(LISTS[name][1]), params)
        assert api.status_code == 400, (name, params)
        error = api.json()["error"]
        assert error["code"] == "invalid" and set(error["fields"]) == set(params), error
        page = simen.get(reverse(LISTS[name][0]), params)
        assert page.status_code == 200 and page.context["page"].paginator.count == 0
        html = page.content.decode()
        assert "筛选条件无效" in html and "选择一个有效的选项" in html
    # The export is not made: back to the list, with the message.
    export = simen.get(reverse("list_export", args=[name]), {"township": LIZHOU}, follow=True)
    assert "未能导出，请更正筛选条件。" in export.content.decode()


def test_a_date_range_and_a_flag_outside_their_form_are_refused_too(client_as):
    health = client_as("health")
    api = health.get(reverse("api_filing_list"), {"submitted_after": "2026-13-45", "overdue": "maybe"})
    assert api.status_code == 400 and set(api.json()["error"]["fields"]) == {"submitted", "overdue"}
    for day in ("0001-01-01", "9999-12-31"):  # a day no moment can be compared with: a message, not a 500
        assert health.get(reverse("api_filing_list"), {"submitted_after": day}).status_code == 400
        page = health.get(reverse("filing_list"), {"submitted_before": day})
        assert page.status_code == 200 and page.context["filter"].errors


def test_the_submitted_date_range_keeps_only_filings_submitted_in_it(client_as):
    submitted = Filing.objects.exclude(submitted_at=None).order_by("submitted_at")
    first, last = submitted.first(), submitted.last()
    assert first.submitted_at.date() != last.submitted_at.date()
    day = timezone.localtime(first.submitted_at).date().isoformat()
    rows = _page_rows(client_as("health"), "filings", {"submitted_before": day})
    assert first in rows and last not in rows
    assert all(timezone.localtime(row.submitted_at).date().isoformat() <= day for row in rows)


def test_a_sort_by_a_column_orders_the_page_and_the_api_alike(client_as):
    health = client_as("health")
    rows = _page_rows(health, "institutions", {"sort": "-name"})
    assert [row.name for row in rows] == sorted((row.name for row in rows), reverse=True)
    html = health.get(reverse("institution_list"), {"sort": "-name", "township": LIZHOU}).content.decode()
    assert f"township={LIZHOU}&amp;sort=name" in html  # the header's link keeps the filter, flips the order


def test_the_unfiled_queue_filters_sorts_and_exports_alike(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    health = client_as("health")
    everything = _page_rows(health, "unfiled", {})
    assert len(everything) > 1
    township = everything[0].township.code
    rows = client_as("health").get(reverse("unfiled_list"), {"township": township, "sort": "-name"})
    names = [row.name for row in rows.context["page"].paginator.object_list]
    assert names and names == sorted(names, reverse=True)
    assert {row.township.code for row in rows.context["page"].paginator.object_list} == {township}
    assert _export_names(health, "unfiled", {"township": township, "sort": "-name"}) == names
    assert client_as("simen").get(reverse("list_export", args=["unfiled"])).status_code == 403


def test_the_guidance_network_filters_by_township_and_state_alike_in_page_export_and_api(client_as, monkeypatch):
    from registry.models import GuidanceSite

    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    nursery = client_as("nursery1")
    township = GuidanceSite.objects.filter(region__level="village").first().region.parent.code
    params = {"township": township, "state": "open"}
    rows = _page_rows(nursery, "guidance_site", params)
    assert rows and all(township in (site.region.code, site.region.parent.code) for site in rows)
    assert all(site.closed_on is None for site in rows)
    names = [site.name for site in rows]
    assert _export_names(nursery, "guidance_sites", params) == names
    api = nursery.get(reverse("api_guidance_site_list"), params).json()
    assert [row["name"] for row in api["results"]] == names
    assert nursery.get(reverse("api_guidance_site_list"), {"state": "gone"}).status_code == 400


# --- Exports larger than a page -----------------------------------------------------------------


def test_a_large_export_is_built_in_the_background_with_progress_and_a_message(
    cast, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 2)
    health = client_as("health")
    url = f"{reverse('list_export', args=['institutions'])}?township={LIZHOU}"
    confirm = health.get(url)
    expected = Institution.objects.filter(township__code=LIZHOU).count()
    assert confirm.status_code == 200 and f"{expected}" in confirm.content.decode()
    assert not ExportJob.objects.exists()  # asking is not starting
    with django_capture_on_commit_callbacks(execute=True):
        response = health.post(url, {"confirm": "1"})
    job = ExportJob.objects.get(requested_by=cast["health"])
    assert response.status_code == 302 and response["Location"] == reverse("export_job_download", args=[job.pk])
    assert job.list_name == "institutions" and job.query == f"township={LIZHOU}"
    assert job.status == ExportJob.Status.DONE and job.total == job.done == expected and job.percent == 100
    assert Notification.objects.filter(recipient=cast["health"], link=response["Location"]).count() == 1
    rows = _workbook_rows(health.get(response["Location"]))
    assert sorted(row[0] for row in rows) == sorted(
        Institution.objects.filter(township__code=LIZHOU).values_list("name", flat=True)
    )
    # Another user's job is not theirs to see.
    assert client_as("simen").get(response["Location"]).status_code == 404


def test_a_pending_list_export_shows_its_progress(cast, client_as):
    job = ExportJob.objects.create(
        list_name="staff", query="", requested_by=cast["health"], status=ExportJob.Status.RUNNING, total=400, done=100
    )
    html = client_as("health").get(reverse("export_job_download", args=[job.pk])).content.decode()
    assert 'data-testid="export-progress"' in html and 'value="25"' in html and 'http-equiv="refresh"' in html


def test_a_background_list_export_uses_the_requesters_sight_when_it_runs(cast, monkeypatch):
    from dashboard.exports.lists import list_export_run

    job = ExportJob.objects.create(list_name="institutions", query=f"township={LIZHOU}", requested_by=cast["simen"])
    assert list_export_run(job_id=job.pk) == ExportJob.Status.FAILED  # 梨洲街道 is not 泗门镇's to see
    job = ExportJob.objects.create(list_name="staff", query="", requested_by=cast["simen"])
    assert list_export_run(job_id=job.pk) == ExportJob.Status.DONE
    job.refresh_from_db()
    assert (
        job.total
        == StaffMember.objects.filter(institution__township__code=SIMEN)
        .filter(StaffMember.active_q(timezone.localdate()))
        .count()
    )
    # Run again: left alone, one message.
    assert list_export_run(job_id=job.pk) == ExportJob.Status.DONE
    assert Notification.objects.filter(recipient=cast["simen"], link__endswith=f"/exports/{job.pk}/").count() == 1


# --- The filing ledger --------------------------------------------------------------------------


def _accepted():
    filing = Filing.objects.filter(status=Filing.Status.ACCEPTED).exclude(decided_at=None).first()
    return filing, timezone.localtime(filing.decided_at).strftime("%Y-%m")


def test_the_filing_ledger_lists_the_filings_accepted_in_a_month(client_as):
    filing, month = _accepted()
    response = client_as("health").get(reverse("filing_ledger"), {"month": month})
    assert response.status_code == 200
    listed = list(response.context["filings"])
    assert filing in listed and all(f.status == Filing.Status.ACCEPTED for f in listed)
    assert all(timezone.localtime(f.decided_at).strftime("%Y-%m") == month for f in listed)
    assert "备案台账" in response.content.decode()
    township = filing.institution.township.code
    other = LIZHOU if township != LIZHOU else SIMEN
    assert (
        filing
        not in client_as("health").get(reverse("filing_ledger"), {"month": month, "township": other}).context["filings"]
    )


def test_a_township_ledger_is_its_own_and_a_bad_month_or_township_says_why(client_as):
    simen = client_as("simen")
    filing, month = _accepted()
    listed = simen.get(reverse("filing_ledger"), {"month": month}).context["filings"]
    assert all(f.institution.township.code == SIMEN for f in listed)
    for params in ({"month": "2026-13"}, {"month": month, "township": LIZHOU}):
        response = simen.get(reverse("filing_ledger"), params)
        assert response.status_code == 400
        assert 'data-testid="ledger-errors"' in response.content.decode()
    assert "请按" in simen.get(reverse("filing_ledger"), {"month": "March"}).content.decode()


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
def test_each_list_page_and_api_read_a_fixed_number_of_queries(name, client_as, django_assert_max_num_queries):
    health = client_as("health")
    health.get(reverse(LISTS[name][0]))
    params = FILTERS[name][0]
    with django_assert_max_num_queries(14):
        assert health.get(reverse(LISTS[name][0]), params).status_code == 200
    with django_assert_max_num_queries(10):
        assert health.get(reverse(LISTS[name][1]), params).status_code == 200


def test_the_ledger_reads_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    health = client_as("health")
    _filing, month = _accepted()
    health.get(reverse("filing_ledger"), {"month": month})
    with django_assert_max_num_queries(10):
        assert health.get(reverse("filing_ledger"), {"month": month}).status_code == 200
