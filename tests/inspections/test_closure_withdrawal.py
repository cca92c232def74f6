"""Closure withdraws what was still due (issue 13, point 2): when an institution's closure date
comes, its self-report not yet submitted is withdrawn (kept, in a state of its own, audited),
and no reminder is sent for it afterwards: neither the self-report reminders nor the
escalation of an order left open. Until that date everything runs as before.

The cast (tests/conftest.py): ``nursery1`` heads institution A in 泗门镇 (``simen``), which files
while the demo's review cycle is open and so joins it; ``health`` accepts filings."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification
from inspections import reminders
from inspections.models import AnnualReview, RectificationOrder, ReviewCycle, SelfReport
from inspections.services import cycles, decisions
from inspections.tasks import orders_escalate_overdue_task
from paperwork.models import ReminderSent
from registry.services import filings as filing_services
from tests.helpers import text_of
from tests.registry.test_closure import closure_submitted, filed_nursery1
from tests.registry.test_filings import url

pytestmark = pytest.mark.django_db


def _closing_nursery1(en, cast):
    """Institution A filed (it joins the open cycle, with a draft self-report), an ad-hoc order
    issued to it, and its closure accepted for a date ahead."""
    institution = filed_nursery1(en)
    review = AnnualReview.objects.get(institution=institution, cycle__status=ReviewCycle.Status.OPEN)
    order = decisions.order_issue(
        actor=cast["health"], institution=institution, deadline=timezone.localdate() + timedelta(days=3),
        items=[{"area": "fire", "code": "", "text": "清理疏散通道"}],
    )  # fmt: skip
    closing = timezone.localdate() + timedelta(days=10)
    en("health").post(url("filing_accept", closure_submitted(en, closing).pk))
    return institution, review, order, closing


def _self_report_keys(review: AnnualReview) -> set[str]:
    return set(ReminderSent.objects.filter(key__startswith=f"self-report:{review.pk}:").values_list("key", flat=True))


def test_until_the_closure_date_the_self_report_is_due_and_reminded(en, cast):
    institution, review, _order, closing = _closing_nursery1(en, cast)
    assert filing_services.closures_apply(day=closing - timedelta(days=1)) == 0
    assert SelfReport.objects.get(review=review).status == SelfReport.Status.DRAFT
    reminders.self_report_reminders(today=review.cycle.self_report_due - timedelta(days=1))
    assert _self_report_keys(review) == {f"self-report:{review.pk}:1d"}


def test_at_the_closure_date_the_open_self_report_is_withdrawn_audited_and_never_reminded(en, cast):
    institution, review, _order, closing = _closing_nursery1(en, cast)
    report = SelfReport.objects.get(review=review)
    cycles.self_report_save(actor=cast["nursery1"], report=report, data={"incidents": {"count": 0}})

    assert filing_services.closures_apply(day=closing) == 1
    report.refresh_from_db()
    review.refresh_from_db()
    assert report.status == SelfReport.Status.WITHDRAWN
    assert report.data["incidents"] == {"count": 0}  # kept, with what was written
    assert review.status == AnnualReview.Status.CLOSED and review.result == ""
    event = AuditEvent.objects.get(event="self_report.withdrawn", object_id=str(report.pk))
    assert event.after == {"was": "draft", "because": "closed"}

    # No reminder of any kind afterwards: before the due date, and once it has passed.
    due = review.cycle.self_report_due
    for day in (due - timedelta(days=7), due - timedelta(days=1), due + timedelta(days=1)):
        reminders.self_report_reminders(today=day)
    assert _self_report_keys(review) == set()
    report.refresh_from_db()
    assert report.late is False
    # Nor can it be submitted any more.
    with pytest.raises(ApplicationError, match="no longer due"):
        cycles.self_report_submit(actor=cast["nursery1"], report=report)
    page = en("nursery1").get(f"/inspections/reviews/{review.pk}/")
    assert page.context["report_forms"] is None and "Withdrawn" in text_of(page)


def test_a_submitted_self_report_stays_submitted_when_the_institution_closes(en, cast):
    _institution, review, _order, closing = _closing_nursery1(en, cast)
    cycles.self_report_submit(actor=cast["nursery1"], report=SelfReport.objects.get(review=review))
    filing_services.closures_apply(day=closing)
    assert SelfReport.objects.get(review=review).status == SelfReport.Status.SUBMITTED
    assert not AuditEvent.objects.filter(event="self_report.withdrawn").exists()


def test_an_order_of_a_closed_institution_past_its_deadline_is_not_escalated(en, cast):
    institution, _review, order, closing = _closing_nursery1(en, cast)
    filing_services.closures_apply(day=closing)
    # The deadline passes after the closure (moved back in the database: time passing).
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    before = Notification.objects.filter(link__startswith=f"/inspections/orders/{order.pk}/").count()
    orders_escalate_overdue_task()
    order.refresh_from_db()
    assert order.escalated_at is None
    assert Notification.objects.filter(link__startswith=f"/inspections/orders/{order.pk}/").count() == before


def test_an_order_of_an_operating_institution_past_its_deadline_is_still_escalated(en, cast):
    """The other side of the previous test: the escalation itself still works."""
    _institution, _review, order, _closing = _closing_nursery1(en, cast)
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    orders_escalate_overdue_task()
    order.refresh_from_db()
    assert order.escalated_at is not None
