"""Demo annual review: the 2026 cycle with reviews in every state, a rectification order, an
ad-hoc order past its deadline with no answer, a case against an unregistered provider in
泗门镇 and one (fictional) barred person.

Written through the services with the demo accounts; skipped when the cycle exists."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Region, User
from inspections.models import AnnualReview, Area, ChecklistItem, RectificationOrder, ReviewCycle
from inspections.services import checklists, cycles, decisions, enforcement, findings
from registry.models import Institution


def _all_pass(area: str) -> dict:
    return dict.fromkeys(ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True), ("pass", ""))


def _overdue_order(health) -> None:
    """An ad-hoc order left unanswered past its deadline in 泗门镇, so that ``health`` finds an
    order to close as 整改不合格, from the escalation in its inbox (and ``simen`` an overdue
    one). Issued before the review's order, which stays the last number of the year."""
    institution = Institution.objects.get(name="【演示】泗门镇童趣家庭托育点")
    order = decisions.order_issue(
        actor=health,
        institution=institution,
        items=[{"area": "fire", "code": "F4", "text": "【演示】更换过期灭火器"}],
        deadline=timezone.localdate() + timedelta(days=1),
    )
    # Issued a month ago with a two-week deadline: past it now, with no answer.
    RectificationOrder.objects.filter(pk=order.pk).update(
        issued_at=timezone.now() - timedelta(days=30), deadline=timezone.localdate() - timedelta(days=16)
    )
    # Escalated the day after, as the hourly task would have: health's message leads to the step.
    decisions.order_escalate(order=RectificationOrder.objects.select_related("institution__township").get(pk=order.pk))


def _cover_remaining_areas(review: AnnualReview, users: dict) -> None:
    """A review is decided only when every area is covered: education inspects nursery
    classes; the areas of departments without a demo account are recorded as not applicable."""
    for area in checklists.review_missing_areas(review=review):
        if area == Area.EDUCATION:
            findings.finding_record(
                actor=users["edu"], institution=review.institution, review=review, area=area,
                inspected_on=timezone.localdate(), results=_all_pass(area),
            )  # fmt: skip
        else:
            findings.area_exempt(
                actor=users["health"], review=review, area=area, reason="【演示】示例：本年度该项不适用于该机构"
            )


@transaction.atomic
def load_inspections_demo() -> int:
    year = timezone.localdate().year
    if ReviewCycle.objects.filter(year=year).exists():
        return 0
    users = {
        user.username: user for user in User.objects.filter(username__in=["health", "fire", "amr", "simen", "edu"])
    }
    health, today = users["health"], timezone.localdate()
    cycle = cycles.cycle_open(
        actor=health,
        year=year,
        self_report_due=today + timedelta(days=14),
        inspection_due=today + timedelta(days=45),
        decision_due=today + timedelta(days=75),
    )
    _overdue_order(health)
    reviews = list(AnnualReview.objects.filter(cycle=cycle).select_related("institution", "self_report"))
    for index, review in enumerate(reviews):
        if index % 3 == 0:
            continue  # still waiting for the self-report
        report = review.self_report
        report.status, report.submitted_at = "submitted", timezone.now()
        report.data = {**report.data, "safety_drills": {"held": 2, "last": "2026-10-15"}}
        report.save(update_fields=["status", "submitted_at", "data"])
        AnnualReview.objects.filter(pk=review.pk).update(status=AnnualReview.Status.INSPECTING)
        if index % 3 == 2:
            results = _all_pass(Area.FIRE)
            if index == 2:
                results["F3"] = ("fail", "【演示】疏散通道堆放杂物")
            findings.finding_record(
                actor=users["fire"],
                institution=review.institution,
                review=review,
                area=Area.FIRE,
                inspected_on=today,
                results=results,
            )
            findings.finding_record(
                actor=users["amr"],
                institution=review.institution,
                review=review,
                area=Area.FOOD_SAFETY,
                inspected_on=today,
                results=_all_pass(Area.FOOD_SAFETY),
            )
            findings.finding_record(
                actor=health,
                institution=review.institution,
                review=review,
                area=Area.HEALTH_CARE,
                inspected_on=today,
                results=_all_pass(Area.HEALTH_CARE),
            )
            review.refresh_from_db()
            if index in (2, 5):
                _cover_remaining_areas(review, users)
            if index == 2:
                decisions.review_decide(
                    actor=health,
                    review=review,
                    result="fail",
                    reason="【演示】消防检查不合格",
                    items=[{"area": "fire", "code": "F3", "text": "清理疏散通道杂物"}],
                    deadline=today + timedelta(days=20),
                )
            elif index == 5:
                decisions.review_decide(actor=health, review=review, result="pass", reason="【演示】各项检查合格")
    enforcement.case_record(
        actor=users["simen"],
        provider_name="【演示】无证看护点（某小区）",
        place="泗门镇某小区3幢101",
        township=Region.objects.get(code="330281103"),
        found="【演示】未登记备案，收托婴幼儿8名",
        found_on=today,
    )
    enforcement.ban_add(
        actor=health,
        name="【演示】李某",
        id_number="330281198001011230",
        reason="【演示】虐童，终身禁入",
        decided_on=date(year, 1, 15),
        document="【演示】余卫〔2026〕1号",
    )
    return len(reviews)
