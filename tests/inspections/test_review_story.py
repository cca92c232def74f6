"""The whole annual-review story with the demo accounts, through the services."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import Notification, SecurityEvent
from inspections.models import AnnualReview, Area, ChecklistItem, RectificationOrder, RevocationReferral
from inspections.services import cycles, decisions, enforcement, findings
from inspections.tasks import orders_escalate_overdue_task
from registry import selectors as registry_selectors
from registry.models import Institution, Registration
from tests.factories import ReviewCycleFactory, areas_not_applicable

NURSERY1 = "【演示】泗门镇小星星托育园"  # a company: registered by market supervision
NURSERY2 = "【演示】梨洲街道阳光宝贝托育中心"  # a social organisation: registered by civil affairs


def _make_operating(name: str) -> Institution:
    Institution.objects.filter(name=name).update(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED, filing_number="测试"
    )
    return Institution.objects.get(name=name)


def _all(area: str, result: str = "pass") -> dict:
    codes = ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True)
    return dict.fromkeys(codes, (result, ""))


def _fail_one_year(cast, year: int, institution: Institution) -> AnnualReview:
    health = cast["health"]
    cycle = ReviewCycleFactory(actor=health, year=year)
    review = AnnualReview.objects.get(cycle=cycle, institution=institution)
    report = review.self_report
    cycles.self_report_save(actor=cast[_head(institution)], report=report, data={"safety_drills": {"held": 2}})
    cycles.self_report_submit(actor=cast[_head(institution)], report=report)
    fire_results = _all(Area.FIRE)
    fire_results["F3"] = ("fail", "疏散通道堆放杂物")
    today = timezone.localdate()
    findings.finding_record(
        actor=cast["fire"],
        institution=institution,
        review=review,
        area=Area.FIRE,
        inspected_on=today,
        results=fire_results,
    )
    findings.finding_record(
        actor=cast["amr"],
        institution=institution,
        review=review,
        area=Area.FOOD_SAFETY,
        inspected_on=today,
        results=_all(Area.FOOD_SAFETY),
    )
    findings.finding_record(
        actor=health,
        institution=institution,
        review=review,
        area=Area.HEALTH_CARE,
        inspected_on=today,
        results=_all(Area.HEALTH_CARE),
    )
    areas_not_applicable(review)
    decisions.review_decide(
        actor=health,
        review=review,
        result="fail",
        reason="消防检查不合格",
        items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        deadline=today + timedelta(days=30),
    )
    order = RectificationOrder.objects.get(review=review)
    decisions.order_answer(actor=cast[_head(institution)], order=order, response="已清理")
    decisions.order_verify(actor=cast["fire"], order=order, rectified=False, note="复查仍有杂物")
    decisions.order_close_unmet(actor=health, order=order, note="整改不合格")
    return AnnualReview.objects.get(pk=review.pk)


def _public_names() -> list[str]:
    rows = registry_selectors.public_institution_list(text="小星星")
    return [row.name for row in rows[0 : rows.count()]]


def _head(institution: Institution) -> str:
    return "nursery1" if institution.name == NURSERY1 else "nursery2"


def test_two_failed_years_lead_the_company_s_authority_to_withdraw_and_the_public_page_to_change(cast):
    institution = _make_operating(NURSERY1)
    assert NURSERY1 in _public_names()  # listed while operating and filed
    first = _fail_one_year(cast, 2024, institution)
    assert (first.result, first.final_result) == ("fail", "fail")
    assert not RevocationReferral.objects.exists()  # one failed year is not enough

    second = _fail_one_year(cast, 2025, institution)
    referral = RevocationReferral.objects.get(institution=institution)
    assert referral.authority.code == "amr"
    assert set(referral.failed_reviews.all()) == {first, second}

    with pytest.raises(PermissionDenied):  # civil affairs did not register a company
        decisions.referral_decide(actor=cast["mca"], referral=referral, withdraw=True, note="收回")
    decisions.referral_decide(actor=cast["amr"], referral=referral, withdraw=True, note="连续两年年审不合格，收回登记")
    institution.refresh_from_db()
    assert (institution.status, institution.filing_status) == ("revoked", "cancelled")
    assert not Registration.objects.filter(institution=institution, status="active").exists()
    assert NURSERY1 not in _public_names()


def test_a_social_organisation_is_referred_to_civil_affairs(cast):
    institution = _make_operating(NURSERY2)
    _fail_one_year(cast, 2024, institution)
    _fail_one_year(cast, 2025, institution)
    assert RevocationReferral.objects.get(institution=institution).authority.code == "mca"


def test_each_department_records_only_its_own_area(cast):
    institution = _make_operating(NURSERY1)
    ReviewCycleFactory(actor=cast["health"], year=2025)
    review = AnnualReview.objects.get(institution=institution, cycle__year=2025)
    with pytest.raises(PermissionDenied):
        findings.finding_record(
            actor=cast["fire"],
            institution=institution,
            review=review,
            area=Area.FOOD_SAFETY,
            inspected_on=timezone.localdate(),
            results=_all(Area.FOOD_SAFETY),
        )
    with pytest.raises(ApplicationError):  # education checks only kindergarten nursery classes
        findings.finding_record(
            actor=cast["edu"],
            institution=institution,
            review=review,
            area=Area.EDUCATION,
            inspected_on=timezone.localdate(),
            results=_all(Area.EDUCATION),
        )


def test_an_overdue_order_escalates_once_even_if_the_task_runs_twice(cast):
    institution = _make_operating(NURSERY1)
    order = decisions.order_issue(
        actor=cast["health"],
        institution=institution,
        deadline=timezone.localdate() + timedelta(days=10),
        items=[{"area": "fire", "code": "F3", "text": "清理"}],
    )
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    before = Notification.objects.filter(title__contains=order.number).count()
    assert orders_escalate_overdue_task.delay().get() == 1
    assert orders_escalate_overdue_task.delay().get() == 0
    sent = Notification.objects.filter(title__contains=order.number).count() - before
    recipients = set(
        Notification.objects.filter(title__contains=order.number).values_list("recipient__username", flat=True)
    )
    assert {"simen", "health"} <= recipients and "lizhou" not in recipients
    assert sent == len(Notification.objects.filter(title__contains=order.number)) - before


def test_closing_a_cycle_with_undecided_reviews_needs_a_reason(cast):
    _make_operating(NURSERY1)
    cycle = ReviewCycleFactory(actor=cast["health"], year=2025)
    with pytest.raises(ApplicationError):
        cycles.cycle_close(actor=cast["health"], cycle=cycle)
    cycles.cycle_close(actor=cast["health"], cycle=cycle, note="机构停业整顿，下一年度补审")
    cycle.refresh_from_db()
    assert cycle.status == "closed"


def test_a_ban_list_match_blocks_without_revealing_the_entry_and_is_logged(cast):
    enforcement.ban_add(
        actor=cast["health"],
        name="演示·张某",
        id_number="330281199001011235",
        reason="虐童",
        decided_on=date(2026, 1, 5),
    )
    assert enforcement.ban_check(actor=cast["nursery1"], id_number="330281199001011235") is True
    assert enforcement.ban_check(actor=cast["nursery1"], id_number="330281199001019990") is False
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.BAN_MATCH)
    assert event.username == "nursery1" and "1235" in event.detail["id_number"] and "19900101" not in str(event.detail)
    with pytest.raises(PermissionDenied):
        enforcement.ban_add(
            actor=cast["simen"], name="x", id_number="330281199001015674", reason="x", decided_on=date(2026, 1, 5)
        )
