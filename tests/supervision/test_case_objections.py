"""Objections to case decisions (issue 15, point 3; 行政处罚法 arts. 44–45, 62): a penalty or a
ban on a registered institution is first a notice to it — the facts, the reasons, the legal
basis, the decision, its date and the last day to object — and takes effect only when that
day has passed with no objection, or when the objection is answered: upheld, as decided;
changed, as changed, never heavier. The institution reads the notice, never the case.

The cast (tests/conftest.py): ``simen`` is 泗门镇's government, which records and decides the
case and so answers the objection; ``nursery1`` heads institution A in 泗门镇, the party;
``nursery2`` heads institution B elsewhere; ``health`` handles cases city-wide.
"""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification, Organisation, Region
from inspections.models import Case
from inspections.services import enforcement
from registry.models import Institution, Parameter
from supervision.models import Objection
from supervision.services import objections as services
from supervision.tasks import case_decisions_take_effect_task
from tests.factories import UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

SIMEN = "330281103"
INSTITUTION_A = "demo-simen-xingxing"
PDF = b"%PDF-1.4\n% a decision\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
FOUND = "调查记录：举报人称其孩子在此受伤（不得向当事人展示）"


def _institution() -> Institution:
    Institution.objects.filter(organisation__code=INSTITUTION_A).update(status=Institution.Status.OPERATING)
    return Institution.objects.get(organisation__code=INSTITUTION_A)


def _decided(cast, outcome: str = Case.Status.PENALISED, institution: Institution | None = None) -> Case:
    institution = institution or _institution()
    case = enforcement.case_record(
        actor=cast["simen"], provider_name=institution.name, place=institution.address or "泗门镇",
        township=Region.objects.get(code=SIMEN), found=FOUND, found_on=timezone.localdate(),
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(institution=institution)
    return enforcement.case_close(
        actor=cast["simen"], case=Case.objects.get(pk=case.pk), outcome=outcome, note="超范围收托，情节较重",
        decision_number="余泗罚〔2026〕7号", decision_date=timezone.localdate(),
        decision_department=Organisation.objects.get(code=f"township-{SIMEN}"),
        scan=SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf"),
        immediate_reason="存在安全隐患", facts="2026年收托婴幼儿23名，超过备案托位", basis="《托育机构管理规范》第十条",
    )  # fmt: skip


def _object(client, case: Case, reasons: str = "已退托3名，现收托20名，附名册"):
    evidence = SimpleUploadedFile("名册.pdf", PDF, content_type="application/pdf")
    return client.post(reverse("objection_create", args=["case", case.pk]), {"reasons": reasons, "evidence": evidence})


def _answer(client, objection: Objection, outcome: str, changed_outcome: str = ""):
    data = {"outcome": outcome, "answer": "经复核", "changed_outcome": changed_outcome}
    return client.post(reverse("objection_answer", args=[objection.pk]), data, follow=True)


def test_a_decision_on_an_institution_is_a_notice_first_and_waits_for_the_answer(client_as, cast):
    case = _decided(cast)
    assert case.status == Case.Status.PENALISED and case.in_force_at is None
    assert case.objection_deadline is not None and case.objection_deadline > timezone.localdate()
    notice = Notification.objects.filter(recipient=cast["nursery1"], link=f"/supervision/case-decisions/{case.pk}/")
    assert notice.exists()
    # The township hears of the closing when it takes effect, not before.
    assert not Notification.objects.filter(recipient=cast["simen"], link=f"/inspections/cases/{case.pk}/").exists()

    party = client_as("nursery1")
    page = party.get(reverse("case_decision_detail", args=[case.pk])).content.decode()
    for shown in ("余泗罚〔2026〕7号", "超范围收托，情节较重", "超过备案托位", "《托育机构管理规范》第十条",
                  case.objection_deadline.isoformat()):  # fmt: skip
        assert shown in page
    assert FOUND not in page and "举报人" not in page
    listed = party.get(reverse("case_decision_list")).content.decode()
    assert "余泗罚〔2026〕7号" in listed
    assert reverse("case_decision_list") in party.get(reverse("home")).content.decode()

    response = _object(party, case)
    objection = Objection.objects.get(case=case)
    assert response.status_code == 302 and response.url == reverse("objection_detail", args=[objection.pk])
    assert objection.department.code == f"township-{SIMEN}" and objection.evidence is not None
    assert Notification.objects.filter(recipient=cast["simen"], link=f"/supervision/objections/{objection.pk}/")

    # The last day passes while the objection waits: the decision still waits.
    Case.objects.filter(pk=case.pk).update(objection_deadline=timezone.localdate() - timedelta(days=1))
    assert case_decisions_take_effect_task() == {"in_force": 0}
    assert Case.objects.get(pk=case.pk).in_force_at is None
    department_page = client_as("simen").get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-objections-panel"' in department_page and "已退托3名" in department_page

    _answer(client_as("simen"), objection, "upheld")
    case.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD and case.in_force_at is not None
    assert case.status == Case.Status.PENALISED
    assert Notification.objects.filter(recipient=cast["simen"], link=f"/inspections/cases/{case.pk}/").exists()
    events = list(
        AuditEvent.objects.filter(object_id__in=[str(case.pk), str(objection.pk)]).values_list("event", flat=True)
    )
    assert {"case.closed", "objection.submitted", "objection.answered", "case.in_force"} <= set(events)


def test_an_upheld_ban_closes_the_institution_and_a_lighter_change_does_not(client_as, cast):
    institution = _institution()
    banned = _decided(cast, Case.Status.BANNED, institution)
    assert Institution.objects.get(pk=institution.pk).status == Institution.Status.OPERATING
    _object(client_as("nursery1"), banned)
    response = _answer(client_as("simen"), Objection.objects.get(case=banned), "changed", Case.Status.PENALISED)
    assert response.status_code == 200
    banned.refresh_from_db()
    objection = Objection.objects.get(case=banned)
    assert objection.status == Objection.Status.CHANGED and objection.changed_outcome == Case.Status.PENALISED
    assert banned.status == Case.Status.PENALISED and banned.in_force_at is not None
    assert Institution.objects.get(pk=institution.pk).status == Institution.Status.OPERATING
    assert AuditEvent.objects.filter(event="case.changed_on_objection", object_id=str(banned.pk)).exists()

    again = _decided(cast, Case.Status.BANNED, institution)
    _object(client_as("nursery1"), again)
    _answer(client_as("simen"), Objection.objects.get(case=again), "upheld")
    assert Institution.objects.get(pk=institution.pk).status == Institution.Status.CLOSED


def test_a_decision_changed_on_objection_cannot_be_heavier(en, cast):
    case = _decided(cast, Case.Status.PENALISED)
    _object(en("nursery1"), case)
    objection = Objection.objects.get(case=case)
    response = _answer(en("simen"), objection, "changed", Case.Status.BANNED)
    assert (
        "A decision changed on objection cannot be heavier than the decision the institution objected to."
        in messages_of(response)
    )
    case.refresh_from_db()
    objection.refresh_from_db()
    assert case.status == Case.Status.PENALISED and case.in_force_at is None
    assert objection.status == Objection.Status.PENDING
    # Changed without saying to what: refused too, nothing changed.
    with pytest.raises(ApplicationError):
        services.objection_answer(actor=cast["simen"], objection=objection, changed=True, answer="减轻")
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.PENDING


def test_with_no_objection_the_decision_takes_effect_once_the_last_day_has_passed(cast):
    institution = _institution()
    case = _decided(cast, Case.Status.BANNED, institution)
    assert case_decisions_take_effect_task() == {"in_force": 0}
    Case.objects.filter(pk=case.pk).update(objection_deadline=timezone.localdate() - timedelta(days=1))
    assert case_decisions_take_effect_task() == {"in_force": 1}
    case.refresh_from_db()
    assert case.in_force_at is not None
    assert Institution.objects.get(pk=institution.pk).status == Institution.Status.CLOSED
    event = AuditEvent.objects.get(event="case.in_force", object_id=str(case.pk))
    assert event.after["reason"] == "no_objection"
    assert case_decisions_take_effect_task() == {"in_force": 0}


def test_an_objection_after_the_last_day_is_refused_in_chinese_and_nothing_is_stored(client_as, cast):
    Parameter.objects.filter(key="objection.working_days").update(value=2)
    case = _decided(cast)
    Case.objects.filter(pk=case.pk).update(objection_deadline=timezone.localdate() - timedelta(days=1))
    response = _object(client_as("nursery1"), case)
    assert response.status_code == 200
    assert "陈述申辩期限已于" in response.content.decode()
    assert not Objection.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).in_force_at is None


def test_another_institution_and_the_departments_get_404_for_the_notice(client_as, cast):
    case = _decided(cast)
    for username in ("nursery2", "fire", "amr"):
        client = client_as(username)
        assert client.get(reverse("case_decision_detail", args=[case.pk])).status_code == 404, username
    assert _object(client_as("nursery2"), case).status_code == 404
    assert not Objection.objects.filter(case=case).exists()
    assert "余泗罚" not in client_as("nursery2").get(reverse("case_decision_list")).content.decode()


def test_a_case_with_no_institution_takes_effect_when_it_is_closed(cast):
    case = enforcement.case_record(
        actor=cast["simen"], provider_name="无证看护点", place="泗门镇某村", township=Region.objects.get(code=SIMEN),
        found="未登记", found_on=timezone.localdate(),
    )  # fmt: skip
    case = enforcement.case_close(actor=cast["simen"], case=case, outcome=Case.Status.RECTIFIED, note="已整改")
    assert case.in_force_at is not None and case.objection_deadline is None


def test_a_notice_needs_its_facts_and_legal_basis(en, cast):
    institution = _institution()
    case = enforcement.case_record(
        actor=cast["simen"], provider_name=institution.name, place="泗门镇", township=Region.objects.get(code=SIMEN),
        found=FOUND, found_on=timezone.localdate(),
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(institution=institution)
    data = {
        "outcome": "penalised", "note": "理由", "decision_number": "余泗罚〔2026〕8号",
        "decision_date": timezone.localdate().isoformat(),
        "decision_department": Organisation.objects.get(code=f"township-{SIMEN}").pk,
        "scan": SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf"), "immediate_reason": "隐患",
    }  # fmt: skip
    response = en("simen").post(reverse("case_close", args=[case.pk]), data, follow=True)
    assert "Write the legal basis of the decision: the institution reads it." in messages_of(response)
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


@pytest.mark.skipif(not POSTGRES, reason="SQLite lets one writer in at a time: two answers cannot overlap there")
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_cannot_both_win():
    """Two officers answer the same objection at the same moment (one upholds, one changes):
    the objection's lock lets one through; the other is told it was answered."""
    from accounts.models import User

    cast = {name: User.objects.get(username=name) for name in ("simen", "nursery1")}
    case = _decided(cast)
    objection = services.objection_submit(actor=cast["nursery1"], subject="case", contested=case, reasons="申辩")
    officers = [cast["simen"], UserFactory(real_name="测试·泗门镇二", member_of=f"township-{SIMEN}")]
    results: dict[int, object] = {}
    barrier = threading.Barrier(2)

    def answer(index):
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = services.objection_answer(
                    actor=officers[index], objection=objection, changed=bool(index), answer="答复",
                    changed_outcome=Case.Status.RECTIFIED if index else "",
                )  # fmt: skip
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [index for index, result in results.items() if isinstance(result, Objection)]
    assert len(winners) == 1 and len(results) == 2, results
    case.refresh_from_db()
    assert case.status == (Case.Status.RECTIFIED if winners[0] else Case.Status.PENALISED)
    assert AuditEvent.objects.filter(event="objection.answered", object_id=str(objection.pk)).count() == 1
    assert AuditEvent.objects.filter(event="case.in_force", object_id=str(case.pk)).count() == 1


def test_a_second_answer_is_refused_and_changes_nothing(cast):
    case = _decided(cast)
    objection = services.objection_submit(actor=cast["nursery1"], subject="case", contested=case, reasons="申辩")
    stale = Objection.objects.get(pk=objection.pk)
    services.objection_answer(actor=cast["simen"], objection=objection, changed=False, answer="维持")
    with pytest.raises(ApplicationError, match="already been answered|已答复"):
        services.objection_answer(
            actor=cast["simen"], objection=stale, changed=True, answer="改为整改", changed_outcome=Case.Status.RECTIFIED
        )
    case.refresh_from_db()
    assert case.status == Case.Status.PENALISED
    assert AuditEvent.objects.filter(event="case.in_force", object_id=str(case.pk)).count() == 1


def test_the_notice_pages_and_the_case_page_keep_their_query_count(client_as, cast, django_assert_max_num_queries):
    first = _decided(cast)
    services.objection_submit(actor=cast["nursery1"], subject="case", contested=first, reasons="申辩")
    party, department = client_as("nursery1"), client_as("simen")
    pages = (
        (party, reverse("case_decision_list")),
        (party, reverse("case_decision_detail", args=[first.pk])),
        (department, reverse("case_detail", args=[first.pk])),
    )
    counts = []
    for client, url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    for _ in range(3):
        case = _decided(cast)
        services.objection_submit(actor=cast["nursery1"], subject="case", contested=case, reasons="申辩")
    for (client, url), count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_demo_case_decision_waits_for_the_township_s_answer(client_as):
    objection = Objection.objects.get(subject=Objection.Subject.CASE, reasons__startswith="【演示】")
    assert objection.status == Objection.Status.PENDING and objection.department.code == f"township-{SIMEN}"
    assert objection.case.in_force_at is None
    assert "待答复的陈述申辩" in client_as("simen").get(reverse("home")).content.decode()
    assert "【演示】余泗综执罚" in client_as("nursery1").get(reverse("case_decision_list")).content.decode()
