"""The roster's institution filter in a browser: the health bureau types part of a name, the
picker asks the portal for matches (nothing is listed in the page beforehand), one is chosen and
the roster narrows to it; the Content-Security-Policy lets the picker's scripts run (the
``new_page`` fixture fails the test on any refusal)."""

import pytest

pytestmark = pytest.mark.e2e

B = "demo-lizhou-yangguang"  # nursery2, 梨洲街道


def test_the_health_bureau_picks_an_institution_by_typing(portal, page, log_in):
    from registry.models import Institution

    nursery2 = Institution.objects.get(organisation__code=B)
    log_in(page, "health")
    page.goto(f"{portal.url}/training/staff/")
    assert page.locator("select#id_institution option").count() == 1  # only "all institutions"
    page.locator("#id_institution-ts-control").fill("梨洲")
    option = page.locator(".ts-dropdown .option", has_text=nursery2.name)
    option.click()
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    assert f"institution={nursery2.pk}" in page.url
    rows = page.locator("[data-testid=staff-list] tbody tr")
    assert rows.count() > 0
    assert all(nursery2.name in text for text in rows.all_inner_texts())
