"""Education approves nursery classes (issue 13 point 5, Annex 2: 教育部门负责辖区内托幼一体化
服务机构的审批登记): a kindergarten nursery class files with the health bureau only after the
education bureau (``edu``) approves it; ``edu`` has its queue with approve / refuse-with-reason.

The cast: ``nursery1`` heads 【演示】泗门镇小星星托育园, turned into a nursery class here;
``edu`` approves; the demo's 【演示】阳明街道实验幼儿园托班 waits in ``edu``'s queue."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification
from registry.models import Filing, Institution
from registry.services import approvals
from registry.services.institutions import grant_followers, institution_update
from tests.factories import InstitutionFactory
from tests.helpers import messages_of
from tests.registry.test_filings import INSTITUTION_A, complete, start, url

pytestmark = pytest.mark.django_db
Approval = Institution.EducationApproval
QUEUE = reverse("nursery_class_queue")


def nursery1_as_nursery_class() -> Institution:
    Institution.objects.filter(organisation__code=INSTITUTION_A).update(
        provider_type=Institution.ProviderType.KINDERGARTEN_CLASS, education_approval=Approval.PENDING
    )
    institution = Institution.objects.get(organisation__code=INSTITUTION_A)
    grant_followers(institution)  # the education bureau follows nursery classes
    return institution


def decide(client, institution, decision, reason=""):
    return client.post(
        reverse("nursery_class_decide", args=[institution.pk]), {"decision": decision, "reason": reason}, follow=True
    )


def test_a_nursery_class_files_only_after_education_approves_it(en, cast):
    institution = nursery1_as_nursery_class()
    client = en("nursery1")
    filing = start(client)
    complete(client, filing)

    response = client.post(url("filing_submit", filing.pk), follow=True)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT
    assert any("only after the education bureau approves" in m for m in messages_of(response))

    assert institution.name in en("edu").get(QUEUE).content.decode()
    decide(en("edu"), institution, "approve")
    institution.refresh_from_db()
    assert (institution.education_approval, institution.education_decided_by) == (Approval.APPROVED, cast["edu"])
    assert Notification.objects.filter(recipient=cast["nursery1"], title__contains="Approved by the education").exists()
    assert AuditEvent.objects.filter(event="nursery_class.approved", object_id=str(institution.pk)).exists()

    client.post(url("filing_submit", filing.pk))
    filing.refresh_from_db()
    assert filing.status == Filing.Status.SUBMITTED
    assert institution.name not in en("edu").get(QUEUE).content.decode()


def test_a_refusal_needs_a_reason_tells_the_institution_and_correcting_the_record_asks_again(en, cast):
    institution = nursery1_as_nursery_class()
    response = decide(en("edu"), institution, "refuse", "  ")
    institution.refresh_from_db()
    assert institution.education_approval == Approval.PENDING
    assert "Give the reason for the refusal." in messages_of(response)

    decide(en("edu"), institution, "refuse", "园舍未通过教育部门验收")
    institution.refresh_from_db()
    assert (institution.education_approval, institution.education_note) == (Approval.REFUSED, "园舍未通过教育部门验收")
    note = Notification.objects.get(recipient=cast["nursery1"], title__contains="Refused by the education")
    assert "园舍未通过教育部门验收" in note.body
    page = en("nursery1").get(reverse("institution_detail", args=[institution.pk])).content.decode()
    assert "Refused by education: 园舍未通过教育部门验收" in page
    filing = start(en("nursery1"))
    complete(en("nursery1"), filing)
    response = en("nursery1").post(url("filing_submit", filing.pk), follow=True)
    assert any("园舍未通过教育部门验收" in m for m in messages_of(response))

    institution_update(actor=cast["nursery1"], institution=institution, address="泗门镇新园址1号")
    institution.refresh_from_db()
    assert institution.education_approval == Approval.PENDING


def test_of_two_officers_deciding_at_once_one_wins(cast):
    institution = nursery1_as_nursery_class()
    approvals.nursery_class_approve(actor=cast["edu"], institution=institution)
    with translation.override("en"), pytest.raises(ApplicationError, match="no longer waiting"):
        approvals.nursery_class_refuse(actor=cast["edu"], institution=institution, reason="迟到的决定")
    institution.refresh_from_db()
    assert institution.education_approval == Approval.APPROVED


def test_only_the_education_bureau_decides_and_other_types_need_no_approval(client_as, cast):
    institution = nursery1_as_nursery_class()
    assert client_as("health").get(QUEUE).status_code == 403
    assert client_as("health").post(reverse("nursery_class_decide", args=[institution.pk])).status_code == 403
    standalone = InstitutionFactory()
    assert standalone.education_approval == ""
    assert InstitutionFactory(provider_type=Institution.ProviderType.KINDERGARTEN_CLASS).education_approval == (
        Approval.PENDING
    )


def test_the_demo_has_a_nursery_class_waiting_for_edu(client_as):
    response = client_as("edu").get(QUEUE)
    assert [i.name for i in response.context["page"]] == ["【演示】阳明街道实验幼儿园托班"]


@pytest.mark.parametrize("size", [2, 30])
def test_the_queue_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    for _ in range(size):
        InstitutionFactory(provider_type=Institution.ProviderType.KINDERGARTEN_CLASS)
    client = client_as("edu")
    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)
    assert response.status_code == 200 and len(response.context["page"].object_list) == min(25, size + 1)
