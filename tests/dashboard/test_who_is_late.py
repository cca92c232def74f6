"""Issue 13, point 15: who is late, on the city dashboard and each township's.

Per township: filings waiting past their time limit, open orders and cases past their deadline
(each figure linked to its list filtered by township and overdue, and agreeing with it), and
the periodic report of the last year (due ``dashboard.report_due_days`` after the year's end,
reminded before and after); per department, findings recorded against those due in the open
cycle, linked to the cycle's statistics page; a one-line "N of M targets met"."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification, Organisation, Region
from dashboard import selectors
from dashboard.models import Indicator, PeriodicReport, Snapshot, Target
from dashboard.reminders import report_reminders
from dashboard.services import snapshots as snapshot_services
from dashboard.services import targets as target_services
from inspections.models import AnnualReview, Area, Case, RectificationOrder, ReviewCycle
from registry.models import Filing
from tests.factories import ReviewCycleFactory, areas_not_applicable
from tests.helpers import english, queries_of

pytestmark = pytest.mark.django_db

SIMEN = "330281103"  # 泗门镇
LIZHOU = "330281001"  # 梨洲街道
TODAY = timezone.localdate()
YEAR = TODAY.year


def _row(html: str, code: str) -> str:
    section = re.search(r'data-testid="late-townships".*?</table>', html, re.S).group(0)
    match = re.search(rf'<tr data-township="{code}">.*?</tr>', section, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def _figure(row: str, kind: str) -> tuple[int, str]:
    match = re.search(rf'<a href="([^"]+)" data-testid="late-{kind}">(\d+)</a>', row)
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def _overdue_case(code: str) -> Case:
    township = Region.objects.get(code=code)
    return Case.objects.create(
        provider_name="无证看护点", place="某村", township=township, found="未登记", found_on=TODAY,
        recorded_by=Organisation.objects.get(code=f"township-{code}"), status=Case.Status.ORDERED,
        order_text="限期整改", deadline=TODAY - timedelta(days=1),
    )  # fmt: skip


def _make_simen_late():
    """One filing past its limit, one open order and one case past the deadline in 泗门镇."""
    filing = Filing.objects.filter(institution__township__code=SIMEN).first()
    Filing.objects.filter(pk=filing.pk).update(status=Filing.Status.SUBMITTED, due_on=TODAY - timedelta(days=2))
    order = RectificationOrder.objects.filter(institution__township__code=SIMEN).first()
    RectificationOrder.objects.filter(pk=order.pk).update(
        status=RectificationOrder.Status.OPEN, deadline=TODAY - timedelta(days=3)
    )
    _overdue_case(SIMEN)


def test_the_city_counts_overdue_filings_orders_and_cases_by_township_each_agreeing_with_its_list(client_as):
    _make_simen_late()
    health = client_as("health")
    html = health.get("/dashboard/").content.decode()
    for code in (SIMEN, LIZHOU):
        row = _row(html, code)
        for kind in ("filings", "orders", "cases"):
            figure, link = _figure(row, kind)
            assert f"township={code}" in link and "overdue=1" in link
            listed = health.get(link).context["page"].paginator.count
            assert figure == listed, (code, kind, figure, listed)
    simen = _row(html, SIMEN)
    assert all(_figure(simen, kind)[0] >= 1 for kind in ("filings", "orders", "cases"))


def test_the_case_list_filters_cases_past_their_deadline(client_as):
    late = _overdue_case(SIMEN)
    on_time = _overdue_case(SIMEN)
    Case.objects.filter(pk=on_time.pk).update(deadline=TODAY + timedelta(days=5))
    listed = client_as("health").get(f"/inspections/cases/?township={SIMEN}&overdue=1").context["page"]
    pks = {case.pk for case in listed.paginator.object_list}
    assert late.pk in pks and on_time.pk not in pks


def test_a_township_official_sees_only_their_own_township_late(client_as):
    _make_simen_late()
    html = client_as("simen").get(f"/dashboard/townships/{SIMEN}/").content.decode()
    section = re.search(r'data-testid="late-townships".*?</table>', html, re.S).group(0)
    assert re.findall(r'<tr data-township="(\d+)"', section) == [SIMEN]
    assert _figure(_row(html, SIMEN), "cases")[0] >= 1
    late = selectors.lateness(actor=_user("simen"), region=_region(SIMEN))
    assert [row.region.code for row in late.townships] == [SIMEN]


def _user(username):
    from accounts.models import User

    return User.objects.get(username=username)


def _region(code):
    return Region.objects.get(code=code)


def _open_cycle() -> ReviewCycle:
    cycle = ReviewCycle.objects.filter(status=ReviewCycle.Status.OPEN).first()
    return cycle or ReviewCycleFactory(year=YEAR)


def test_each_departments_progress_in_the_open_cycle_links_to_its_statistics(client_as):
    cycle = _open_cycle()
    reviews = AnnualReview.objects.filter(cycle=cycle, institution__township__code=SIMEN)
    assert reviews.exists()
    health = client_as("health")
    before = {p.area: p for p in selectors.lateness(actor=_user("health"), region=_region(SIMEN)).progress}
    review = reviews.first()
    AnnualReview.objects.filter(pk=review.pk).update(status=AnnualReview.Status.INSPECTING)
    areas_not_applicable(review)
    after = {p.area: p for p in selectors.lateness(actor=_user("health"), region=_region(SIMEN)).progress}
    fire = after[Area.FIRE]
    assert fire.due == reviews.count() and fire.recorded == min(before[Area.FIRE].recorded + 1, fire.due)
    assert fire.departments, "the fire area names its department"
    html = health.get(f"/dashboard/townships/{SIMEN}/").content.decode()
    assert '<tr data-area="fire">' in html
    assert f"{fire.recorded} / {fire.due}" in html
    link = re.search(r'<a href="([^"]+)" data-testid="statistics-link"', html).group(1)
    assert link == f"/inspections/cycles/{cycle.pk}/statistics/"
    assert health.get(link).status_code == 200
    assert client_as("leader").get(link).status_code == 200


def _report(code: str, year: int, status: str, submitted_at=None) -> PeriodicReport:
    organisation = Organisation.objects.get(code=f"township-{code}")
    return PeriodicReport.objects.create(
        region=_region(code), year=year, figures={}, source="测试", status=status, organisation=organisation,
        submitted_at=submitted_at,
    )  # fmt: skip


def test_a_township_without_its_report_after_the_due_date_is_late_and_one_in_time_is_not():
    year = YEAR - 1
    PeriodicReport.objects.filter(year=year, region__code__in=[SIMEN, LIZHOU]).delete()
    due = selectors.report_due(year, 31)
    assert due == date(year + 1, 1, 31)
    on_time = timezone.make_aware(timezone.datetime(year + 1, 1, 10, 9))
    _report(LIZHOU, year, PeriodicReport.Status.APPROVED, on_time)
    health, city = _user("health"), _region("330281")
    late = selectors.lateness(actor=health, region=city, today=due + timedelta(days=1))
    after = {r.region.code: r for r in late.townships}
    assert after[SIMEN].report == selectors.ReportState.LATE
    assert after[LIZHOU].report == selectors.ReportState.ON_TIME
    before = {r.region.code: r for r in selectors.lateness(actor=health, region=city, today=due).townships}
    assert before[SIMEN].report == selectors.ReportState.WAITING


def test_the_township_is_reminded_once_before_and_once_after_the_due_date():
    year = YEAR - 1
    PeriodicReport.objects.filter(year=year, region__code__in=[SIMEN, LIZHOU]).delete()
    _report(LIZHOU, year, PeriodicReport.Status.SUBMITTED, timezone.now())
    due = selectors.report_due(year, 31)
    simen_users = Notification.objects.filter(recipient__memberships__organisation__code=f"township-{SIMEN}")
    lizhou_users = Notification.objects.filter(recipient__memberships__organisation__code=f"township-{LIZHOU}")
    start_simen, start_lizhou = simen_users.count(), lizhou_users.count()

    assert report_reminders(today=due - timedelta(days=30))["due"] == 0  # too early
    assert report_reminders(today=due - timedelta(days=3))["due"] >= 1
    assert report_reminders(today=due - timedelta(days=1)) == {"due": 0, "late": 0}  # once per stage
    assert simen_users.count() > start_simen
    middle = simen_users.count()
    assert report_reminders(today=due + timedelta(days=1))["late"] >= 1
    assert report_reminders(today=due + timedelta(days=2)) == {"due": 0, "late": 0}
    assert simen_users.count() > middle
    assert lizhou_users.count() == start_lizhou  # its report is in


def test_each_dashboard_says_how_many_targets_are_met(client_as, cast):
    snapshot_services.snapshots_refresh()
    city = _region("330281")
    Target.objects.filter(year__gte=YEAR).delete()
    html = english(client_as("leader")).get("/dashboard/").content.decode()
    assert "No target is in force for this year or later." in html
    for code, factor in (("slots", Decimal("1")), ("institutions", Decimal("2"))):  # one met, one not
        value = Decimal(Snapshot.objects.get(region=city).values[code]["value"])
        target_services.target_set(
            actor=cast["health"], indicator=Indicator.objects.get(code=code), region=city, year=YEAR,
            value=(value * factor).quantize(Decimal("1")), source="测试",
        )  # fmt: skip
    board = selectors.dashboard(actor=cast["leader"], region=city)
    assert board.targets_set >= 2 and 1 <= board.targets_met < board.targets_set
    html = english(client_as("leader")).get("/dashboard/").content.decode()
    summary = re.search(r'data-testid="targets-summary">(.*?)</p>', html).group(1)
    assert re.sub(r"\D+", " ", summary).split() == [str(board.targets_met), str(board.targets_set)]
    township = client_as("simen").get(f"/dashboard/townships/{SIMEN}/").content.decode()
    assert 'data-testid="targets-summary"' in township


def test_who_is_late_keeps_the_page_query_count_with_more_late_items(client_as):
    client = client_as("health")
    client.get("/dashboard/")
    small = queries_of(client, "/dashboard/"), queries_of(client, f"/dashboard/townships/{SIMEN}/")
    _make_simen_late()
    for code in (SIMEN, LIZHOU) * 5:
        _overdue_case(code)
    large = queries_of(client, "/dashboard/"), queries_of(client, f"/dashboard/townships/{SIMEN}/")
    assert large == small


@pytest.mark.parametrize("username", ["leader", "health", "simen", "edu"])
def test_every_link_of_who_is_late_opens_for_its_viewer(username, client_as):
    """A figure links to its list only where the viewer may open it (the leading group has no
    case.manage: its case figures are plain numbers)."""
    client = client_as(username)
    html = client.get("/dashboard/", follow=True).content.decode()
    section = re.search(r'data-testid="who-is-late".*?</section>', html, re.S).group(0)
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', section)]
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link
    if username == "leader":
        assert 'data-testid="late-cases">' in section and "/inspections/cases/" not in section
