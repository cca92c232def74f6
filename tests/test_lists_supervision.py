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
    assert counts() == few, few
    print("QUERIES", page, few)


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
