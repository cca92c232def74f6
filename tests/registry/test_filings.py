"""The filing workflow: an institution starts, completes and submits its filing; the health
bureau accepts, returns or rejects it; every refused transition says why and changes nothing.

The cast (tests/conftest.py): ``nursery1`` heads 【演示】泗门镇小星星托育园 (registered, not
filed), ``nursery2`` heads 【演示】梨洲街道阳光宝贝托育中心 (its filing was returned),
``health`` reviews, ``simen`` and ``lizhou`` are the two townships' officials.
"""

import re
import threading
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import resolve, reverse
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification, User
from registry.models import Filing, Institution, NumberSequence
from registry.services import changes as change_services
from registry.services import filings as filing_services
from tests.factories import UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a filing document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NUMBER = re.compile(r"^余卫托备〔(\d{4})〕(\d{4})号$")
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
SHANGHAI = timezone.get_fixed_timezone(8 * 60)
INSTITUTION_A = "demo-simen-xingxing"
INSTITUTION_B = "demo-lizhou-yangguang"


# --- Helpers ------------------------------------------------------------------------------


def institution(code: str) -> Institution:
    return Institution.objects.get(organisation__code=code)


def pdf(name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def url(name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk})


def start(client, kind: str = "initial") -> Filing:
    response = client.post(reverse("filing_start"), {"kind": kind}, follow=True)  # follow: the message is read
    assert response.redirect_chain, messages_of(response)
    return Filing.objects.get(pk=resolve(response.redirect_chain[0][0]).kwargs["pk"])


def upload(client, filing: Filing, kind: str, file=None, *, follow: bool = True):
    data = {"kind": kind, "file": file or pdf(f"{kind}.pdf")}
    return client.post(url("filing_attachment_upload", filing.pk), data, follow=follow)


def complete(client, filing: Filing, *, skip=(), signatory: str = "王园长") -> None:
    """Every required document (except ``skip``) and the signed commitment, through the pages."""
    for kind in filing_services.required_attachments(filing):
        if kind not in skip:
            assert upload(client, filing, kind).status_code == 200
    if signatory:
        data = {"summary": "初次备案", "commitment_signed_by": signatory}
        client.post(url("filing_edit", filing.pk), data, follow=True)


def submitted_filing_of_nursery1(client) -> Filing:
    filing = start(client)
    complete(client, filing)
    client.post(url("filing_submit", filing.pk), follow=True)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.SUBMITTED
    return filing


def events(filing: Filing, event: str) -> int:
    return AuditEvent.objects.filter(event=event, object_id=str(filing.pk), table_name="registry_filing").count()


def snapshot(filing: Filing) -> tuple:
    filing.refresh_from_db()
    institution = Institution.objects.get(pk=filing.institution_id)
    return (
        filing.status, filing.submissions, filing.number, filing.decided_by_id, filing.return_reasons,
        filing.commitment_signed_by, filing.summary, institution.filing_status, institution.status,
        filing.attachments.count(),
    )  # fmt: skip


def second_reviewer() -> User:
    """Another officer of the health bureau."""
    return UserFactory(real_name="测试·卫健局备案员二", member_of="health")


# --- Starting a filing --------------------------------------------------------------------


def test_an_institution_without_a_filing_is_offered_to_start_one(en):
    response = en("nursery1").get(reverse("filing_list"))
    assert response.status_code == 200
    assert response.context["start_kinds"] == [("initial", "Initial filing")]
    assert reverse("filing_start") in response.content.decode()


def test_an_institution_with_an_open_filing_is_not_offered_another(en):
    response = en("nursery2").get(reverse("filing_list"))
    assert response.context["start_kinds"] == []
    assert reverse("filing_start") not in response.content.decode()


def test_the_institution_starts_its_initial_filing_as_a_draft(en, cast):
    filing = start(en("nursery1"))
    assert filing.institution == institution(INSTITUTION_A)
    assert (filing.kind, filing.status, filing.submissions) == ("initial", "draft", 0)
    assert events(filing, "filing.started") == 1


def test_a_second_open_filing_is_refused_with_a_message(en):
    before = Filing.objects.count()
    response = en("nursery2").post(reverse("filing_start"), {"kind": "initial"}, follow=True)
    assert "A filing of this institution is still open; finish it first." in messages_of(response)
    assert Filing.objects.count() == before


@pytest.mark.parametrize("kind", ["bogus", ""])
def test_an_unknown_kind_of_filing_is_refused_with_a_message(en, kind):
    before = Filing.objects.count()
    response = en("nursery1").post(reverse("filing_start"), {"kind": kind}, follow=True)
    assert response.status_code == 200
    assert any(message.startswith("Kind of filing:") for message in messages_of(response))
    assert Filing.objects.count() == before


def test_an_unfiled_institution_cannot_file_a_change(en):
    response = en("nursery1").post(reverse("filing_start"), {"kind": "change"}, follow=True)
    assert "Only a filed institution can file a change or a closure." in messages_of(response)
    assert not institution(INSTITUTION_A).filings.exists()


def test_only_an_institutions_own_officers_start_a_filing(client_as):
    for username in ("health", "simen", "mca", "leader", "stranger"):
        assert client_as(username).post(reverse("filing_start"), {"kind": "initial"}).status_code == 403
    assert not Filing.objects.filter(institution__organisation__code=INSTITUTION_A).exists()


# --- Submitting ---------------------------------------------------------------------------


def test_a_draft_without_its_documents_cannot_be_submitted(en):
    client = en("nursery1")
    filing = start(client)
    response = client.post(url("filing_submit", filing.pk), follow=True)
    [message] = messages_of(response)
    assert message.startswith("Documents missing: Registration certificate or business licence、Proof of premises")
    assert "Signed filing commitment" in message
    assert snapshot(filing)[0] == "draft"


def test_the_food_licence_is_required_only_where_meals_are_served(en):
    client = en("nursery1")
    filing = start(client)
    assert "food_licence" in filing_services.required_attachments(filing)
    complete(client, filing, skip={"food_licence"})
    response = client.post(url("filing_submit", filing.pk), follow=True)
    assert messages_of(response) == ["Documents missing: Food business licence."]
    assert snapshot(filing)[0] == "draft"

    Institution.objects.filter(organisation__code=INSTITUTION_A).update(meals_served=False)
    filing.refresh_from_db()
    assert "food_licence" not in filing_services.required_attachments(filing)
    client.post(url("filing_submit", filing.pk), follow=True)
    assert snapshot(filing)[0] == "submitted"


def test_the_commitment_must_be_signed_before_submission(en):
    client = en("nursery1")
    filing = start(client)
    complete(client, filing, signatory="")
    response = client.post(url("filing_submit", filing.pk), follow=True)
    assert messages_of(response) == ["The filing commitment must be signed (name of the signatory)."]
    assert snapshot(filing)[0] == "draft"


def test_submission_sets_the_due_date_notifies_reviewers_and_is_audited(en, cast):
    client = en("nursery1")
    filing = start(client)
    complete(client, filing)
    response = client.post(url("filing_submit", filing.pk), follow=True)
    filing.refresh_from_db()
    assert filing.status == "submitted" and filing.submissions == 1
    assert filing.due_on == filing_services.workdays.add_working_days(timezone.localdate(filing.submitted_at), 5)
    assert messages_of(response) == [f"Filing submitted. The health bureau reviews it by {filing.due_on}."]
    assert institution(INSTITUTION_A).filing_status == "pending"
    assert events(filing, "filing.submitted") == 1
    notice = Notification.objects.get(recipient=cast["health"], link=f"/registry/filings/{filing.pk}/")
    assert "泗门镇小星星托育园" in notice.title
    # The institution may no longer change it while it is reviewed.
    page = client.get(url("filing_detail", filing.pk))
    assert page.context["can_write"] is False
    assert 'data-testid="institution-forms"' not in page.content.decode()


# --- Due dates over the 2026 holiday calendar ----------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # Friday; Sunday 20 September is a make-up working day: 20, 21, 22, 23, 24.
        (datetime(2026, 9, 18, 10, 0), date(2026, 9, 24)),
        # Thursday; 25–27 September (Mid-Autumn) and 1–7 October (National Day) are holidays:
        # 28, 29, 30 September, 8, 9 October.
        (datetime(2026, 9, 24, 16, 30), date(2026, 10, 9)),
        # Wednesday; Saturday 10 October is a make-up working day: 8, 9, 10, 12, 13 October.
        (datetime(2026, 9, 30, 9, 0), date(2026, 10, 13)),
    ],
)
def test_the_review_is_due_five_working_days_after_submission(cast, monkeypatch, submitted, due):
    filing = Filing.objects.get(institution__organisation__code=INSTITUTION_B, status="returned")
    filing.attachments.filter(kind="fire_safety").update(uploaded_at=filing.decided_at + timedelta(hours=1))  # replaced
    moment = submitted.replace(tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    filing = filing_services.filing_submit(actor=cast["nursery2"], filing=filing)
    assert filing.due_on == due
    assert filing.submitted_at == moment


def test_a_filing_past_its_due_date_is_flagged_overdue(en):
    today = timezone.localdate()
    filing = Filing.objects.get(institution__organisation__code=INSTITUTION_B)
    Filing.objects.filter(pk=filing.pk).update(status="submitted", due_on=today)
    filing.refresh_from_db()
    assert not filing.is_overdue  # due today: still in time
    Filing.objects.filter(pk=filing.pk).update(due_on=today - timedelta(days=1))
    filing.refresh_from_db()
    assert filing.is_overdue

    client = en("health")
    page = client.get(reverse("filing_list"), {"q": "阳光宝贝"}).content.decode()
    assert 'data-testid="overdue"' in page and "Overdue" in page
    detail = client.get(url("filing_detail", filing.pk)).content.decode()
    assert "past the time limit" in detail

    listed = client.get(reverse("filing_list"), {"overdue": "1"}).context["page"].object_list
    assert filing in listed
    assert all(item.is_overdue for item in listed)
    assert not client.get(reverse("filing_list"), {"overdue": "1", "q": "泗门镇爱心"}).context["page"].object_list


# --- Returning and resubmitting ------------------------------------------------------------


def test_the_health_bureau_returns_a_filing_with_a_reason_per_document(en, cast):
    client = en("nursery1")
    filing = submitted_filing_of_nursery1(client)
    review = en("health").get(url("filing_detail", filing.pk))
    fields = [name for name, _label in review.context["return_fields"]]
    assert fields == [f"reason_{kind}" for kind in filing_services.required_attachments(filing)] + ["reason_general"]

    response = en("health").post(
        url("filing_return", filing.pk),
        {"reason_fire_safety": "消防验收意见书已过期。", "reason_premises": " ", "reason_general": "请补充说明。"},
        follow=True,
    )
    assert messages_of(response) == ["Filing returned to the institution for correction."]
    filing.refresh_from_db()
    assert filing.status == "returned"
    assert filing.return_reasons == {"fire_safety": "消防验收意见书已过期。", "general": "请补充说明。"}
    assert filing.decided_by == cast["health"]
    assert events(filing, "filing.returned") == 1
    notice = Notification.objects.get(recipient=cast["nursery1"], link=f"/registry/filings/{filing.pk}/")
    assert "消防验收意见书已过期。" in notice.body

    # The institution sees each reason next to its document, highlighted, and may act again.
    page = client.get(url("filing_detail", filing.pk))
    html = page.content.decode()
    assert 'data-testid="return-reasons"' in html and "消防验收意见书已过期。" in html
    assert page.context["can_write"] is True
    fire = next(item for item in page.context["checklist"] if item["kind"] == "fire_safety")
    assert fire["reason"] == "消防验收意见书已过期。"
    assert re.search(r'<tr class="table-warning">\s*<th scope="row" class="fw-normal">Fire acceptance', html)


def test_a_return_without_any_reason_is_refused(en):
    filing = submitted_filing_of_nursery1(en("nursery1"))
    before = snapshot(filing)
    response = en("health").post(url("filing_return", filing.pk), {"reason_general": "  "}, follow=True)
    assert messages_of(response) == ["Give at least one reason for returning the filing."]
    assert snapshot(filing) == before


def test_nursery2_corrects_its_returned_filing_and_resubmits_it(en, cast):
    client = en("nursery2")
    filing = Filing.objects.get(institution__organisation__code=INSTITUTION_B)
    assert (filing.status, filing.submissions) == ("returned", 1)
    page = client.get(url("filing_detail", filing.pk))
    assert "消防验收意见书已过期，请上传有效文件。" in page.content.decode()

    old = filing.attachments.get(kind="fire_safety")
    response = client.post(url("filing_attachment_delete", old.pk), follow=True)
    assert messages_of(response) == ["fire_safety.pdf removed."]
    assert upload(client, filing, "fire_safety", pdf("消防验收意见书2026.pdf")).status_code == 200
    response = client.post(url("filing_submit", filing.pk), follow=True)
    filing.refresh_from_db()
    assert (filing.status, filing.submissions) == ("submitted", 2)
    assert events(filing, "filing.resubmitted") == 1
    assert Notification.objects.filter(recipient=cast["health"], link=f"/registry/filings/{filing.pk}/").exists()
    # The reviewer still sees what was asked last time.
    review = en("health").get(url("filing_detail", filing.pk)).content.decode()
    assert "Reasons given at the last return" in review


# --- Accepting ----------------------------------------------------------------------------


def test_acceptance_gives_sequential_filing_numbers_and_files_the_institution(en, cast):
    client = en("health")
    waiting = list(Filing.objects.filter(status="submitted", kind="initial").order_by("pk")[:2])
    numbers = []
    for filing in waiting:
        response = client.post(url("filing_accept", filing.pk), {"note": "材料齐全。"}, follow=True)
        filing.refresh_from_db()
        assert filing.status == "accepted"
        assert messages_of(response) == [f"Filing accepted. Filing number: {filing.number}."]
        match = NUMBER.match(filing.number)
        assert match, filing.number
        assert int(match.group(1)) == timezone.localdate().year
        numbers.append(int(match.group(2)))
        inst = Institution.objects.get(pk=filing.institution_id)
        assert (inst.filing_status, inst.status, inst.filing_number) == ("filed", "operating", filing.number)
        assert events(filing, "filing.accepted") == 1
        assert AuditEvent.objects.get(event="filing.accepted", object_id=str(filing.pk)).after == {
            "number": filing.number
        }
        assert filing.decision_note == "材料齐全。"
    assert numbers[1] == numbers[0] + 1


def test_the_institution_is_told_of_the_acceptance_and_prints_its_receipt(en, cast):
    client = en("nursery1")
    filing = submitted_filing_of_nursery1(client)
    en("health").post(url("filing_accept", filing.pk), follow=True)
    filing.refresh_from_db()
    notice = Notification.objects.get(recipient=cast["nursery1"], title__startswith="Filing accepted")
    assert filing.number in notice.body

    detail = client.get(url("filing_detail", filing.pk)).content.decode()
    assert url("filing_receipt", filing.pk) in detail
    response = client.get(url("filing_receipt", filing.pk))
    assert response.status_code == 200
    html = response.content.decode()
    inst = institution(INSTITUTION_A)
    for text in (filing.number, inst.name, inst.credit_code, inst.address, "Company (for-profit)",
                 "Stand-alone nursery", timezone.localdate().isoformat(), "Yuyao Municipal Health Bureau"):  # fmt: skip
        assert text in html, text
    assert "@page" in html and "size: A4" in html and "no-print" in html
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(url("filing_receipt", filing.pk))
    assert chinese.status_code == 200 and filing.number in chinese.content.decode()
    assert 'lang="zh-CN"' in chinese.content.decode()


def test_no_receipt_for_a_filing_that_is_not_accepted(client_as):
    for status in ("returned", "submitted", "rejected"):
        filing = Filing.objects.filter(status=status).first()
        assert client_as("health").get(url("filing_receipt", filing.pk)).status_code == 404


# --- Rejecting ----------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_leaves_the_institution_unfiled(en, cast):
    client = en("nursery1")
    filing = submitted_filing_of_nursery1(client)
    before = snapshot(filing)
    response = en("health").post(url("filing_reject", filing.pk), {"note": ""}, follow=True)
    assert messages_of(response) == ["Give the reason for the rejection."]
    assert snapshot(filing) == before

    response = en("health").post(url("filing_reject", filing.pk), {"note": "场所位于地下室。"}, follow=True)
    assert messages_of(response) == ["Filing rejected."]
    filing.refresh_from_db()
    assert (filing.status, filing.decision_note) == ("rejected", "场所位于地下室。")
    assert institution(INSTITUTION_A).filing_status == "not_filed"
    assert events(filing, "filing.rejected") == 1
    assert Notification.objects.filter(recipient=cast["nursery1"], body="场所位于地下室。").exists()
    page = client.get(url("filing_detail", filing.pk)).content.decode()
    assert 'data-testid="decision-note"' in page and "场所位于地下室。" in page
    # A rejected institution may start again.
    assert client.get(reverse("filing_list")).context["start_kinds"] == [("initial", "Initial filing")]


# --- Change and closure filings -----------------------------------------------------------


def test_a_filed_institution_files_a_change_then_a_closure(en):
    client, health = en("nursery1"), en("health")
    first = submitted_filing_of_nursery1(client)
    health.post(url("filing_accept", first.pk), follow=True)
    first.refresh_from_db()
    number = first.number
    kinds = client.get(reverse("filing_list")).context["start_kinds"]
    assert [kind for kind, _label in kinds] == ["change", "closure"]
    response = client.post(reverse("filing_start"), {"kind": "initial"}, follow=True)
    assert "The institution is already filed; file a change or a closure instead." in messages_of(response)

    change = start(client, "change")
    assert filing_services.required_attachments(change) == ["other"]
    response = client.post(url("filing_submit", change.pk), follow=True)
    assert messages_of(response) == ["Documents missing: Other document."]
    upload(client, change, "other", pdf("变更说明.pdf"))
    client.post(url("filing_edit", change.pk), {"summary": "负责人变更", "commitment_signed_by": ""}, follow=True)
    response = client.post(url("filing_submit", change.pk), follow=True)
    assert messages_of(response) == [
        "The change filing proposes no change: change the institution's record or its classes first."
    ]
    change_services.change_propose(
        actor=User.objects.get(username="nursery1"),
        institution=institution(INSTITUTION_A),
        changes={"person_in_charge": "新负责人"},
    )
    client.post(url("filing_submit", change.pk), follow=True)
    response = health.post(url("filing_accept", change.pk), follow=True)
    assert messages_of(response) == [f"Filing accepted. Filing number: {number}."]
    change.refresh_from_db()
    assert change.status == "accepted" and change.number == ""  # the number stays the institution's
    inst = institution(INSTITUTION_A)
    assert (inst.filing_status, inst.filing_number, inst.status) == ("filed", number, "operating")
    assert number in client.get(url("filing_receipt", change.pk)).content.decode()

    closure = start(client, "closure")
    assert filing_services.required_attachments(closure) == []
    response = client.post(url("filing_submit", closure.pk), follow=True)
    assert messages_of(response) == ["Give the closure date (today or later)."]
    today = timezone.localdate().isoformat()
    data = {
        "summary": "停止办学",
        "commitment_signed_by": "",
        "closure_on": today,
        "placement": "转入泗门镇爱心托育中心",
    }
    client.post(url("filing_edit", closure.pk), data, follow=True)
    client.post(url("filing_submit", closure.pk), follow=True)
    closure.refresh_from_db()
    assert closure.status == "submitted"
    health.post(url("filing_accept", closure.pk), follow=True)
    inst.refresh_from_db()
    assert (inst.status, inst.filing_status) == ("closed", "cancelled")  # closing today: at once
    assert events(closure, "filing.accepted") == 1


# --- Refused transitions change nothing ---------------------------------------------------


def test_accepting_a_draft_is_refused_with_a_message(en):
    filing = start(en("nursery1"))
    before = snapshot(filing)
    response = en("health").post(url("filing_accept", filing.pk), follow=True)
    assert messages_of(response) == [
        "This filing has not been submitted for review (it is Draft); it cannot be decided."
    ]
    assert snapshot(filing) == before
    assert events(filing, "filing.accepted") == 0


def test_resubmitting_an_accepted_filing_is_refused(en):
    client = en("nursery1")
    filing = submitted_filing_of_nursery1(client)
    en("health").post(url("filing_accept", filing.pk), follow=True)
    before = snapshot(filing)
    response = client.post(url("filing_submit", filing.pk), follow=True)
    assert messages_of(response) == ["This filing is Accepted and cannot be submitted."]
    assert snapshot(filing) == before


def test_an_institution_cannot_decide_its_own_filing(client_as):
    filing = submitted_filing_of_nursery1(client_as("nursery1"))
    before = snapshot(filing)
    client = client_as("nursery1")
    assert client.post(url("filing_accept", filing.pk), follow=True).status_code == 403
    assert client.post(url("filing_return", filing.pk), {"reason_general": "x"}).status_code == 403
    assert client.post(url("filing_reject", filing.pk), {"note": "x"}).status_code == 403
    # The township sees the filing but does not decide either.
    assert client_as("simen").post(url("filing_accept", filing.pk), follow=True).status_code == 403
    assert client_as("simen").post(url("filing_reject", filing.pk), {"note": ""}).status_code == 403
    assert snapshot(filing) == before


def test_a_submitted_filing_cannot_be_edited_or_have_documents_changed(en):
    client = en("nursery1")
    filing = submitted_filing_of_nursery1(client)
    before = snapshot(filing)
    response = client.post(url("filing_edit", filing.pk), {"summary": "改", "commitment_signed_by": "李"}, follow=True)
    assert messages_of(response) == ["Only a draft or a returned filing can be edited."]
    response = upload(client, filing, "other")
    assert messages_of(response) == ["Documents can be added only to a draft or a returned filing."]
    attachment = filing.attachments.first()
    response = client.post(url("filing_attachment_delete", attachment.pk), follow=True)
    assert messages_of(response) == ["Documents of a submitted filing cannot be removed."]
    assert snapshot(filing) == before


def test_the_health_bureau_and_township_cannot_write_an_institutions_filing(client_as):
    filing = start(client_as("nursery1"))
    before = snapshot(filing)
    for username in ("health", "simen"):
        client = client_as(username)
        assert client.post(url("filing_edit", filing.pk), {"summary": "x"}).status_code == 403
        assert client.post(url("filing_submit", filing.pk), follow=True).status_code == 403
        assert upload(client, filing, "premises").status_code == 403
    assert snapshot(filing) == before


def test_an_over_long_signatory_is_refused_by_the_form(en):
    client = en("nursery1")
    filing = start(client)
    response = client.post(
        url("filing_edit", filing.pk), {"summary": "", "commitment_signed_by": "名" * 65}, follow=True
    )
    [message] = messages_of(response)
    assert message.startswith("Commitment signed by:")
    assert snapshot(filing)[5] == ""


# --- Two reviewers at once ----------------------------------------------------------------


def test_a_second_decision_after_the_first_is_refused_with_a_message(en, cast):
    other = second_reviewer()
    filing = Filing.objects.filter(status="submitted").first()
    en("health").post(url("filing_accept", filing.pk), follow=True)
    before = snapshot(filing)
    second = en("health")
    second.force_login(other)
    response = second.post(url("filing_return", filing.pk), {"reason_general": "请补充。"}, follow=True)
    assert messages_of(response) == [
        "This filing is no longer waiting for review (it is Accepted); someone else may have decided it."
    ]
    assert snapshot(filing) == before
    assert filing.decided_by == cast["health"]
    assert events(filing, "filing.returned") == 0


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so two decisions cannot overlap there; "
    "the sequential test covers the refusal on both databases",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["accept", "return"])
def test_two_reviewers_deciding_the_same_filing_at_once_exactly_one_wins(second):
    reviewers = [User.objects.get(username="health"), second_reviewer()]
    filing = Filing.objects.filter(status="submitted", kind="initial").order_by("pk").first()
    year = timezone.localdate().year
    sequence = NumberSequence.objects.filter(kind="filing", year=year).first()
    last_number = sequence.last if sequence else 0
    actions = {
        "accept": lambda actor: filing_services.filing_accept(actor=actor, filing=filing, note="同意"),
        "return": lambda actor: filing_services.filing_return(actor=actor, filing=filing, reasons={"general": "补"}),
    }
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def decide(index, action):
        try:
            with translation.override("en"):  # a new thread starts in the default language
                barrier.wait(timeout=10)
                results[index] = actions[action](reviewers[index])
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(0, "accept")), threading.Thread(target=decide, args=(1, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    winners = [index for index, result in results.items() if isinstance(result, Filing)]
    losers = [result for result in results.values() if isinstance(result, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "no longer waiting for review" in losers[0].message
    filing.refresh_from_db()
    won = "accept" if winners[0] == 0 else second
    assert filing.status == {"accept": "accepted", "return": "returned"}[won]
    assert filing.decided_by == reviewers[winners[0]]
    decisions = AuditEvent.objects.filter(
        event__in=["filing.accepted", "filing.returned"], object_id=str(filing.pk)
    ).count()
    assert decisions == 1
    sequence = NumberSequence.objects.filter(kind="filing", year=year).first()
    assert (sequence.last if sequence else 0) == last_number + (1 if won == "accept" else 0)


# --- What each user sees ------------------------------------------------------------------


def test_the_health_bureau_sees_every_filing_waiting_ones_first_by_due_date(en):
    page = en("health").get(reverse("filing_list")).context["page"]
    assert page.paginator.count == Filing.objects.count()
    rows = list(page.object_list)
    waiting = [filing for filing in rows if filing.status == "submitted"]
    assert rows[: len(waiting)] == waiting
    assert [filing.due_on for filing in waiting] == sorted(filing.due_on for filing in waiting)


def test_an_institution_sees_only_its_own_filings(en):
    start(en("nursery1"))
    rows = en("nursery1").get(reverse("filing_list")).context["page"].object_list
    assert {filing.institution.organisation.code for filing in rows} == {INSTITUTION_A}
    rows = en("nursery2").get(reverse("filing_list")).context["page"].object_list
    assert {filing.institution.organisation.code for filing in rows} == {INSTITUTION_B}


def test_a_township_sees_the_filings_in_its_territory_read_only(en):
    rows = list(en("simen").get(reverse("filing_list")).context["page"].object_list)
    assert rows and {filing.institution.township.code for filing in rows} == {"330281103"}
    waiting = next(filing for filing in rows if filing.status == "submitted")
    page = en("simen").get(url("filing_detail", waiting.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert not page.context["can_write"] and not page.context["can_decide"]
    assert 'data-testid="review-forms"' not in html and 'data-testid="institution-forms"' not in html
    assert url("filing_attachment_download", waiting.attachments.first().pk) in html
    assert en("lizhou").get(url("filing_detail", waiting.pk)).status_code == 404


def test_departments_without_the_review_duty_see_no_filings(en):
    for username in ("mca", "amr", "fire", "leader", "stranger", "auditor"):
        page = en(username).get(reverse("filing_list"))
        assert page.status_code == 200
        assert page.context["page"].paginator.count == 0, username


def test_the_list_filters_by_status_and_institution_name(en):
    client = en("health")
    rows = client.get(reverse("filing_list"), {"status": "returned"}).context["page"].object_list
    assert rows and {filing.status for filing in rows} == {"returned"}
    rows = client.get(reverse("filing_list"), {"q": "阳光宝贝"}).context["page"].object_list
    assert [filing.institution.name for filing in rows] == ["【演示】梨洲街道阳光宝贝托育中心"]


def test_an_invalid_filter_lists_nothing_and_says_why(en):
    response = en("health").get(reverse("filing_list"), {"status": "bogus"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "The filter is not valid" in response.content.decode()


def test_the_reviewer_sees_the_class_standards_warnings_and_the_decision_forms(en):
    filing = Filing.objects.get(institution__name="【演示】泗门镇爱心托育中心")
    page = en("health").get(url("filing_detail", filing.pk))
    html = page.content.decode()
    assert page.context["can_decide"] and not page.context["can_write"]
    assert 'data-testid="standards-warnings"' in html
    assert "17 children enrolled but only 15 places." in html
    assert 'data-testid="review-forms"' in html
    for name in ("reason_fire_safety", "reason_food_licence", "reason_general"):
        assert f'name="{name}"' in html
    assert all(item["attachments"] for item in page.context["checklist"])
    # The institution's own forms are not the reviewer's.
    assert 'data-testid="institution-forms"' not in html


def test_the_institution_sees_which_required_documents_are_missing(en):
    client = en("nursery1")
    filing = start(client)
    upload(client, filing, "premises")
    page = client.get(url("filing_detail", filing.pk))
    present = {item["kind"]: bool(item["attachments"]) for item in page.context["checklist"]}
    assert present["premises"] is True
    assert [kind for kind, there in present.items() if not there] == [
        "registration_certificate", "fire_safety", "health_evaluation", "food_licence", "staff_qualifications",
        "commitment",
    ]  # fmt: skip
    html = page.content.decode()
    assert html.count("✗ missing") == 6
    assert 'data-testid="institution-forms"' in html and 'data-testid="review-forms"' not in html


# --- Query counts -------------------------------------------------------------------------


def _add_filings(count: int) -> None:
    """Closed filings (accepted or rejected) spread over 泗门镇's institutions and institution A."""
    health = User.objects.get(username="health")
    targets = list(Institution.objects.filter(township__code="330281103"))
    now = timezone.now()
    Filing.objects.bulk_create(
        Filing(
            institution=targets[index % len(targets)], kind="initial",
            status="rejected" if index % 2 else "accepted", submissions=1, submitted_at=now - timedelta(days=9),
            due_on=timezone.localdate() - timedelta(days=2), decided_at=now, decided_by=health,
            number="" if index % 2 else f"余卫托备〔2025〕Q{index:04d}号",
        )
        for index in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("size", [10, 60])
@pytest.mark.parametrize("username", ["health", "simen", "nursery1"])
def test_the_filing_list_page_and_api_keep_a_fixed_number_of_queries(
    size, username, client_as, django_assert_max_num_queries
):
    _add_filings(size)
    client = client_as(username)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("filing_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(25, response.context["page"].paginator.count)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("filing_list"), {"overdue": "1", "q": "演示", "status": "submitted"})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("api_filing_list")).status_code == 200


def test_the_filing_page_keeps_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    filing = Filing.objects.get(institution__name="【演示】泗门镇爱心托育中心")
    for username in ("health", "simen"):
        client = client_as(username)
        # 16, 4 for the workforce panel (rate, roster checks) and 2 for the risk panel (score, weights).
        with django_assert_max_num_queries(22):
            assert client.get(url("filing_detail", filing.pk)).status_code == 200


# --- The API ------------------------------------------------------------------------------


def test_api_lists_the_review_queue_with_filters(client_as):
    client = client_as("health")
    body = client.get("/api/v1/filings/", {"status": "submitted"}).json()
    assert body["count"] == Filing.objects.filter(status="submitted").count()
    first = body["results"][0]
    assert set(first) >= {"id", "institution", "kind", "status", "submitted_at", "due_on", "is_overdue", "number"}
    assert [row["due_on"] for row in body["results"]] == sorted(row["due_on"] for row in body["results"])
    overdue = client.get("/api/v1/filings/", {"overdue": "true"}).json()
    assert overdue["count"] >= 1 and all(row["is_overdue"] for row in overdue["results"])
    named = client.get("/api/v1/filings/", {"q": "阳光宝贝"}).json()
    assert [row["institution"]["name"] for row in named["results"]] == ["【演示】梨洲街道阳光宝贝托育中心"]


def test_api_refuses_a_bad_filter_in_the_error_shape(client_as):
    response = client_as("health").get("/api/v1/filings/", {"status": "bogus"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "status" in error["fields"]


def test_api_scopes_the_list_like_the_pages(client_as):
    assert {row["institution"]["name"] for row in client_as("nursery2").get("/api/v1/filings/").json()["results"]} == {
        "【演示】梨洲街道阳光宝贝托育中心"
    }
    assert client_as("mca").get("/api/v1/filings/").json()["count"] == 0


def test_api_detail_shows_documents_and_what_is_missing(client_as):
    filing = Filing.objects.get(institution__organisation__code=INSTITUTION_B)
    body = client_as("nursery2").get(f"/api/v1/filings/{filing.pk}/").json()
    assert body["status"] == "returned"
    assert body["return_reasons"]["fire_safety"].startswith("消防验收意见书")
    assert body["missing_documents"] == []
    assert "commitment" in body["required_documents"]
    attachment = body["attachments"][0]
    assert attachment["download_url"] == reverse("filing_attachment_download", kwargs={"pk": attachment["id"]})
    assert client_as("nursery1").get(f"/api/v1/filings/{filing.pk}/").status_code == 404


def test_api_resubmission_return_and_acceptance(client_as, cast):
    filing = Filing.objects.get(institution__organisation__code=INSTITUTION_B)
    upload(client_as("nursery2"), filing, "fire_safety")  # the document the return named is replaced
    response = client_as("nursery2").post(f"/api/v1/filings/{filing.pk}/submit/")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["submissions"]) == ("submitted", 2)

    health = client_as("health")
    response = health.post(
        f"/api/v1/filings/{filing.pk}/return/",
        {"reasons": {"premises": "租赁合同已到期。", "general": ""}, "note": "请补正"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["return_reasons"] == {"premises": "租赁合同已到期。"}

    upload(client_as("nursery2"), filing, "premises")
    assert client_as("nursery2").post(f"/api/v1/filings/{filing.pk}/submit/").status_code == 200
    response = health.post(f"/api/v1/filings/{filing.pk}/accept/", {"note": "同意"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert NUMBER.match(response.json()["number"])
    assert events(filing, "filing.accepted") == 1


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("return", {"reasons": {}}, "reasons"),
        ("return", {"reasons": {"general": "   "}}, "reasons"),
        ("return", {"reasons": {"swimming_pool": "?"}}, "reasons"),
        ("return", {"reasons": "请补正"}, "reasons"),
        ("return", {}, "reasons"),
        ("reject", {}, "note"),
        ("reject", {"note": "   "}, "note"),
        ("accept", {"note": "x" * 2001}, "note"),
    ],
)
def test_api_bad_decision_input_answers_400_with_field_errors_and_changes_nothing(client_as, action, body, field):
    filing = Filing.objects.filter(status="submitted").first()
    before = snapshot(filing)
    response = client_as("health").post(f"/api/v1/filings/{filing.pk}/{action}/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    assert snapshot(filing) == before


def test_api_refused_transitions_answer_400_or_403_and_change_nothing(client_as):
    draft = Filing.objects.filter(status="draft").first()
    before = snapshot(draft)
    response = client_as("health").post(f"/api/v1/filings/{draft.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 400
    assert "尚未提交审核" in response.json()["error"]["message"]  # the API speaks the portal's language
    own = Filing.objects.get(institution__organisation__code=INSTITUTION_B)
    own_before = snapshot(own)
    Filing.objects.filter(pk=own.pk).update(status="submitted")
    response = client_as("nursery2").post(f"/api/v1/filings/{own.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    Filing.objects.filter(pk=own.pk).update(status="returned")
    assert snapshot(own) == own_before
    assert snapshot(draft) == before


def test_the_filing_endpoints_are_in_the_openapi_schema(client_as):
    schema = client_as("health").get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/filings/", "/api/v1/filings/{id}/", "/api/v1/filings/{id}/return/"):
        assert path in schema
    assert "FilingReturn" in schema and "FilingStatusEnum" in schema
