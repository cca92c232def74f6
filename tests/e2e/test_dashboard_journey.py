"""The leading group reads the target dashboards in a real browser.

``leader`` logs in, opens the city dashboard from the navigation and sees it drawn: every trend
chart and the township bar chart are SVG with content (ECharts, served locally, SVG renderer),
the township names are in the bar chart, and a chart's numbers are one click away. The leader
cannot refresh. Clicking 泗门镇 in the ranking opens its dashboard, with its villages and
residential areas and its own charts; the printable report renders the charts too, in print
media. Screenshots: test-artifacts/e2e/dashboard-*.png.

Selectors rest on URLs, element ids and data-testid; assertions on data (region names, counts).
"""

import pytest

pytestmark = pytest.mark.e2e

CITY = "330281"
SIMEN = "330281103"
SIMEN_NAME = "泗门镇"

# For each chart container: how many elements its SVG holds (0 or -1: not drawn).
CHART_SIZES = """
selector => Array.from(document.querySelectorAll(selector)).map(
  el => { const svg = el.querySelector("svg"); return svg ? svg.querySelectorAll("*").length : -1; })
"""


def _charts_drawn(page, selector: str) -> list[int]:
    sizes = page.evaluate(CHART_SIZES, selector)
    assert sizes, f"no chart containers {selector}"
    assert all(size > 3 for size in sizes), f"empty charts in {selector}: {sizes}"
    return sizes


def test_the_leader_reads_the_city_dashboard_and_opens_a_township(portal, page, log_in, menu_link, artifacts):
    from playwright.sync_api import expect

    from accounts.models import Region
    from dashboard.models import Snapshot

    url = portal.url
    assert Snapshot.objects.filter(region__code=CITY).exists()
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).count()

    # 1. The city dashboard, from the navigation.
    leader = log_in(page, "leader")
    with leader.expect_navigation():
        menu_link(leader, "/dashboard/").click()
    expect(leader).to_have_url(f"{url}/dashboard/")
    expect(leader.get_by_test_id("dashboard-title")).to_contain_text("余姚市")
    expect(leader.get_by_test_id("computed-at")).to_contain_text(
        str(Snapshot.objects.get(region__code=CITY).computed_at.year)
    )
    expect(leader.get_by_test_id("refresh")).to_have_count(0)  # read-only

    # The charts are drawn: SVG with content in every container, the townships in the bars.
    expect(leader.locator("#ranking-chart svg")).to_have_count(1)
    _charts_drawn(leader, "#ranking-chart")
    trends = _charts_drawn(leader, "[data-testid=trend-chart]")
    assert len(trends) == leader.get_by_test_id("trend-chart").count() > 5
    expect(leader.locator("#ranking-chart svg text", has_text=SIMEN_NAME)).to_have_count(1)
    expect(leader.get_by_test_id("ranking").locator("tbody tr")).to_have_count(townships)

    # A chart's numbers are one click away.
    card = leader.locator("[data-testid=indicator][data-indicator=slots]")
    table = card.get_by_test_id("trend-table")
    expect(table).to_be_hidden()
    card.locator("details summary").click()
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 2
    leader.screenshot(path=str(artifacts / "dashboard-city.png"), full_page=True)

    # 2. A township from the ranking.
    link = leader.get_by_test_id("ranking").get_by_role("link", name=SIMEN_NAME, exact=True)
    with leader.expect_navigation():
        link.click()
    expect(leader).to_have_url(f"{url}/dashboard/townships/{SIMEN}/")
    expect(leader.get_by_test_id("dashboard-title")).to_contain_text(SIMEN_NAME)
    villages = Region.objects.filter(parent__code=SIMEN).count()
    expect(leader.get_by_test_id("villages").locator("tbody tr")).to_have_count(villages)
    expect(leader.get_by_test_id("areas").locator("tbody tr").first).to_be_visible()
    _charts_drawn(leader, "[data-testid=trend-chart]")
    for href in leader.get_by_test_id("indicator-link").evaluate_all("links => links.map(a => a.href)"):
        assert f"township={SIMEN}" in href, href
    leader.screenshot(path=str(artifacts / "dashboard-township.png"), full_page=True)

    # 3. The printable report of the township, in print media: charts and tables, no navigation.
    with leader.expect_navigation():
        leader.get_by_test_id("print-link").click()
    leader.emulate_media(media="print")
    _charts_drawn(leader, "[data-testid=trend-chart]")
    expect(leader.locator("header nav")).to_have_count(0)
    expect(leader.get_by_test_id("print")).to_be_hidden()
    expect(leader.get_by_test_id("indicator-table")).to_be_visible()
    leader.screenshot(path=str(artifacts / "dashboard-print.png"), full_page=True)
