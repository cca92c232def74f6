"""The annual-review journey in a real browser, from the self-report to the decision.

nursery1 (head of 【演示】泗门镇小星星托育园) opens its annual review from its work queue,
fills in part of the self-report, saves it as a draft and submits it; the review is then under
inspection. The fire brigade records its checks of the review with one item failed (blocked
evacuation routes); market supervision records its food-safety checks, all met, and sees only
its own finding. The health bureau opens the review, sees both departments' findings and
decides: failed, with a reason, the failed fire item to rectify and a deadline, which issues a
rectification order (余卫托整〔2026〕000N号). nursery1 then finds the failed result, the
reason and the order on its review, opens the order and is asked to answer it.

The preconditions are set with the ORM (the demo registry has the institution registered but
not filed, so the demo cycle holds no review of it): the institution is operating and filed,
and this year's open cycle holds an undecided review of it with a draft self-report, pre-filled
the way opening a cycle pre-fills one. Every step a person takes goes through the pages; the
final state is checked in the database.

Each person has a browser context of their own. Selectors rest on URLs, field names and
data-testid, and the assertions on data (names, reasons, order numbers); labels are compared
with Django's own Chinese rendering of them, as in the filing journey.
"""

import re
from datetime import timedelta

import pytest

pytestmark = pytest.mark.e2e

NAME = "【演示】泗门镇小星星托育园"
FIRE_NOTE = "二楼疏散通道堆放婴儿推车，应急照明一处损坏"
FIRE_NOTES = "现场检查：消防设施基本完好，疏散通道不畅。"
FOOD_NOTES = "留样及进货查验记录齐全。"
REASON = "消防安全检查不合格：疏散通道不畅，须限期整改。"
ORDER_NUMBER = re.compile(r"余卫托整〔\d{4}〕\d{4}号")


def _zh(label) -> str:
    """A label (a lazy one, or a message id) as the portal renders it for a zh-CN browser."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(str(label))


def _review_awaiting_self_report():
    """Precondition (ORM): the institution operates and is filed, and this year's open cycle
    holds its undecided review with a draft self-report; returns the review."""
    from django.utils import timezone

    from accounts.models import User
    from inspections.models import AnnualReview, ReviewCycle, SelfReport
    from inspections.services.cycles import prefill
    from registry.models import Institution

    today = timezone.localdate()
    Institution.objects.filter(name=NAME).update(
        status=Institution.Status.OPERATING,
        filing_status=Institution.FilingStatus.FILED,
        filing_number=f"余卫托备〔{today.year}〕0999号",
    )
    institution = Institution.objects.get(name=NAME)
    dates = {
        "self_report_due": today + timedelta(days=14),  # on time: the report is not late
        "inspection_due": today + timedelta(days=45),
        "decision_due": today + timedelta(days=75),
    }
    cycle, _created = ReviewCycle.objects.get_or_create(
        year=today.year, defaults={**dates, "opened_by": User.objects.get(username="health")}
    )
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.OPEN, **dates)
    review, _created = AnnualReview.objects.get_or_create(cycle=cycle, institution=institution)
    AnnualReview.objects.filter(pk=review.pk).update(
        status=AnnualReview.Status.AWAITING_REPORT, result="", final_result="", decision_reason=""
    )
    SelfReport.objects.update_or_create(
        review=review,
        defaults={"status": SelfReport.Status.DRAFT, "data": prefill(institution, {}), "submitted_at": None},
    )
    assert not review.findings.exists() and not review.orders.exists()
    return AnnualReview.objects.select_related("cycle", "institution").get(pk=review.pk)


def _click(page, locator) -> None:
    """Click a link or a submit button and wait for the page that follows."""
    with page.expect_navigation():
        locator.click()


def _save_draft(page) -> None:
    """Save the self-report as a draft (the form's other button submits it)."""
    _click(page, page.get_by_test_id("self-report-form").locator("button[type=submit]:not([formaction])"))


def _open_review_from_queue(page, queue_title: str, name: str) -> None:
    """From the home page's work queue, open the review list it points to, narrow it to the
    institution and open its review."""
    from playwright.sync_api import expect

    item = page.get_by_test_id("work-queue").get_by_role("link", name=queue_title)
    expect(item).to_have_count(1)
    _click(page, item)
    page.fill("#id_q", "小星星")
    _click(page, page.locator("form[role=search] button[type=submit]"))
    _click(page, page.get_by_test_id("review-list").get_by_role("link", name=name, exact=True))
    expect(page.locator("main h1")).to_contain_text(name)


def _record_finding(page, record_url: str, *, failures: dict[str, str], notes: str, artifact=None) -> None:
    """On the review page, follow the link to record the department's finding, mark every
    checklist item as met except ``failures`` (code → note), and record it."""
    _click(page, page.get_by_test_id("record-links").locator(f"a[href='{record_url}']"))
    codes = page.get_by_test_id("finding-items").locator("tbody th").all_inner_texts()
    assert codes and set(failures) <= set(codes), codes
    for code in codes:
        page.check(f"input[name='result_{code}'][value='{'fail' if code in failures else 'pass'}']")
        if code in failures:
            page.fill(f"input[name='note_{code}']", failures[code])
    page.fill("textarea[name=notes]", notes)
    if artifact:
        page.screenshot(path=str(artifact), full_page=True)
    _click(page, page.locator("main form button[type=submit]"))


def test_annual_review_from_self_report_to_decision(portal, new_page, log_in, menu_link, artifacts):
    from django.urls import reverse
    from django.utils import timezone
    from playwright.sync_api import expect

    from inspections.forms.reviews import REPORT_STATUS_LABELS, REVIEW_STATUS_LABELS
    from inspections.models import AnnualReview, Area, RectificationOrder, SelfReport

    url = portal.url
    review = _review_awaiting_self_report()
    detail = reverse("review_detail", args=[review.pk])
    record = reverse("finding_record")
    today = timezone.localdate()
    drill_day = (today - timedelta(days=20)).isoformat()
    deadline = (today + timedelta(days=30)).isoformat()

    # 1. The institution opens its review from its work queue, saves a draft and submits it.
    nursery = log_in(new_page(), "nursery1")
    queue_item = nursery.get_by_test_id("work-queue").locator(f"a[href='{detail}']")
    expect(queue_item).to_have_text(_zh("Submit your annual self-report"))
    _click(nursery, queue_item)
    expect(nursery).to_have_url(f"{url}{detail}")
    expect(nursery.locator("main h1")).to_contain_text(NAME)
    expect(nursery.get_by_test_id("review-status")).to_contain_text(
        _zh(REVIEW_STATUS_LABELS[AnnualReview.Status.AWAITING_REPORT])
    )
    report_form = nursery.get_by_test_id("self-report-form")
    expect(report_form).to_be_visible()
    nursery.fill("#id_staff-total", "12")
    nursery.fill("#id_staff-caregivers", "6")
    nursery.fill("#id_staff-caregivers_certified", "6")
    nursery.fill("#id_staff-health_certificates", "12")  # pre-filled from the roster: corrected with the rest
    nursery.fill("#id_safety_drills-held", "2")
    _save_draft(nursery)
    expect(nursery.locator("main [role=status]")).to_contain_text(
        _zh("Self-report saved as a draft. Submit it when it is complete.")
    )
    expect(nursery.locator("#id_staff-total")).to_have_value("12")
    expect(nursery.locator("#id_safety_drills-held")).to_have_value("2")

    # The drill date is typed just before submitting: a saved date comes back blank (see
    # test_a_saved_drill_date_survives_the_next_save below).
    nursery.fill("#id_safety_drills-last", drill_day)
    nursery.check("#id_food_safety-meals_served")
    nursery.fill("#id_food_safety-licence_number", "JY13302810000001")
    nursery.check("#id_food_safety-samples_kept")
    nursery.screenshot(path=str(artifacts / "review-1-self-report-form.png"), full_page=True)
    submit = reverse("self_report_submit", args=[review.pk])
    _click(nursery, report_form.locator(f"button[formaction='{submit}']"))
    expect(nursery.locator("main [role=status]")).to_contain_text(
        _zh("Self-report submitted. The departments will now inspect.")
    )
    expect(nursery.get_by_test_id("self-report-form")).to_have_count(0)  # nothing more to write
    expect(nursery.get_by_test_id("self-report")).to_contain_text(
        _zh(REPORT_STATUS_LABELS[SelfReport.Status.SUBMITTED])
    )
    expect(nursery.get_by_test_id("self-report-sections")).to_contain_text("JY13302810000001")
    expect(nursery.get_by_test_id("review-status")).to_contain_text(
        _zh(REVIEW_STATUS_LABELS[AnnualReview.Status.INSPECTING])
    )

    # 2. The fire brigade records its checks: evacuation routes (F3) do not meet the standard.
    fire = log_in(new_page(), "fire")
    _open_review_from_queue(fire, _zh("Annual reviews waiting for your inspection"), NAME)
    expect(fire).to_have_url(f"{url}{detail}")
    _record_finding(
        fire,
        f"{record}?review={review.pk}&area={Area.FIRE}",
        failures={"F3": FIRE_NOTE},
        notes=FIRE_NOTES,
        artifact=artifacts / "review-2-fire-finding-form.png",
    )
    expect(fire.get_by_test_id("finding-result")).to_have_text(_zh("Failed"))
    expect(fire.get_by_test_id("finding-items")).to_contain_text(FIRE_NOTE)

    # Market supervision records its food-safety checks, all met; it sees only its own finding.
    amr = log_in(new_page(), "amr")
    _open_review_from_queue(amr, _zh("Annual reviews waiting for your inspection"), NAME)
    _record_finding(amr, f"{record}?review={review.pk}&area={Area.FOOD_SAFETY}", failures={}, notes=FOOD_NOTES)
    expect(amr.get_by_test_id("finding-result")).to_have_text(_zh("Passed"))
    _click(amr, amr.locator(f"main a[href='{detail}']"))
    expect(amr.get_by_test_id(f"finding-{Area.FOOD_SAFETY}")).to_contain_text(FOOD_NOTES)
    expect(amr.get_by_test_id(f"finding-{Area.FIRE}")).to_have_count(0)

    # 3. The health bureau sees both findings and decides: failed, the fire item to rectify.
    health = log_in(new_page(), "health")
    _open_review_from_queue(health, _zh("Annual reviews waiting for a decision"), NAME)
    expect(health).to_have_url(f"{url}{detail}")
    fire_finding = health.get_by_test_id(f"finding-{Area.FIRE}")
    expect(fire_finding).to_contain_text(_zh("failed"))
    expect(fire_finding.locator("tr.table-danger")).to_contain_text(FIRE_NOTE)
    expect(health.get_by_test_id(f"finding-{Area.FOOD_SAFETY}")).to_contain_text(_zh("passed"))
    # A decision rests on every area: the ones no department checked this time are recorded
    # as not applicable, with the reason, before the review can be decided.
    expect(health.get_by_test_id("missing-areas")).to_contain_text(str(Area.SECURITY.label))
    for area in (Area.FEES, Area.SECURITY, Area.SAFETY, Area.HEALTH_CARE):
        exempt = health.get_by_test_id(f"exempt-{area}")
        exempt.locator("input[name=reason]").fill("演示：本年度不适用")
        _click(health, exempt.locator("button[type=submit]"))
    expect(health.get_by_test_id("missing-areas")).to_have_count(0)
    decide = health.get_by_test_id("decide-form")
    decide.locator(f"input[name=result][value={AnnualReview.Result.FAIL}]").check()
    decide.locator("textarea[name=reason]").fill(REASON)
    failed_item = decide.locator(f"input[name=checklist_items][value='{Area.FIRE}:F3']")
    expect(failed_item).to_have_count(1)  # the only failed checklist item of the findings
    expect(decide.locator("input[name=checklist_items]")).to_have_count(1)
    failed_item.check()
    decide.locator("input[name=deadline]").fill(deadline)
    health.screenshot(path=str(artifacts / "review-3-decision-form.png"), full_page=True)
    _click(health, decide.locator("button[type=submit]"))
    expect(health.locator("main [role=status]")).to_contain_text(
        _zh("Review decided: failed. A rectification order was issued.")
    )
    decision = health.get_by_test_id("decision")
    expect(decision.get_by_test_id("result")).to_have_text(_zh("Failed"))
    expect(decision).to_contain_text(REASON)
    expect(health.get_by_test_id("orders")).to_contain_text(ORDER_NUMBER)
    expect(health.get_by_test_id("review-status")).to_contain_text(
        _zh(REVIEW_STATUS_LABELS[AnnualReview.Status.RECTIFYING])
    )
    expect(health.get_by_test_id("decide-form")).to_have_count(0)
    number = ORDER_NUMBER.search(health.get_by_test_id("orders").inner_text()).group(0)

    # 4. The institution finds the result on its review and opens the order to answer it.
    nursery.goto(f"{url}/")
    order = RectificationOrder.objects.get(review=review)
    order_detail = reverse("order_detail", args=[order.pk])
    expect(nursery.get_by_test_id("work-queue").locator(f"a[href='{order_detail}']")).to_contain_text(number)
    _click(nursery, menu_link(nursery, reverse("review_list")))
    _click(nursery, nursery.get_by_test_id("review-list").get_by_role("link", name=NAME, exact=True))
    expect(nursery).to_have_url(f"{url}{detail}")
    decision = nursery.get_by_test_id("decision")
    expect(decision.get_by_test_id("result")).to_have_text(_zh("Failed"))
    expect(decision).to_contain_text(REASON)
    nursery.screenshot(path=str(artifacts / "review-4-institution-sees-result.png"), full_page=True)
    _click(nursery, nursery.get_by_test_id("orders").get_by_role("link", name=number, exact=True))
    expect(nursery).to_have_url(f"{url}{order_detail}")
    expect(nursery.get_by_test_id("order-number")).to_have_text(number)
    expect(nursery.get_by_test_id("order-deadline")).to_contain_text(deadline)
    expect(nursery.get_by_test_id("order-items")).to_contain_text("F3")
    expect(nursery.get_by_test_id("order-items")).to_contain_text(FIRE_NOTE)
    expect(nursery.get_by_test_id("answer-forms")).to_be_visible()
    nursery.screenshot(path=str(artifacts / "review-5-rectification-order.png"), full_page=True)

    # The record: what the pages showed is what the database holds.
    review.refresh_from_db()
    assert (review.status, review.result, review.final_result) == (AnnualReview.Status.RECTIFYING, "fail", "")
    assert review.decision_reason == REASON and review.decided_by.username == "health"
    report = review.self_report
    assert report.status == SelfReport.Status.SUBMITTED and not report.late
    assert report.data["staff"]["total"] == 12 and report.data["safety_drills"] == {"held": 2, "last": drill_day}
    assert report.data["food_safety"]["licence_number"] == "JY13302810000001"
    findings = {finding.area: finding for finding in review.findings.select_related("inspector")}
    assert set(findings) == {Area.FIRE, Area.FOOD_SAFETY}
    assert not findings[Area.FIRE].passed and findings[Area.FIRE].inspector.username == "fire"
    assert findings[Area.FOOD_SAFETY].passed and findings[Area.FOOD_SAFETY].inspector.username == "amr"
    assert order.number == number and order.status == RectificationOrder.Status.OPEN
    assert order.deadline.isoformat() == deadline and order.institution_id == review.institution_id
    assert [(item["area"], item["code"]) for item in order.items] == [(Area.FIRE, "F3")]
