"""The dashboard pages: the city's, each township's and the printable report.

Who opens what (policy rule 27): the leading group, the health bureau and the departments with
``dashboard.view`` see the city and every township; a township official sees their own township
only (the city sends them there, another township is 404); institutions and departments without
the duty get 403. The pages read the snapshots, so the city's costs the same few queries with
30 institutions and with 3,000.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Organisation, Region
from dashboard import rules, selectors
from dashboard.models import Indicator, Snapshot
from dashboard.services import snapshots as snapshot_services
from dashboard.services import targets as target_services
from registry.models import ClassGroup, Institution
from tests.helpers import english, queries_of

pytestmark = pytest.mark.django_db

CITY = "330281"
SIMEN = "330281103"  # 泗门镇
LIZHOU = "330281001"  # 梨洲街道
YEAR = timezone.localdate().year


def _card(html: str, code: str) -> str:
    """The HTML of one indicator's card."""
    match = re.search(rf'<article[^>]*data-indicator="{code}".*?</article>', html, re.S)
    assert match, f"no card for {code}"
    return match.group(0)


def _townships() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"))


# --- The city dashboard -----------------------------------------------------------------------


def test_the_leader_reads_the_city_dashboard_with_every_indicator_and_the_ranking(client_as):
    response = client_as("leader").get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    assert board.region.code == CITY
    city_indicators = [i.code for i in Indicator.objects.all() if Region.Level.CITY in i.levels]
    assert [row.indicator.code for row in board.rows] == city_indicators
    assert html.count('data-testid="indicator"') == len(city_indicators)
    # The snapshot time is shown.
    stamp = timezone.localtime(Snapshot.objects.get(region__code=CITY).computed_at).strftime("%Y-%m-%d %H:%M")
    assert stamp in html and 'data-testid="computed-at"' in html
    # Every township is ranked and links to its dashboard; the chart has its data and its table.
    for township in _townships():
        assert f'href="/dashboard/townships/{township.code}/"' in html
    assert 'id="ranking-chart"' in html and 'id="dashboard-chart-data"' in html
    assert html.count('class="board-chart-table') >= 2
    assert len(response.context["chart_data"]["ranking"]["townships"]) == len(_townships())
    # The charts are drawn by a script file from local static files: no inline script.
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/dashboard/dashboard.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    # Read-only: no refresh button.
    assert 'data-testid="refresh"' not in html and "/dashboard/refresh/" not in html


def test_the_leader_opens_every_township_but_cannot_refresh(client_as):
    client = client_as("leader")
    for township in _townships():
        response = client.get(f"/dashboard/townships/{township.code}/")
        assert response.status_code == 200, township.code
        assert 'data-testid="refresh"' not in response.content.decode()
    before = Snapshot.objects.get(region__code=CITY).computed_at
    assert client.post("/dashboard/refresh/").status_code == 403
    assert Snapshot.objects.get(region__code=CITY).computed_at == before


def test_the_health_bureau_refreshes_the_snapshots_now(client_as):
    Snapshot.objects.update(computed_at=timezone.now() - timedelta(days=1))
    client = client_as("health")
    assert 'data-testid="refresh"' in client.get("/dashboard/").content.decode()
    response = client.post("/dashboard/refresh/", {"next": f"/dashboard/townships/{SIMEN}/"})
    assert response.status_code == 302 and response["Location"] == f"/dashboard/townships/{SIMEN}/"
    assert Snapshot.objects.get(region__code=CITY).computed_at > timezone.now() - timedelta(minutes=1)
    # A "next" to another site is ignored.
    response = client.post("/dashboard/refresh/", {"next": "https://example.com/"})
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/refresh/").status_code == 405


def test_a_department_with_dashboard_view_reads_the_city(client_as):
    for username in ("hrss", "edu"):
        assert client_as(username).get("/dashboard/").status_code == 200


# --- Township officials -----------------------------------------------------------------------


def test_a_township_official_is_sent_from_the_city_to_their_own_township(client_as):
    response = client_as("simen").get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == f"/dashboard/townships/{SIMEN}/"
    response = client_as("lizhou").get("/dashboard/")
    assert response["Location"] == f"/dashboard/townships/{LIZHOU}/"


def test_a_township_official_cannot_open_another_township_or_the_city(client_as):
    client = client_as("simen")
    assert client.get(f"/dashboard/townships/{LIZHOU}/").status_code == 404
    assert client.get(f"/dashboard/{CITY}/print/").status_code == 404
    assert client.get(f"/dashboard/{LIZHOU}/print/").status_code == 404
    assert client.post("/dashboard/refresh/").status_code == 403


def test_the_township_dashboard_shows_its_villages_and_residential_areas(client_as):
    response = client_as("simen").get(f"/dashboard/townships/{SIMEN}/")
    assert response.status_code == 200
    html = response.content.decode()
    places = response.context["places"]
    villages = Region.objects.filter(parent__code=SIMEN)
    assert len(places["villages"]) == villages.count() > 0
    for village in villages:
        assert f'data-village="{village.code}"' in html
    assert places["areas"], "the demo data has residential areas in 泗门镇"
    for area in places["areas"]:
        assert area.township.code == SIMEN
        assert f'data-area="{area.pk}"' in html
        if area.required_slots is not None:
            assert area.gap == area.required_slots - area.planned_slots
    # No ranking on a township page, no way up to the city for a township official.
    assert 'data-testid="ranking"' not in html and 'href="/dashboard/"' not in html.split("<main")[1]
    assert response.context["board"].region.code == SIMEN


def test_the_click_through_links_carry_the_township_on_a_township_page(client_as):
    html = client_as("simen").get(f"/dashboard/townships/{SIMEN}/").content.decode()
    links = re.findall(r'<a href="([^"]+)" data-testid="indicator-link"', html)
    assert links
    for link in links:
        assert f"township={SIMEN}" in link, link
    city = client_as("leader").get("/dashboard/").content.decode()
    city_links = re.findall(r'<a href="([^"]+)" data-testid="indicator-link"', city)
    assert city_links and not any("township=" in link for link in city_links)


def test_a_city_viewer_on_the_city_code_of_the_township_page_goes_to_the_city(client_as):
    response = client_as("leader").get(f"/dashboard/townships/{CITY}/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client_as("leader").get("/dashboard/townships/330281103001/").status_code == 404  # a village
    assert client_as("leader").get("/dashboard/townships/999999999/").status_code == 404


# --- No dashboard ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["nursery1", "fire", "mca", "stranger", "sysadmin"])
def test_those_without_dashboard_view_get_403_everywhere(username, client_as):
    client = client_as(username)
    assert client.get("/dashboard/").status_code == 403
    assert client.get(f"/dashboard/townships/{SIMEN}/").status_code == 403
    assert client.get(f"/dashboard/{SIMEN}/print/").status_code == 403
    assert client.post("/dashboard/refresh/").status_code == 403


def test_the_anonymous_visitor_is_sent_to_log_in(client_as):
    response = client_as(None).get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Status against target ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "status", "words"),
    [(Decimal("1"), "met", "Met"), (Decimal("1.05"), "on_track", "On track"), (Decimal("2"), "behind", "Behind")],
)
def test_the_status_badge_follows_a_target_set_for_this_year(factor, status, words, cast, client_as):
    snapshot = Snapshot.objects.get(region__code=CITY)
    value = Decimal(snapshot.values["slots"]["value"])
    assert value > 0
    indicator = Indicator.objects.get(code="slots")
    target = target_services.target_set(
        actor=cast["health"], indicator=indicator, region=Region.objects.get(code=CITY), year=YEAR,
        value=(value * factor).quantize(Decimal("1")), source="测试目标来源",
    )  # fmt: skip
    html = english(client_as("leader")).get("/dashboard/").content.decode()
    card = _card(html, "slots")
    assert f'data-status="{status}"' in card
    badge = re.search(r'data-testid="status">([^<]+)<', card).group(1)
    assert words in badge  # words, not colour alone
    assert f"Target {YEAR}: {target.value}" in card and 'title="测试目标来源"' in card


def test_an_indicator_without_a_value_says_no_data(client_as):
    snapshot = Snapshot.objects.get(region__code=CITY)
    values = dict(snapshot.values)
    values["slots"] = {"value": None, "numerator": None, "denominator": None}
    Snapshot.objects.filter(pk=snapshot.pk).update(values=values)
    card = _card(english(client_as("leader")).get("/dashboard/").content.decode(), "slots")
    assert 'data-status=""' in card and "No data" in card and 'data-testid="indicator-link"' not in card


def test_the_trend_chart_has_its_numbers_in_a_table(client_as):
    response = client_as("leader").get("/dashboard/")
    row = next(row for row in response.context["board"].rows if row.indicator.code == "slots")
    assert row.trend, "the demo data has a history"
    spec = next(t for t in response.context["chart_data"]["trends"] if t["id"] == "trend-slots")
    assert spec["years"] == [year for year, _v in row.trend]
    assert spec["values"] == [float(v) if v is not None else None for _y, v in row.trend]
    card = _card(response.content.decode(), "slots")
    assert 'id="trend-slots"' in card and "<details" in card and 'data-testid="trend-table"' in card
    for year, _value in row.trend:
        assert f">{year}</th>" in card


# --- The printable report ----------------------------------------------------------------------


def test_the_printable_report_has_tables_and_charts_but_no_navigation(client_as):
    response = client_as("leader").get(f"/dashboard/{CITY}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-action="print"' in html and 'data-testid="indicator-table"' in html
    assert 'id="ranking-chart"' in html and 'data-testid="trend-chart"' in html
    assert "<nav" not in html and "<header" not in html
    township = client_as("simen").get(f"/dashboard/{SIMEN}/print/")
    assert township.status_code == 200 and 'data-testid="villages"' in township.content.decode()


# --- Speed -------------------------------------------------------------------------------------


def _add_institutions(count: int) -> None:
    """``count`` operating institutions in one 泗门镇 village, made cheaply (bulk): each with its
    organisation (kind institution, with its group) and one class of 20 places."""
    village = Region.objects.filter(parent__code=SIMEN).order_by("code").first()
    stamp = timezone.now().strftime("%H%M%S%f")
    groups = Group.objects.bulk_create([Group(name=f"org:bulk-{stamp}-{n}") for n in range(count)])
    kind = Organisation.Kind.INSTITUTION
    organisations = Organisation.objects.bulk_create(
        Organisation(code=f"bulk-{stamp}-{n}", name=f"批量机构{n}", kind=kind, jurisdiction=village, group=group)
        for n, group in enumerate(groups)
    )
    fields = {"legal_form": "company", "provider_type": "standalone", "village": village, "township": village.parent,
              "address": "批量路", "status": "operating", "opened_on": timezone.localdate()}  # fmt: skip
    institutions = Institution.objects.bulk_create(
        Institution(organisation=organisation, name=organisation.name, **fields) for organisation in organisations
    )
    ClassGroup.objects.bulk_create(
        ClassGroup(institution=institution, name="托大班", age_band="older", places=20, enrolled=10)
        for institution in institutions
    )


# Session and user, memberships and duties, the dashboard's region, the snapshot, the on-track
# margin, targets, indicators, the ranking's snapshots, the inbox badge, the idle-expiry push
# (at most once a minute); "who is late": the townships, overdue filings, orders and cases by
# township, the report due-days parameter, the reports in, the open cycle, its review counts,
# the areas with a checklist, findings and exemptions by area, the departments by duty.
MAX_QUERIES = 24


def test_the_city_dashboard_keeps_a_fixed_query_count_with_few_and_2970_more_institutions(client_as):
    client = client_as("leader")
    client.get("/dashboard/")  # the first request of a session does more
    few = Institution.objects.count()
    snapshot_services.snapshots_refresh()
    small = queries_of(client, "/dashboard/"), queries_of(client, f"/dashboard/townships/{SIMEN}/")
    counted = Decimal(Snapshot.objects.get(region__code=CITY).values["institutions"]["value"])

    _add_institutions(2970)
    assert Institution.objects.count() == few + 2970
    snapshot_services.snapshots_refresh()
    # The snapshot counts them ...
    assert Decimal(Snapshot.objects.get(region__code=CITY).values["institutions"]["value"]) == counted + 2970
    # ... and the pages cost the same few queries.
    large = queries_of(client, "/dashboard/"), queries_of(client, f"/dashboard/townships/{SIMEN}/")
    assert large == small
    assert small[0] <= MAX_QUERIES, small


def test_the_selector_helpers_agree_with_the_pages(cast):
    assert rules.may_refresh(cast["health"]) and not rules.may_refresh(cast["leader"])
    assert selectors.home_region(cast["simen"]).code == SIMEN
    assert selectors.home_region(cast["nursery1"]) is None
