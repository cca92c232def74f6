"""Objections (issue 15, point 3): within ``objection.working_days`` working days of a failed
finding or a failed decision the institution objects with reasons and evidence; the deciding
department upholds or changes it; meanwhile the decision's effects wait: its orders stand
still (no deadline passes, nothing escalates, nothing fails) and a contested finding holds its
review's decision. All of it on the review's page, audited.

The cast (tests/conftest.py): ``nursery1`` heads institution A in 泗门镇; ``health`` decides
reviews and closes orders; ``fire`` records fire findings; ``amr`` food and fees.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent
from inspections.models import AnnualReview, Area, ChecklistItem, Finding, FindingItem, RectificationOrder
from inspections.selectors.enforcement import order_overdue_condition
from inspections.services import cycles, decisions, findings
from inspections.tasks import orders_escalate_overdue_task
from registry.models import Parameter
from supervision.models import Objection
from supervision.services import objections as services
from tests.factories import ReviewCycleFactory
from tests.inspections.test_unmet_orders import _failed_review_order, _operating

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _object(client, order: RectificationOrder, reasons="消防通道当日已清理，附照片"):
    url = reverse("objection_create", args=["decision", order.review_id])
    evidence = SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")
    return client.post(url, {"reasons": reasons, "evidence": evidence})


def test_an_objection_to_a_failed_decision_holds_its_order_past_the_deadline(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    response = _object(client_as("nursery1"), order)
    objection = Objection.objects.get(review=order.review_id)
    assert response.status_code == 302 and response.url == reverse("objection_detail", args=[objection.pk])
    assert objection.subject == Objection.Subject.DECISION and objection.department.code == "health"
    assert objection.evidence is not None and objection.suspended_orders == [order.pk]

    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - timedelta(days=5))
    order.refresh_from_db()
    assert order.suspended_since is not None
    overdue = RectificationOrder.objects.filter(order_overdue_condition(today=timezone.localdate()))
    assert order not in overdue
    orders_escalate_overdue_task()
    order.refresh_from_db()
    assert order.escalated_at is None
    with pytest.raises(ApplicationError):
        decisions.order_close_unmet(actor=cast["health"], order=order, note="逾期未整改")
    assert RectificationOrder.objects.get(pk=order.pk).status == RectificationOrder.Status.OPEN


def test_an_upheld_decision_runs_on_with_the_deadline_moved_by_the_days_it_stood_still(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    _object(client_as("nursery1"), order)
    objection = Objection.objects.get(review=order.review_id)
    RectificationOrder.objects.filter(pk=order.pk).update(suspended_since=timezone.now() - timedelta(days=3))
    deadline = order.deadline
    response = client_as("health").post(
        reverse("objection_answer", args=[objection.pk]), {"outcome": "upheld", "answer": "照片不能证明整改到位"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD and objection.answered_by == cast["health"]
    assert order.suspended_since is None and order.deadline == deadline + timedelta(days=3)
    assert AuditEvent.objects.filter(event="order.resumed", object_id=str(order.pk)).exists()


def test_a_changed_decision_passes_the_year_and_withdraws_its_order(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    _object(client_as("nursery1"), order)
    objection = Objection.objects.get(review=order.review_id)
    services.objection_answer(actor=cast["health"], objection=objection, changed=True, answer="复核属实，改为合格")
    review = AnnualReview.objects.get(pk=order.review_id)
    order.refresh_from_db()
    assert review.result == review.final_result == AnnualReview.Result.PASS
    assert order.status == RectificationOrder.Status.WITHDRAWN
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"objection.submitted", "objection.answered", "review.changed_on_objection", "order.withdrawn"} <= events


def test_after_the_window_nothing_can_be_objected_and_nothing_is_stored(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    Parameter.objects.filter(key="objection.working_days").update(value=2)
    AnnualReview.objects.filter(pk=order.review_id).update(decided_at=timezone.now() - timedelta(days=10))
    response = _object(client_as("nursery1"), order)
    assert response.status_code == 200
    assert "陈述申辩期限已于" in response.content.decode()
    assert not Objection.objects.filter(review=order.review_id).exists()
    assert RectificationOrder.objects.get(pk=order.pk).suspended_since is None


def _inspecting_review_with_failed_fire_finding(cast) -> tuple[AnnualReview, Finding]:
    institution = _operating()
    review = AnnualReview.objects.get(
        cycle=ReviewCycleFactory(actor=cast["health"], year=timezone.localdate().year - 4), institution=institution
    )
    cycles.self_report_submit(actor=cast["nursery1"], report=review.self_report)
    results = dict.fromkeys(
        ChecklistItem.objects.filter(template__area=Area.FIRE).values_list("code", flat=True), ("pass", "")
    )
    results["F3"] = ("fail", "疏散通道堆放杂物")
    finding = findings.finding_record(
        actor=cast["fire"], institution=institution, review=review, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=results,
    )  # fmt: skip
    return review, finding


def test_a_contested_finding_holds_the_review_until_its_department_answers(client_as, cast):
    review, finding = _inspecting_review_with_failed_fire_finding(cast)
    client_as("nursery1").post(
        reverse("objection_create", args=["finding", finding.pk]), {"reasons": "检查当日通道畅通，有监控为证"}
    )
    objection = Objection.objects.get(finding=finding)
    assert objection.department.code == "fire" and objection.review_id == review.pk
    with pytest.raises(ApplicationError, match="陈述申辩"):
        decisions.review_decide(actor=cast["health"], review=review, result="pass", reason="合格")

    # Only the department that recorded the finding answers it.
    with pytest.raises(PermissionDenied):
        services.objection_answer(actor=cast["amr"], objection=objection, changed=True, answer="x")
    services.objection_answer(actor=cast["fire"], objection=objection, changed=True, answer="调取监控，通道畅通")
    finding.refresh_from_db()
    assert finding.passed
    assert not FindingItem.objects.filter(finding=finding, result=FindingItem.Result.FAIL).exists()
    assert decisions.review_contested(review=review) == []


def test_the_review_page_shows_the_objection_to_the_institution_and_the_health_bureau(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    page = client_as("nursery1").get(reverse("review_detail", args=[order.review_id])).content.decode()
    assert 'data-testid="object-link"' in page
    _object(client_as("nursery1"), order)
    for username in ("nursery1", "health", "simen"):
        page = client_as(username).get(reverse("review_detail", args=[order.review_id])).content.decode()
        assert 'data-testid="objections-panel"' in page and "等待答复" in page, username
    # Once lodged, the institution is not offered a second objection to the same decision.
    again = _object(client_as("nursery1"), order)
    assert Objection.objects.filter(review=order.review_id).count() == 1 and again.status_code == 200


def test_an_empty_objection_is_refused_with_a_message(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    response = _object(client_as("nursery1"), order, reasons="   ")
    assert response.status_code == 200 and not Objection.objects.filter(review=order.review_id).exists()
    assert response.context["form"].errors["reasons"]


def test_the_objection_list_keeps_its_query_count(client_as, cast, django_assert_max_num_queries):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    review = AnnualReview.objects.get(pk=order.review_id)
    for index in range(8):
        Objection.objects.create(
            institution=review.institution, subject=Objection.Subject.DECISION, review=review,
            department=Objection._meta.get_field("department").related_model.objects.get(code="health"),
            reasons=f"第{index}份", submitted_by=cast["nursery1"], status=Objection.Status.UPHELD,
        )  # fmt: skip
    client = client_as("health")
    client.get(reverse("objection_list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("objection_list")).status_code == 200


def test_the_demo_objection_waits_in_the_fire_brigade_s_work_queue_only(client_as):
    assert "待答复的陈述申辩" in client_as("fire").get(reverse("home")).content.decode()
    assert "待答复的陈述申辩" not in client_as("amr").get(reverse("home")).content.decode()


def test_once_the_review_is_decided_its_finding_is_not_objected_to_alone_but_the_decision_is(client_as, cast):
    order = _failed_review_order(cast, timezone.localdate().year - 3, _operating())
    finding = Finding.objects.get(review=order.review_id, area=Area.FIRE)
    response = client_as("nursery1").post(
        reverse("objection_create", args=["finding", finding.pk]), {"reasons": "检查当日通道畅通"}
    )
    assert response.status_code == 200 and "对结论提出陈述申辩" in response.content.decode()
    assert not Objection.objects.filter(finding=finding).exists()
    assert _object(client_as("nursery1"), order).status_code == 302


def test_the_review_page_costs_the_same_with_one_failed_area_or_two(client_as, cast, django_assert_max_num_queries):
    """The objections panel reads the failed findings with their review in one query and the
    window once, however many areas failed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review, fire = _inspecting_review_with_failed_fire_finding(cast)
    client = client_as("nursery1")
    client.get(reverse("review_detail", args=[review.pk]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("review_detail", args=[review.pk]))
    codes = ChecklistItem.objects.filter(template__area=Area.FOOD_SAFETY).values_list("code", flat=True)
    results = {code: ("fail" if n == 0 else "pass", "") for n, code in enumerate(codes)}
    findings.finding_record(
        actor=cast["amr"], institution=review.institution, review=review, area=Area.FOOD_SAFETY,
        inspected_on=timezone.localdate(), results=results,
    )  # fmt: skip
    assert Finding.objects.filter(review=review, passed=False).count() == 2
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("review_detail", args=[review.pk]))
