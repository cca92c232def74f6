"""Cases against unregistered or unsafe providers (issue 13, point 11): closing a case as
penalised (处罚) or banned (取缔) needs the decision — its document number, date, deciding
department and a scan — and comes after the order's deadline, or at once with the reason
recorded; the township is told; an overdue case escalates once, like an order.

The cast (tests/conftest.py): ``simen`` is 泗门镇's government, which handles its cases;
``lizhou`` is another township; ``health`` handles cases city-wide.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification, Organisation, Region
from inspections.models import Case
from inspections.services import enforcement
from inspections.tasks import cases_escalate_overdue_task
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

SIMEN = "330281103"
PDF = b"%PDF-1.4\n% a decision\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _case(cast, *, deadline_days: int | None = 7) -> Case:
    case = enforcement.case_record(
        actor=cast["simen"], provider_name="测试·无证看护点", place="泗门镇某小区",
        township=Region.objects.get(code=SIMEN), found="未登记备案，收托6名", found_on=timezone.localdate(),
    )  # fmt: skip
    if deadline_days is not None:
        enforcement.case_order(
            actor=cast["simen"], case=case, order_text="限期办理登记", deadline=timezone.localdate() + timedelta(days=7)
        )
        Case.objects.filter(pk=case.pk).update(deadline=timezone.localdate() + timedelta(days=deadline_days))
        case.refresh_from_db()
    return case


def _scan(name: str = "处罚决定书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _decision(**changes) -> dict:
    data = {
        "outcome": "penalised", "note": "逾期未整改，予以处罚", "decision_number": "余市监罚〔2026〕12号",
        "decision_date": timezone.localdate().isoformat(),
        "decision_department": Organisation.objects.get(code="amr").pk, "scan": _scan(),
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _close(client, case, data):
    return client.post(reverse("case_close", args=[case.pk]), data, follow=True)


def test_a_penalty_needs_the_whole_decision_and_changes_nothing_without_it(en, cast):
    case = _case(cast, deadline_days=-1)
    simen = en("simen")
    for missing, message in (
        ("decision_number", "The document number of the decision is required."),
        ("decision_date", "The date of the decision is required."),
        ("decision_department", "Choose the department (or township government) that decided."),
        ("scan", "Upload the scan of the decision (PDF, JPEG or PNG)."),
    ):
        response = _close(simen, case, _decision(**{missing: None}))
        assert message in messages_of(response), missing
        assert Case.objects.get(pk=case.pk).status == Case.Status.ORDERED
    # A text file named .pdf is no scan: refused by its content, nothing kept.
    fake = _scan("决定书.pdf", b"just text")
    assert any("is not a PDF" in m for m in messages_of(_close(simen, case, _decision(scan=fake))))
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "The date of the decision cannot be in the future." in messages_of(
        _close(simen, case, _decision(decision_date=future))
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.ORDERED


def test_a_penalty_after_the_deadline_keeps_the_decision_and_tells_the_township(en, cast):
    case = _case(cast, deadline_days=-1)
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = _close(en("health"), case, _decision())
    assert "Case closed: Closed: penalised." in messages_of(response)
    case.refresh_from_db()
    assert (case.status, case.decision_number, case.decision_department.code) == (
        "penalised", "余市监罚〔2026〕12号", "amr",
    )  # fmt: skip
    assert case.decision_scan.original_name == "处罚决定书.pdf" and case.immediate_reason == ""
    told = set(Notification.objects.filter(pk__gt=last).values_list("recipient__username", flat=True))
    assert "simen" in told and "lizhou" not in told
    assert AuditEvent.objects.filter(event="case.closed", object_id=str(case.pk)).exists()
    # The scan is served to those who see the case only.
    download = en("simen").get(reverse("case_decision_download", args=[case.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert en("lizhou").get(reverse("case_decision_download", args=[case.pk])).status_code == 404
    page = en("simen").get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-decision"' in page and "余市监罚〔2026〕12号" in page


def test_a_ban_before_the_deadline_needs_the_reason_for_closing_at_once(en, cast):
    case = _case(cast, deadline_days=5)
    simen = en("simen")
    response = _close(simen, case, _decision(outcome="banned"))
    assert any("has not passed" in m for m in messages_of(response))
    assert Case.objects.get(pk=case.pk).status == Case.Status.ORDERED
    response = _close(simen, case, _decision(outcome="banned", immediate_reason="发现虐童，存在严重安全隐患"))
    assert "Case closed: Closed: banned (取缔)." in messages_of(response)
    assert Case.objects.get(pk=case.pk).immediate_reason == "发现虐童，存在严重安全隐患"


def test_a_case_never_ordered_to_rectify_is_banned_only_with_the_reason(cast):
    case = _case(cast, deadline_days=None)
    with pytest.raises(ApplicationError) as refused:
        enforcement.case_close(
            actor=cast["simen"], case=case, outcome="banned", note="", decision_number="余〔2026〕1号",
            decision_date=timezone.localdate(), decision_department=Organisation.objects.get(code="amr"),
            scan=_scan(),
        )  # fmt: skip
    assert "immediate_reason" in refused.value.fields
    # Closing as rectified needs no decision.
    assert enforcement.case_close(actor=cast["simen"], case=case, outcome="rectified", note="已办理登记").status == (
        "rectified"
    )


def test_an_overdue_case_escalates_once_to_its_township_and_the_health_bureau(en, cast):
    case = _case(cast, deadline_days=-1)
    on_time = _case(cast, deadline_days=3)
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert cases_escalate_overdue_task.delay().get() == 1
    assert cases_escalate_overdue_task.delay().get() == 0
    told = set(Notification.objects.filter(pk__gt=last).values_list("recipient__username", flat=True))
    assert {"simen", "health"} <= told and "lizhou" not in told
    case.refresh_from_db()
    on_time.refresh_from_db()
    assert case.escalated_at is not None and on_time.escalated_at is None
    assert 'data-testid="case-escalated"' in en("simen").get(reverse("case_detail", args=[case.pk])).content.decode()
