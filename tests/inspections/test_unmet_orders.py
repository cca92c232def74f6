"""An ignored order fails (issue 13, point 9): a rectification order left unanswered past its
deadline, or verified as not rectified, is closed by the health bureau as 整改不合格; the
review's year then counts as failed, and two failed years in a row refer the institution to
the authority that registered it. The escalation at the deadline offers exactly this step.

The cast (tests/conftest.py): ``health`` issues and closes orders, ``fire`` verifies fire
items, ``nursery1`` heads institution A in 泗门镇 (``simen``), a company (``amr``).
"""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification
from inspections import statistics
from inspections.models import AnnualReview, Area, ChecklistItem, RectificationOrder, RevocationReferral
from inspections.queues import work_queue as home_queue
from inspections.services import cycles, decisions, findings
from inspections.tasks import orders_escalate_overdue_task
from registry.models import Institution
from tests.factories import ReviewCycleFactory, UserFactory, areas_not_applicable
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

INSTITUTION_A = "demo-simen-xingxing"
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
DEMO_OVERDUE = "【演示】泗门镇童趣家庭托育点"  # the demo's ad-hoc order, unanswered past its deadline


def _operating() -> Institution:
    Institution.objects.filter(organisation__code=INSTITUTION_A).update(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED, filing_number="测试"
    )
    return Institution.objects.get(organisation__code=INSTITUTION_A)


def _failed_review_order(cast, year: int, institution: Institution) -> RectificationOrder:
    """A year's review of ``institution`` failed on fire safety, with its rectification order."""
    health = cast["health"]
    review = AnnualReview.objects.get(cycle=ReviewCycleFactory(actor=health, year=year), institution=institution)
    cycles.self_report_submit(actor=cast["nursery1"], report=review.self_report)
    results = dict.fromkeys(
        ChecklistItem.objects.filter(template__area=Area.FIRE).values_list("code", flat=True), ("pass", "")
    )
    results["F3"] = ("fail", "疏散通道堆放杂物")
    findings.finding_record(
        actor=cast["fire"], institution=institution, review=review, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=results,
    )  # fmt: skip
    for area, actor in ((Area.FOOD_SAFETY, "amr"), (Area.HEALTH_CARE, "health")):
        codes = ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True)
        findings.finding_record(
            actor=cast[actor], institution=institution, review=review, area=area,
            inspected_on=timezone.localdate(), results=dict.fromkeys(codes, ("pass", "")),
        )  # fmt: skip
    areas_not_applicable(review)
    decisions.review_decide(
        actor=health,
        review=AnnualReview.objects.get(pk=review.pk),
        result="fail",
        reason="消防检查不合格",
        items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        deadline=timezone.localdate() + timedelta(days=20),
    )
    return RectificationOrder.objects.get(review=review)


def _past_deadline(order: RectificationOrder) -> RectificationOrder:
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    order.refresh_from_db()
    return order


def _close_url(order) -> str:
    return reverse("order_close_unmet", kwargs={"pk": order.pk})


def _detail(order) -> str:
    return reverse("order_detail", kwargs={"pk": order.pk})


def test_an_unanswered_order_past_its_deadline_is_closed_as_failed_and_the_second_year_refers(cast, en):
    institution = _operating()
    first = _failed_review_order(cast, 2024, institution)
    decisions.order_close_unmet(actor=cast["health"], order=_past_deadline(first), note="逾期未整改")
    assert AnnualReview.objects.get(pk=first.review_id).final_result == "fail"
    assert not RevocationReferral.objects.exists()  # one failed year is not enough

    order = _past_deadline(_failed_review_order(cast, 2025, institution))
    health = en("health")
    # Before the deadline's escalation the order is simply overdue; the escalation sends the
    # health bureau straight to the step that closes it.
    assert orders_escalate_overdue_task.delay().get() == 1
    notice = Notification.objects.get(recipient=cast["health"], title__contains=order.number)
    assert notice.link == f"{_detail(order)}#close-unmet"
    html = health.get(_detail(order)).content.decode()
    assert 'id="close-unmet"' in html and _close_url(order) in html

    # A reason is required; nothing changes without one.
    response = health.post(_close_url(order), {"note": " "}, follow=True)
    assert any("Say why the rectification failed" in message for message in messages_of(response))
    assert RectificationOrder.objects.get(pk=order.pk).status == RectificationOrder.Status.OPEN

    last_notice = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = health.post(_close_url(order), {"note": "逾期未答复，整改不合格"}, follow=True)
    assert any("closed as rectification failed" in message for message in messages_of(response))
    order.refresh_from_db()
    assert (order.status, order.closed_by, order.closing_note) == ("unmet", cast["health"], "逾期未答复，整改不合格")
    review = AnnualReview.objects.get(pk=order.review_id)
    assert (review.status, review.final_result) == (AnnualReview.Status.CLOSED, "fail")
    assert AuditEvent.objects.filter(event="order.closed_unmet", object_id=str(order.pk)).count() == 1
    assert statistics.cycle_statistics_compute(cycle=review.cycle)["orders"]["unmet"] == 1
    # Two failed years in a row: referred to the company's registration authority, by health.
    referral = RevocationReferral.objects.get(institution=institution, status="pending")
    assert (referral.authority.code, referral.raised_by) == ("amr", cast["health"])
    # The institution and its township are told; the page shows the closure, no form.
    told = set(
        Notification.objects.filter(pk__gt=last_notice, title__contains=order.number).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"nursery1", "simen"} <= told and "lizhou" not in told
    html = health.get(_detail(order)).content.decode()
    assert 'data-testid="order-closed-unmet"' in html and 'id="close-unmet"' not in html


def test_a_verification_of_not_rectified_waits_for_the_health_bureau_which_fails_the_year(cast, en):
    order = _failed_review_order(cast, 2025, _operating())
    decisions.order_answer(actor=cast["nursery1"], order=order, response="已清理")
    decisions.order_verify(actor=cast["fire"], order=order, rectified=False, note="复查仍有杂物")
    # The fire brigade states the fact; the health bureau is asked to close the order.
    assert AnnualReview.objects.get(pk=order.review_id).final_result == ""
    assert Notification.objects.filter(
        recipient=cast["health"], title__contains=order.number, link__endswith="#close-unmet"
    ).exists()
    assert en("fire").post(_close_url(order), {"note": "x"}).status_code == 403
    queue = {item["title"]: item for item in home_queue(actor=cast["health"])}
    item = queue["Orders verified as not rectified: close them as rectification failed"]
    assert item["count"] == 1 and item["url"].endswith("?status=failed")
    response = en("health").post(_close_url(order), {"note": "复查仍未整改"}, follow=True)
    assert any("closed as rectification failed" in message for message in messages_of(response))
    assert AnnualReview.objects.get(pk=order.review_id).final_result == "fail"


def test_an_order_before_its_deadline_or_rectified_cannot_be_closed_as_failed(cast, en):
    order = _failed_review_order(cast, 2025, _operating())
    health = en("health")
    assert 'id="close-unmet"' not in health.get(_detail(order)).content.decode()
    response = health.post(_close_url(order), {"note": "提前结案"}, follow=True)
    assert any("Only an order left unanswered past its deadline" in message for message in messages_of(response))
    decisions.order_answer(actor=cast["nursery1"], order=order, response="已清理")
    # Answered past the deadline but not yet verified: waits for the verification.
    order = _past_deadline(order)
    with pytest.raises(ApplicationError):
        decisions.order_close_unmet(actor=cast["health"], order=order, note="x")
    decisions.order_verify(actor=cast["fire"], order=order, rectified=True, note="复查合格")
    with pytest.raises(ApplicationError):
        decisions.order_close_unmet(actor=cast["health"], order=order, note="x")
    assert RectificationOrder.objects.get(pk=order.pk).status == RectificationOrder.Status.VERIFIED


def test_of_two_officers_closing_the_same_order_one_wins(cast):
    order = _past_deadline(_failed_review_order(cast, 2025, _operating()))
    stale = RectificationOrder.objects.get(pk=order.pk)  # what the second officer's page loaded
    decisions.order_close_unmet(actor=cast["health"], order=order, note="第一位")
    with translation.override("en"), pytest.raises(ApplicationError, match="already closed"):
        decisions.order_close_unmet(actor=cast["health"], order=stale, note="第二位")
    order.refresh_from_db()
    assert order.closing_note == "第一位"
    assert AuditEvent.objects.filter(event="order.closed_unmet", object_id=str(order.pk)).count() == 1


def test_the_demo_gives_the_health_bureau_an_overdue_order_to_close(en):
    health = en("health")
    overdue = health.get(reverse("order_list"), {"overdue": "1"}).context["page"].object_list
    order = next(order for order in overdue if order.institution.name == DEMO_OVERDUE)
    assert order.status == RectificationOrder.Status.OPEN and order.review is None
    assert 'id="close-unmet"' in health.get(_detail(order)).content.decode()
    # The township sees it overdue; it cannot close it.
    assert order.pk in {o.pk for o in en("simen").get(reverse("order_list"), {"overdue": "1"}).context["page"]}
    assert 'id="close-unmet"' not in en("simen").get(_detail(order)).content.decode()
    # Escalated already: the health bureau's message leads to the step.
    assert Notification.objects.filter(recipient__username="health", link=f"{_detail(order)}#close-unmet").exists()


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so two closings cannot overlap there; "
    "the sequential test covers the refusal on both databases",
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_closing_the_same_order_at_once_exactly_one_wins():
    from accounts.models import User

    officers = [User.objects.get(username="health"), UserFactory(real_name="测试·卫健局二", member_of="health")]
    order = RectificationOrder.objects.get(institution__name=DEMO_OVERDUE)
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def close(index):
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = decisions.order_close_unmet(actor=officers[index], order=order, note=f"第{index}位")
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    winners = [index for index, result in results.items() if isinstance(result, RectificationOrder)]
    losers = [result for result in results.values() if isinstance(result, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "already closed" in losers[0].message
    order.refresh_from_db()
    assert order.closed_by == officers[winners[0]] and order.closing_note == f"第{winners[0]}位"
    assert AuditEvent.objects.filter(event="order.closed_unmet", object_id=str(order.pk)).count() == 1
