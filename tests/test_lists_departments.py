"""Lists that work, for the departments' last lists (``accounts.lists``): the inspection
findings, the revocation referrals and the education bureau's nursery-class approval queue. For
each, the same filter gives the same rows in the page, the Excel export and the API (where there
is one); a value outside its set is refused (a Chinese message on the page, 400 on the API, no
export); the page, the export and the API read the same number of queries for many rows as for a
few.
"""

from datetime import timedelta

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
from tests.test_lists_supervision import _export_url, _same_queries_for_more_rows

pytestmark = pytest.mark.django_db


# --- Inspection findings -------------------------------------------------------------------------


def _findings(count: int, *, township: str = SIMEN, area: str = "fire", passed=True, days_ago: int = 0):
    """Ad-hoc findings of ``area`` on an institution of ``township``, one day apart."""
    from accounts.models import Organisation, User
    from inspections.models import Finding
    from registry.models import Institution

    department = {"fire": "fire", "food_safety": "amr", "fees": "amr", "health_care": "health"}[area]
    institution = Institution.objects.filter(township__code=township).order_by("pk").first()
    Finding.objects.bulk_create(
        Finding(
            institution=institution, area=area, department=Organisation.objects.get(code=department),
            inspector=User.objects.get(username="health"), passed=passed,
            inspected_on=timezone.localdate() - timedelta(days=days_ago + number),
        )
        for number in range(count)
    )  # fmt: skip


FINDING_FILTERS = [
    {"township": LIZHOU},
    {"area": "food_safety", "passed": "no", "sort": "-inspected"},
    {"passed": "false", "sort": "township"},
    {"inspected_after": (timezone.localdate() - timedelta(days=30)).isoformat(), "sort": "institution"},
    {"q": "泗门", "inspected_before": timezone.localdate().isoformat(), "sort": "-area"},
]


@pytest.mark.parametrize("params", FINDING_FILTERS)
def test_findings_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _findings(3)
    _findings(2, township=LIZHOU, area="food_safety", passed=False)
    _findings(2, area="fees", days_ago=90)
    health = client_as("health")
    rows = _page_rows(health, "finding_list", params)
    assert rows and len(rows) < len(_page_rows(health, "finding_list", {})), params
    assert [row["id"] for row in _api_rows(health, "api_finding_list", params)] == [f.pk for f in rows]
    assert [(row[0], row[4].date()) for row in _export_rows(health, "findings", params)] == [
        (f.institution.name, f.inspected_on) for f in rows
    ]


def test_a_township_sees_only_the_findings_in_its_territory_in_the_page_the_export_and_the_api(client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _findings(3)
    _findings(2, township=LIZHOU)
    simen = client_as("simen")
    rows = _page_rows(simen, "finding_list", {})
    assert rows and {f.institution.township.code for f in rows} == {SIMEN}
    assert [row["id"] for row in _api_rows(simen, "api_finding_list", {})] == [f.pk for f in rows]
    assert [row[0] for row in _export_rows(simen, "findings", {})] == [f.institution.name for f in rows]


def test_the_finding_page_keeps_its_filters_in_the_export_link_and_the_sort_headers(client_as):
    page = client_as("health").get(reverse("finding_list"), {"area": "fire", "sort": "-inspected"}).content.decode()
    assert f'action="{_export_url("findings", {"area": "fire"})}&amp;sort=-inspected"' in page
    assert 'href="?area=fire&amp;sort=inspected"' in page and 'aria-sort="descending"' in page


def test_a_finding_filter_outside_its_set_is_refused(client_as):
    _findings(1)
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"area": "lost"}):
        _refused_on_the_api(simen, "api_finding_list", params)
        _refused_on_the_page(simen, "finding_list", params)
    bad_date = simen.get(reverse("api_finding_list"), {"inspected_after": "昨天"})
    assert bad_date.status_code == 400 and set(bad_date.json()["error"]["fields"]) == {"inspected"}
    maybe = simen.get(reverse("finding_list"), {"passed": "maybe"})
    assert maybe.context["page"].paginator.count == 0 and "请选择“是”或“否”" in maybe.content.decode()
    _refused_by_the_export(simen, "findings", {"township": LIZHOU})


def test_the_finding_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _findings(2, township=LIZHOU)
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="finding_list", api="api_finding_list",
        export="findings", params={"township": LIZHOU}, add_rows=lambda: _findings(30, township=LIZHOU),
        limits={"page": 11, "api": 9, "export": 9}, monkeypatch=monkeypatch,
    )  # fmt: skip


# --- Revocation referrals ------------------------------------------------------------------------


def _referrals(count: int, *, township: str = SIMEN, status: str = "declined", days_ago: int = 0):
    """Decided referrals of an institution of ``township`` (to the authority of its
    registration), one day apart (an institution has at most one pending referral)."""
    from accounts.models import User
    from inspections.models import RevocationReferral
    from registry.models import Registration

    registration = (
        Registration.objects.filter(institution__township__code=township).select_related("institution").first()
    )
    RevocationReferral.objects.bulk_create(
        RevocationReferral(
            institution=registration.institution, registration=registration, authority=registration.authority,
            raised_by=User.objects.get(username="health"), status=status,
            raised_at=timezone.now() - timedelta(days=days_ago + number),
        )
        for number in range(count)
    )  # fmt: skip


REFERRAL_FILTERS = [
    {"township": LIZHOU},
    {"status": "withdrawn", "sort": "-raised"},
    {"raised_after": (timezone.localdate() - timedelta(days=30)).isoformat(), "sort": "township"},
    {"q": "泗门", "raised_before": timezone.localdate().isoformat(), "sort": "-institution"},
]


@pytest.mark.parametrize("params", REFERRAL_FILTERS)
def test_referrals_filter_alike_in_the_page_the_export_and_the_api(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _referrals(3)
    _referrals(2, township=LIZHOU, status="withdrawn")
    _referrals(2, township=LIZHOU, days_ago=90)
    health = client_as("health")
    rows = _page_rows(health, "referral_list", params)
    assert rows and len(rows) < len(_page_rows(health, "referral_list", {})), params
    assert [row["id"] for row in _api_rows(health, "api_referral_list", params)] == [r.pk for r in rows]
    assert [(row[0], row[5]) for row in _export_rows(health, "referrals", params)] == [
        (r.institution.name, r.get_status_display()) for r in rows
    ]


def test_an_authority_filters_the_referrals_sent_to_it_and_sees_no_other(client_as, monkeypatch):
    from inspections.models import RevocationReferral

    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _referrals(2)
    _referrals(2, township=LIZHOU)
    authorities = RevocationReferral.objects.values_list("authority__code", flat=True).distinct()
    for code in authorities:
        rows = _page_rows(client_as("health"), "referral_list", {"authority": code})
        assert rows and {r.authority.code for r in rows} == {code}
    amr = client_as("amr")
    rows = _page_rows(amr, "referral_list", {})
    assert rows and {r.authority.code for r in rows} == {"amr"}
    assert [row["id"] for row in _api_rows(amr, "api_referral_list", {})] == [r.pk for r in rows]
    assert len(_export_rows(amr, "referrals", {})) == len(rows)


def test_a_referral_filter_outside_its_set_is_refused(client_as):
    _referrals(1)
    simen = client_as("simen")
    for params in ({"township": LIZHOU}, {"sort": "password"}, {"status": "lost"}, {"authority": "mca"}):
        _refused_on_the_api(simen, "api_referral_list", params)
        _refused_on_the_page(simen, "referral_list", params)
    bad_date = simen.get(reverse("api_referral_list"), {"raised_before": "明天"})
    assert bad_date.status_code == 400 and set(bad_date.json()["error"]["fields"]) == {"raised"}
    _refused_by_the_export(simen, "referrals", {"status": "lost"})


def test_the_referral_list_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _referrals(2, township=LIZHOU)
    _same_queries_for_more_rows(
        client_as("health"), django_assert_max_num_queries, page="referral_list", api="api_referral_list",
        export="referrals", params={"township": LIZHOU}, add_rows=lambda: _referrals(30, township=LIZHOU),
        limits={"page": 9, "api": 8, "export": 8}, monkeypatch=monkeypatch,
    )  # fmt: skip


# --- The education bureau's nursery-class approval queue -----------------------------------------


def _nursery_classes(count: int, *, township: str = SIMEN, approval: str = "pending", name="计数托班"):
    from registry.models import Institution
    from tests.factories import InstitutionFactory

    for number in range(count):
        institution = InstitutionFactory(
            provider_type=Institution.ProviderType.KINDERGARTEN_CLASS, township_code=township,
            name=f"{name}{township[-3:]}{number:03d}",
        )  # fmt: skip
        Institution.objects.filter(pk=institution.pk).update(education_approval=approval)


NURSERY_CLASS_FILTERS = [
    {"township": LIZHOU},
    {"status": "refused", "sort": "-institution"},
    {"status": "", "created_after": "2000-01-01", "sort": "township"},
    {"q": "计数托班", "sort": "-created"},
]


@pytest.mark.parametrize("params", NURSERY_CLASS_FILTERS)
def test_nursery_classes_filter_alike_in_the_page_and_the_export(params, client_as, monkeypatch):
    monkeypatch.setattr("accounts.lists.PAGE_SIZE", 100_000)
    _nursery_classes(3)
    _nursery_classes(2, township=LIZHOU)
    _nursery_classes(2, township=LIZHOU, approval="refused", name="已退回托班")
    edu = client_as("edu")
    rows = _page_rows(edu, "nursery_class_queue", params)
    assert rows, params
    exported = {"status": "pending", **params}  # the page's export link carries its default status
    assert [row[0] for row in _export_rows(edu, "nursery_classes", exported)] == [i.name for i in rows]


def test_the_queue_opens_on_the_classes_waiting_and_keeps_that_in_its_export_link(client_as):
    _nursery_classes(1, approval="approved", name="已批准托班")
    edu = client_as("edu")
    page = edu.get(reverse("nursery_class_queue"))
    assert {i.education_approval for i in page.context["page"]} == {"pending"}
    assert f'action="{_export_url("nursery_classes", {"status": "pending"})}"' in page.content.decode()
    every = _page_rows(edu, "nursery_class_queue", {"status": ""})
    assert {"pending", "approved"} <= {i.education_approval for i in every}
    decided = edu.get(reverse("nursery_class_queue"), {"status": "approved"}).content.decode()
    assert "已批准托班103" in decided and 'value="approve"' not in decided  # a decided class has no buttons


def test_a_nursery_class_filter_outside_its_set_is_refused(client_as):
    edu = client_as("edu")
    for params in ({"township": "330281999"}, {"sort": "password"}, {"status": "lost"}):
        _refused_on_the_page(edu, "nursery_class_queue", params)
    _refused_by_the_export(edu, "nursery_classes", {"status": "lost"})
    # Those who do not approve nursery classes have no queue and no export.
    assert client_as("health").get(reverse("list_export", args=["nursery_classes"])).status_code == 403


def test_the_nursery_class_queue_reads_as_many_queries_for_many_rows_as_for_a_few(
    client_as, django_assert_max_num_queries, monkeypatch
):
    _nursery_classes(2, township=LIZHOU)
    _same_queries_for_more_rows(
        client_as("edu"), django_assert_max_num_queries, page="nursery_class_queue", api=None,
        export="nursery_classes", params={"township": LIZHOU}, add_rows=lambda: _nursery_classes(30, township=LIZHOU),
        limits={"page": 10, "export": 9}, monkeypatch=monkeypatch,
    )  # fmt: skip
