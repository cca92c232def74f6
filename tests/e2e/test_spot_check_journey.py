"""Risk and random inspections in a real browser.

The health bureau (health) opens the institutions by risk band from the menu, narrows them to
the high band, opens the one at the top and reads its score with the reasons that make it up;
it raises an institution's band by hand, and an attempt without a reason is refused and changes
nothing. The fire brigade (fire) finds its spot-check tasks in the menu, follows a task's link
to the fire checklist of that institution, records every item as met, comes back and concludes
the task; the plan's page then shows the result, the seed and that the draw reproduces. The
institution's own head never sees a risk score. Screenshots in test-artifacts/e2e/.
"""

import pytest

pytestmark = pytest.mark.e2e


def _click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_risk_bands_and_a_spot_check_task_concluded(portal, new_page, log_in, menu_link, artifacts):
    from playwright.sync_api import expect

    from supervision.models import RiskScore, SpotCheckPlan, SpotCheckTask

    url = portal.url
    health = log_in(new_page(), "health")
    _click(health, menu_link(health, "/supervision/risk/"))
    health.select_option("#filter-band", "high")
    _click(health, health.locator("main form[role=search] button[type=submit]"))
    rows = health.get_by_test_id("risk-list").locator("tbody tr")
    expect(rows).not_to_have_count(0)
    health.screenshot(path=str(artifacts / "risk-list-high.png"), full_page=True)
    _click(health, rows.first.locator("a"))
    panel = health.get_by_test_id("risk-panel")
    expect(panel.locator("[data-band=high]")).to_have_count(1)
    expect(panel.locator("#risk-reasons tbody tr")).not_to_have_count(0)
    panel.scroll_into_view_if_needed()
    health.screenshot(path=str(artifacts / "risk-panel.png"), full_page=True)

    # Setting the band without a reason: refused; with one: set and shown.
    low = RiskScore.objects.filter(computed_band="low", override_band="").select_related("institution").first()
    health.goto(f"{url}/registry/institutions/{low.institution_id}/")
    form = health.get_by_test_id("risk-override")
    form.locator("select[name=band]").select_option("high")
    form.locator("textarea[name=reason]").evaluate("e => e.removeAttribute('required')")
    _click(health, form.locator("button[type=submit]"))
    low.refresh_from_db()
    assert low.override_band == ""
    form = health.get_by_test_id("risk-override")
    form.locator("select[name=band]").select_option("high")
    form.locator("textarea[name=reason]").fill("旅程测试：家长多次反映午睡无人看护")
    _click(health, form.locator("button[type=submit]"))
    expect(health.get_by_test_id("risk-panel").locator("[data-band=high]")).to_have_count(1)
    low.refresh_from_db()
    assert (low.override_band, low.override_reason) == ("high", "旅程测试：家长多次反映午睡无人看护")

    # A joint plan of the health bureau and the fire brigade in 泗门镇, drawn at once.
    from accounts.models import Organisation, Region

    health.goto(f"{url}/supervision/spot-checks/new/")
    health.fill("input[name=title]", "旅程测试：泗门镇消防与卫生保健联合抽查")
    for code in ("health", "fire"):
        health.check(f"input[name=departments][value='{Organisation.objects.get(code=code).pk}']")
    health.select_option("select[name=townships]", str(Region.objects.get(code="330281103").pk))
    health.screenshot(path=str(artifacts / "spot-check-plan-form.png"), full_page=True)
    _click(health, health.locator("main form button[type=submit]"))
    _click(health, health.get_by_test_id("plan-draw").locator("button[type=submit]"))
    drawn = SpotCheckPlan.objects.get(title="旅程测试：泗门镇消防与卫生保健联合抽查")
    assert drawn.status == "drawn" and drawn.tasks.exists()
    assert set(drawn.tasks.values_list("institution__township__code", flat=True)) == {"330281103"}
    assert set(drawn.tasks.values_list("area", flat=True)) == {"fire", "health_care"}

    # The institution itself never sees its score.
    nursery = log_in(new_page(), "nursery1")
    own = RiskScore.objects.get(institution__organisation__code="demo-simen-xingxing")
    nursery.goto(f"{url}/registry/institutions/{own.institution_id}/")
    expect(nursery.get_by_test_id("risk-panel")).to_have_count(0)

    # The fire brigade's task: record the finding on the checklist, then conclude.
    fire = log_in(new_page(), "fire")
    _click(fire, menu_link(fire, "/supervision/spot-checks/tasks/"))
    fire.screenshot(path=str(artifacts / "spot-check-tasks.png"), full_page=True)
    task = SpotCheckTask.objects.filter(department__code="fire", status="open").order_by("pk").first()
    row = fire.get_by_test_id("task-list").locator("tbody tr").filter(has_text=task.institution.name)
    _click(fire, row.locator(f"a[href*='institution={task.institution_id}&area=fire']"))
    codes = fire.get_by_test_id("finding-items").locator("tbody th").all_inner_texts()
    assert codes
    for code in codes:
        fire.check(f"input[name='result_{code}'][value='pass']")
    _click(fire, fire.locator("main form button[type=submit]"))
    fire.goto(f"{url}/supervision/spot-checks/tasks/")
    row = fire.get_by_test_id("task-list").locator("tbody tr").filter(has_text=task.institution.name)
    _click(fire, row.locator("form button[type=submit]"))
    task.refresh_from_db()
    assert (task.status, task.passed) == ("concluded", True)
    plan = SpotCheckPlan.objects.get(pk=task.plan_id)
    fire.goto(f"{url}/supervision/spot-checks/{plan.pk}/")
    expect(fire.get_by_test_id("plan-seed")).to_have_text(plan.seed)
    expect(fire.get_by_test_id("plan-reproduces")).to_contain_text("✓")
    fire.screenshot(path=str(artifacts / "spot-check-plan.png"), full_page=True)
