"""Scheduled work of the annual review: self-report and inspection reminders, sent once per
threshold however often the tasks run, and the cycle statistics in the cache.

Each reminder test opens a 2025 cycle with fixed due dates (self-reports 31 March,
inspections 30 June) and passes ``today`` to the reminder functions; the demo's current-year
cycle is far from those dates and gets nothing. The two cast institutions are made operating
and filed so that their heads (nursery1, nursery2) receive the reminders.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuditEvent, Notification
from inspections import reminders, statistics
from inspections.models import AnnualReview, Area, ChecklistItem, ReviewCycle, SelfReport
from inspections.services import cycles, findings
from inspections.tasks import cycle_statistics_task, inspection_reminders_task, self_report_reminders_task
from paperwork.models import ReminderSent
from registry.models import Institution
from tests.factories import ReviewCycleFactory

pytestmark = pytest.mark.django_db

SELF_REPORT_DUE = date(2025, 3, 31)
INSPECTION_DUE = date(2025, 6, 30)
NURSERY1 = "【演示】泗门镇小星星托育园"
NURSERY2 = "【演示】梨洲街道阳光宝贝托育中心"
NOTHING = {"1d": 0, "7d": 0, "late": 0}


@pytest.fixture
def cycle(cast) -> ReviewCycle:
    Institution.objects.filter(name__in=[NURSERY1, NURSERY2]).update(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED, filing_number="测试"
    )
    return ReviewCycleFactory(
        actor=cast["health"], year=2025, self_report_due=SELF_REPORT_DUE, inspection_due=INSPECTION_DUE
    )


def reviewed() -> int:
    """How many institutions a cycle opened now reviews: the operating, filed ones."""
    return Institution.objects.filter(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED
    ).count()


def review_of(cycle: ReviewCycle, name: str) -> AnnualReview:
    return AnnualReview.objects.select_related("self_report", "institution").get(cycle=cycle, institution__name=name)


def inbox(username: str, **filters) -> list[Notification]:
    return list(Notification.objects.filter(recipient__username=username, **filters).order_by("pk"))


def review_links(username: str, review: AnnualReview) -> int:
    return len(inbox(username, link=f"/inspections/reviews/{review.pk}/"))


def submit(cast, cycle, name: str, head: str) -> AnnualReview:
    review = review_of(cycle, name)
    cycles.self_report_submit(actor=cast[head], report=review.self_report)
    return review_of(cycle, name)


def self_report_keys(cycle: ReviewCycle, label: str) -> set[str]:
    return {
        key
        for key in ReminderSent.objects.filter(key__startswith="self-report:").values_list("key", flat=True)
        if key.endswith(f":{label}") and int(key.split(":")[1]) in set(cycle.reviews.values_list("pk", flat=True))
    }


# --- Self-report reminders ----------------------------------------------------------------


def test_thresholds_are_7_days_and_1_day_before_the_due_date():
    assert [reminders.threshold(days) for days in (9, 8, 7, 6, 2, 1, 0, -1)] == [
        None, None, "7d", "7d", "7d", "1d", "1d", None,
    ]  # fmt: skip


def test_self_report_reminders_are_sent_once_per_threshold_however_often_the_task_runs(cast, cycle):
    everyone = cycle.reviews.count()
    nursery1 = review_of(cycle, NURSERY1)
    assert everyone == reviewed() and everyone > 2  # the demo's filed institutions and the two of the cast

    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=8)) == NOTHING
    assert review_links("nursery1", nursery1) == 1  # only the notice of the opening

    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=7)) == {**NOTHING, "7d": everyone}
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=7)) == NOTHING  # run twice
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=3)) == NOTHING  # same threshold
    assert review_links("nursery1", nursery1) == 2
    assert len(self_report_keys(cycle, "7d")) == everyone

    submit(cast, cycle, NURSERY2, "nursery2")  # a submitted report is not reminded again
    nursery2 = review_of(cycle, NURSERY2)
    before = review_links("nursery2", nursery2)
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=1)) == {**NOTHING, "1d": everyone - 1}
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=1)) == NOTHING
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE) == NOTHING  # the due day itself: already told
    assert review_links("nursery1", nursery1) == 3
    assert review_links("nursery2", nursery2) == before


def test_the_day_after_the_due_date_missing_reports_are_marked_late_and_townships_told_once(cast, cycle):
    everyone = cycle.reviews.count()
    on_time = submit(cast, cycle, NURSERY2, "nursery2")
    SelfReport.objects.filter(pk=on_time.self_report.pk).update(late=False)  # as if submitted in March 2025
    simen_before, lizhou_before = len(inbox("simen")), len(inbox("lizhou"))

    assert reminders.self_report_reminders(today=SELF_REPORT_DUE + timedelta(days=1)) == {
        **NOTHING,
        "late": everyone - 1,
    }
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE + timedelta(days=1)) == NOTHING
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE + timedelta(days=10)) == NOTHING

    assert review_of(cycle, NURSERY1).self_report.late is True
    assert review_of(cycle, NURSERY2).self_report.late is False  # submitted in time
    assert SelfReport.objects.filter(review__cycle=cycle, late=True).count() == everyone - 1
    marked = AuditEvent.objects.filter(event="self_report.late", table_name="inspections_selfreport")
    assert marked.count() == everyone - 1 and str(review_of(cycle, NURSERY1).self_report.pk) in marked.values_list(
        "object_id", flat=True
    )
    simen, lizhou = inbox("simen")[simen_before:], inbox("lizhou")[lizhou_before:]
    assert len(simen) == 1 and len(lizhou) == 1
    # 泗门镇: the cast's nursery and the two demo institutions there; 梨洲街道: the demo one only.
    assert NURSERY1 in simen[0].body and "【演示】泗门镇童趣家庭托育点" in simen[0].body
    assert "【演示】梨洲街道启航托育园" in lizhou[0].body and NURSERY2 not in lizhou[0].body
    assert NURSERY1 not in lizhou[0].body
    assert simen[0].link == "/inspections/reviews/?self_report=missing"
    assert review_links("nursery1", review_of(cycle, NURSERY1)) == 2  # the opening and the late notice


def test_a_run_that_missed_the_7_day_threshold_sends_only_the_nearest_one(cycle):
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=1)) == {**NOTHING, "1d": 10}
    assert self_report_keys(cycle, "7d") == set()


def test_a_closed_cycle_sends_no_reminders(cast, cycle):
    cycles.cycle_close(actor=cast["health"], cycle=cycle, note="测试：提前关闭")
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE - timedelta(days=7)) == NOTHING
    assert reminders.self_report_reminders(today=SELF_REPORT_DUE + timedelta(days=1)) == NOTHING
    assert reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=1)) == {"1d": 0, "7d": 0}


def test_the_task_takes_the_day_as_an_iso_date_and_is_idempotent(cycle):
    everyone = cycle.reviews.count()
    day = (SELF_REPORT_DUE - timedelta(days=7)).isoformat()
    assert self_report_reminders_task.delay(today=day).get() == {**NOTHING, "7d": everyone}
    assert self_report_reminders_task.delay(today=day).get() == NOTHING
    # Run on the real date, long after 31 March 2025: the missing reports are late.
    assert self_report_reminders_task.delay().get() == {**NOTHING, "late": everyone}
    assert self_report_reminders_task.delay().get() == NOTHING


# --- Inspection reminders -----------------------------------------------------------------


def _all_pass(area: str) -> dict:
    codes = ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True)
    return dict.fromkeys(codes, ("pass", ""))


def test_departments_are_told_once_per_threshold_which_reviews_lack_their_finding(cast, cycle):
    first = submit(cast, cycle, NURSERY1, "nursery1")
    submit(cast, cycle, NURSERY2, "nursery2")
    findings.finding_record(
        actor=cast["fire"],
        institution=first.institution,
        review=first,
        area=Area.FIRE,
        inspected_on=INSPECTION_DUE - timedelta(days=10),
        results=_all_pass(Area.FIRE),
    )
    before = {name: len(inbox(name)) for name in ("fire", "amr", "health", "edu")}

    assert reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=8)) == {"1d": 0, "7d": 0}
    # Fire, market supervision, health, the guidance centre, police and emergency management
    # lack findings; education does not check stand-alone nurseries.
    assert reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=7)) == {"1d": 0, "7d": 6}
    assert reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=7)) == {"1d": 0, "7d": 0}
    new = {name: inbox(name)[count:] for name, count in before.items()}
    assert [len(new[name]) for name in ("fire", "amr", "health", "edu")] == [1, 1, 1, 0]
    assert NURSERY2 in new["fire"][0].body and NURSERY1 not in new["fire"][0].body  # fire already checked A
    assert NURSERY1 in new["amr"][0].body and NURSERY2 in new["amr"][0].body
    assert new["amr"][0].body.count("\n") == 1  # two areas: food and drug safety, fees
    assert "2025" in new["fire"][0].title and new["fire"][0].link == "/inspections/reviews/?status=inspecting"
    # Reviews still waiting for their self-report are not the departments' work yet.
    assert "【演示】泗门镇童趣家庭托育点" not in new["amr"][0].body

    assert reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=1)) == {"1d": 6, "7d": 0}
    assert inspection_reminders_task.delay(today=(INSPECTION_DUE - timedelta(days=1)).isoformat()).get() == {
        "1d": 0,
        "7d": 0,
    }
    assert len(inbox("fire")) == before["fire"] + 2
    assert reminders.inspection_reminders(today=INSPECTION_DUE + timedelta(days=1)) == {"1d": 0, "7d": 0}


def test_a_department_with_nothing_left_to_inspect_is_not_reminded(cast, cycle):
    first = submit(cast, cycle, NURSERY1, "nursery1")
    findings.finding_record(
        actor=cast["fire"],
        institution=first.institution,
        review=first,
        area=Area.FIRE,
        inspected_on=INSPECTION_DUE - timedelta(days=10),
        results=_all_pass(Area.FIRE),
    )
    before = len(inbox("fire"))
    reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=7))
    assert len(inbox("fire")) == before
    assert (
        not ReminderSent.objects.filter(key__startswith=f"inspection:{cycle.pk}:")
        .filter(key__contains=":fire")
        .exists()
    )


# --- Cycle statistics ---------------------------------------------------------------------


def test_the_statistics_task_caches_and_returns_every_cycle_s_figures(cast, cycle):
    year = timezone.localdate().year
    cache.delete(statistics.cache_key(year))
    cache.delete(statistics.cache_key(2025))
    try:
        result = cycle_statistics_task.delay(today=(SELF_REPORT_DUE + timedelta(days=1)).isoformat()).get()
        assert set(result) == {"2025", str(year)}
        everyone = reviewed()
        assert result["2025"]["reviews"] == everyone == cycle.reviews.count()
        assert result["2025"]["self_reports"]["missing_after_due"] == everyone
        assert result["2025"]["self_reports"]["late"] == everyone
        assert result[str(year)]["by_status"]["rectifying"] == 1
        assert cache.get(statistics.cache_key(2025)) == result["2025"]
        assert statistics.cycle_statistics_cached(cycle=cycle) == result["2025"]
        # What the page reads is what the task stored.
        from inspections.selectors import cycle_statistics_get

        assert cycle_statistics_get(actor=cast["leader"], cycle=cycle) == result["2025"]
    finally:
        cache.delete(statistics.cache_key(year))
        cache.delete(statistics.cache_key(2025))


def test_an_area_recorded_as_not_applicable_is_not_reminded(cast, cycle):
    first = submit(cast, cycle, NURSERY1, "nursery1")
    findings.area_exempt(actor=cast["health"], review=first, area=Area.FIRE, reason="测试：不适用")
    before = len(inbox("fire"))
    # Fire has nothing left: the one review under inspection has its fire area covered.
    reminders.inspection_reminders(today=INSPECTION_DUE - timedelta(days=7))
    assert len(inbox("fire")) == before
