"""The full enforcement ladder in a real browser (issue 13): a finding, an order nobody answers,
the deadline passing, 整改不合格, the second failed year, the referral by the health bureau,
the withdrawal by the registering authority; then the institution is gone from the public
registry, its staff are inactive and its township has been told.

The institution is 【演示】泗门镇小星星托育园 (nursery1), a company registered by market
supervision (amr), in 泗门镇 (simen). Preconditions are set with the ORM, and said so: it is
operating and filed, its review of last year failed (the first failed year: this journey is the
second), and its review of this year's open cycle has its self-report in, waiting for the
departments. Time passing is simulated twice, also with the ORM or the scheduled job itself:
the order's deadline is moved to yesterday in the database (nobody waits weeks in a test), and
the hourly escalation job is run once, as the scheduler would. Every step a person takes goes
through the pages, as that person; the final state is checked in the database.
"""

from datetime import timedelta

import pytest

from tests.e2e.test_review_journey import _click, _record_finding, _zh

pytestmark = pytest.mark.e2e

NAME = "【演示】泗门镇小星星托育园"
FIRE_NOTE = "疏散通道堆放杂物，安全出口被锁闭"
REASON = "消防安全检查不合格，限期整改。"
CLOSING_NOTE = "整改期限已过，机构未作任何答复，整改不合格。"
WITHDRAWAL_NOTE = "连续两年年审不合格，依卫健局移送收回登记。"


def _second_year_under_inspection():
    """Precondition (ORM): nursery1's institution operates and is filed; last year's review
    failed after rectification; this year's review (the demo's open cycle) has its self-report
    submitted. Returns this year's review."""
    from django.utils import timezone

    from inspections.models import AnnualReview, ReviewCycle, SelfReport
    from inspections.services import cycles
    from registry.models import Institution, Registration
    from tests.factories import ReviewCycleFactory

    today = timezone.localdate()
    Institution.objects.filter(name=NAME).update(
        status=Institution.Status.OPERATING,
        filing_status=Institution.FilingStatus.FILED,
        filing_number=f"余卫托备〔{today.year - 1}〕0998号",
    )
    institution = Institution.objects.get(name=NAME)
    assert Registration.objects.filter(institution=institution, status=Registration.Status.ACTIVE).exists()
    last_year = ReviewCycleFactory(year=today.year - 1)
    AnnualReview.objects.filter(cycle=last_year, institution=institution).update(
        status=AnnualReview.Status.CLOSED, result="fail", final_result="fail", decision_reason="上年度整改不合格"
    )
    ReviewCycle.objects.filter(pk=last_year.pk).update(status=ReviewCycle.Status.CLOSED)
    cycles.cycle_membership_sync(actor=None, institution_id=institution.pk)  # joins this year's open cycle
    review = AnnualReview.objects.get(cycle__year=today.year, institution=institution)
    SelfReport.objects.filter(review=review).update(status=SelfReport.Status.SUBMITTED, submitted_at=timezone.now())
    AnnualReview.objects.filter(pk=review.pk).update(status=AnnualReview.Status.INSPECTING)
    return AnnualReview.objects.select_related("cycle", "institution").get(pk=review.pk)


def _open_message(page, menu_link, url: str, title_part: str) -> None:
    """From the messages page, open the message whose title holds ``title_part`` (its link)."""
    from playwright.sync_api import expect

    _click(page, menu_link(page, "/notifications/"))
    assert page.url.startswith(f"{url}/notifications/"), page.url
    message = page.locator("main li.list-group-item").filter(has_text=title_part).first
    expect(message).to_be_visible()
    _click(page, message.locator("button[type=submit]"))


def _search_public_registry(page, url: str, text: str) -> None:
    """A visitor types a name into the public registry's search and runs it."""
    from django.urls import reverse

    page.goto(f"{url}{reverse('public_search')}")
    page.fill("#id_text", text)
    _click(page, page.locator("main form button[type=submit]"))


def test_the_enforcement_ladder_from_a_finding_to_the_withdrawal(portal, new_page, log_in, menu_link, artifacts):
    from django.urls import reverse
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.models import Notification, Organisation
    from inspections.models import AnnualReview, Area, RectificationOrder, RevocationReferral
    from inspections.tasks import orders_escalate_overdue_task
    from registry.models import Registration
    from training.models import StaffMember

    url = portal.url
    review = _second_year_under_inspection()
    institution = review.institution
    detail = reverse("review_detail", args=[review.pk])
    today = timezone.localdate()
    staff_before = StaffMember.objects.filter(institution=institution, left_on__isnull=True).count()
    assert staff_before > 0  # the demo roster: people who must end up inactive

    # Before: a parent searching the public registry finds the institution.
    visitor = new_page()
    _search_public_registry(visitor, url, "小星星")
    expect(visitor.get_by_test_id("public-results").locator("tbody")).to_contain_text(NAME)

    # 1. The finding: the fire brigade records its checks; evacuation routes (F3) fail.
    fire = log_in(new_page(), "fire")
    fire.goto(f"{url}{detail}")
    _record_finding(
        fire, f"{reverse('finding_record')}?review={review.pk}&area={Area.FIRE}", failures={"F3": FIRE_NOTE},
        notes="现场检查", artifact=artifacts / "ladder-1-fire-finding.png",
    )  # fmt: skip
    expect(fire.get_by_test_id("finding-result")).to_have_text(_zh("Failed"))

    # 2. The order: the health bureau covers the areas not checked this year and decides;
    # the rule of severities (a major item, no number set) offers only an order.
    health = log_in(new_page(), "health")
    health.goto(f"{url}{detail}")
    while health.locator("[data-testid^='exempt-']").count():
        exempt = health.locator("[data-testid^='exempt-']").first
        exempt.locator("input[name=reason]").fill("本年度不适用")
        _click(health, exempt.locator("button[type=submit]"))
    # The verdict of the severities links to the rule, stated on the checklist page.
    expect(health.get_by_test_id("severity-verdict")).to_contain_text("F3")
    _click(health, health.get_by_test_id("severity-verdict").locator("a"))
    expect(health.get_by_test_id("severity-rule")).to_contain_text(
        _zh("Weighs as a minor item (the bureau has set no number).")
    )
    health.get_by_test_id("severity-rule").screenshot(path=str(artifacts / "ladder-2-severity-rule.png"))
    health.go_back()
    decide = health.get_by_test_id("decide-form")
    expect(decide.locator("input[name=result]")).to_have_count(1)  # a pass is not offered
    decide.locator(f"input[name=result][value={AnnualReview.Result.FAIL}]").check()
    decide.locator("textarea[name=reason]").fill(REASON)
    decide.locator(f"input[name=checklist_items][value='{Area.FIRE}:F3']").check()
    decide.locator("input[name=deadline]").fill((today + timedelta(days=15)).isoformat())
    health.screenshot(path=str(artifacts / "ladder-2-decision.png"), full_page=True)
    _click(health, decide.locator("button[type=submit]"))
    expect(health.locator("main [role=status]")).to_contain_text(
        _zh("Review decided: failed. A rectification order was issued.")
    )
    order = RectificationOrder.objects.get(review=review)
    order_detail = reverse("order_detail", args=[order.pk])

    # 3. No answer: the institution sees the order in its work queue and leaves it.
    nursery = log_in(new_page(), "nursery1")
    expect(nursery.get_by_test_id("work-queue").locator(f"a[href='{order_detail}']")).to_contain_text(order.number)
    _click(nursery, nursery.get_by_test_id("work-queue").locator(f"a[href='{order_detail}']"))
    expect(nursery.get_by_test_id("answer-forms")).to_be_visible()
    nursery.screenshot(path=str(artifacts / "ladder-3-order-left-unanswered.png"), full_page=True)

    # 4. The deadline passes (time simulated: the deadline moved to yesterday in the database),
    # and the hourly job escalates the overdue order, as the scheduler would.
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=today - timedelta(days=1))
    assert orders_escalate_overdue_task() == 1
    assert Notification.objects.filter(recipient__username="simen", link=order_detail).exists()

    # 5. 整改不合格: the health bureau opens the escalation message and closes the order.
    health.goto(f"{url}/")
    _open_message(health, menu_link, url, order.number)
    expect(health).to_have_url(f"{url}{order_detail}#close-unmet")
    expect(health.get_by_test_id("overdue")).to_be_visible()
    close = health.get_by_test_id("close-unmet-form")
    close.locator("textarea[name=note]").fill(CLOSING_NOTE)
    health.screenshot(path=str(artifacts / "ladder-4-close-unmet.png"), full_page=True)
    _click(health, close.locator("button[type=submit]"))
    expect(health.get_by_test_id("order-status")).to_contain_text(_zh("Closed: rectification failed"))
    expect(health.get_by_test_id("order-closed-unmet")).to_contain_text(CLOSING_NOTE)

    # 6. The second failed year: the referral is raised by the health bureau, to market supervision.
    referral = RevocationReferral.objects.get(institution=institution, status=RevocationReferral.Status.PENDING)
    referral_detail = reverse("referral_detail", args=[referral.pk])
    _click(health, menu_link(health, reverse("referral_list")))
    _click(health, health.get_by_test_id("referral-list").locator(f"a[href='{referral_detail}']").first)
    expect(health.get_by_test_id("referral-authority")).to_have_text(Organisation.objects.get(code="amr").name)
    expect(health.get_by_test_id("failed-reviews")).to_contain_text(str(today.year - 1))
    expect(health.get_by_test_id("failed-reviews")).to_contain_text(str(today.year))
    expect(health.get_by_test_id("decide-form")).to_have_count(0)  # the authority decides, not health
    health.screenshot(path=str(artifacts / "ladder-5-referral-raised.png"), full_page=True)

    # 7. The withdrawal: market supervision opens the referral from its work queue and withdraws.
    amr = log_in(new_page(), "amr")
    _click(
        amr, amr.get_by_test_id("work-queue").get_by_role("link", name=_zh("Revocation referrals for you to decide"))
    )
    _click(amr, amr.get_by_test_id("referral-list").locator(f"a[href='{referral_detail}']").first)
    decide = amr.get_by_test_id("decide-form")
    decide.locator("#decide-withdraw").check()
    decide.locator("textarea[name=note]").fill(WITHDRAWAL_NOTE)
    amr.screenshot(path=str(artifacts / "ladder-6-withdrawal.png"), full_page=True)
    _click(amr, decide.locator("button[type=submit]"))
    expect(amr.get_by_test_id("referral-status")).to_contain_text(_zh("Registration withdrawn"))

    # 8. Gone from the public registry: a visitor searching for it by name finds nothing now.
    _search_public_registry(visitor, url, "小星星")
    expect(visitor.get_by_test_id("public-results").locator("tbody")).not_to_contain_text(NAME)
    expect(visitor.get_by_test_id("public-results").locator("tbody tr")).to_have_count(1)  # the "none" row
    visitor.screenshot(path=str(artifacts / "ladder-7-public-registry.png"), full_page=True)

    # 9. Its staff inactive: the health bureau's roster of the institution lists nobody active.
    health.goto(f"{url}{reverse('staff_list')}?institution={institution.pk}&status=active")
    expect(health.get_by_test_id("staff-list").locator("tbody")).not_to_contain_text(NAME)
    health.goto(f"{url}{reverse('staff_list')}?institution={institution.pk}&status=left")
    expect(health.get_by_test_id("staff-list").locator("tbody tr")).to_have_count(staff_before)
    health.screenshot(path=str(artifacts / "ladder-8-staff-left.png"), full_page=True)

    # 10. The township was told: 泗门镇's messages hold the decision.
    simen = log_in(new_page(), "simen")
    _click(simen, menu_link(simen, "/notifications/"))
    expect(simen.locator("main")).to_contain_text(WITHDRAWAL_NOTE)
    simen.screenshot(path=str(artifacts / "ladder-9-township-told.png"), full_page=True)

    # The record.
    order.refresh_from_db()
    review.refresh_from_db()
    referral.refresh_from_db()
    institution.refresh_from_db()
    assert order.status == RectificationOrder.Status.UNMET and order.closed_by.username == "health"
    assert (review.final_result, review.status) == ("fail", AnnualReview.Status.CLOSED)
    assert referral.raised_by.username == "health" and referral.decided_by.username == "amr"
    assert referral.status == RevocationReferral.Status.WITHDRAWN
    assert (institution.status, institution.filing_status) == ("revoked", "cancelled")
    assert Registration.objects.get(pk=referral.registration_id).status == Registration.Status.REVOKED
    assert not StaffMember.objects.filter(institution=institution, left_on__isnull=True).exists()
    assert not StaffMember.objects.filter(institution=institution, left_on__gt=today).exists()
