"""Enforcement through the pages and the API: rectification orders (answer with evidence,
verification, ad-hoc issue, overdue and escalated flags), revocation referrals and the
authority's decision, cases against unregistered providers, the lifetime ban list.

The cast (tests/conftest.py): ``health`` issues orders and keeps the ban list, ``fire``
verifies fire items, ``amr`` registers companies (institution A, ``nursery1``'s, is one),
``mca`` social organisations (institution B, ``nursery2``'s), ``simen`` and ``lizhou`` are the
two townships' officials. The public security bureau has no demo account: tests make one.
"""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts import idnumbers
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.models import Membership, Organisation, SecurityEvent, User
from inspections.models import (
    AnnualReview,
    Area,
    BanEntry,
    Case,
    ChecklistItem,
    InspectionFile,
    RectificationOrder,
    RevocationReferral,
)
from inspections.services import cycles, decisions, enforcement, findings
from inspections.tasks import orders_escalate_overdue_task
from paperwork import files
from registry.models import Institution, Registration

# The permission matrix first: importing it gathers every module of tests/matrix/, which would
# find this area's module half-loaded if that module were imported first.
from tests.factories import ReviewCycleFactory, UserFactory, areas_not_applicable
from tests.helpers import messages_of
from tests.matrix import inspections_enforcement as matrix

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence of a rectification\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
INSTITUTION_A = matrix.INSTITUTION_A
INSTITUTION_B = matrix.INSTITUTION_B
SIMEN, LIZHOU = matrix.TOWNSHIP_A, matrix.TOWNSHIP_B
BARRED_ID = matrix.BARRED_ID
ID_PATTERN = re.compile(r"\d{17}[\dX]")


# --- Helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_ban_check_allowance():
    """The hourly allowance of ban checks lives in the cache: each test starts and ends clean."""
    cache.clear()
    yield
    cache.clear()


def valid_id(first17: str) -> str:
    """A resident ID number with its GB 11643 check character."""
    return first17 + idnumbers.check_character(first17)


def url(name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk})


def institution(code: str) -> Institution:
    return Institution.objects.get(organisation__code=code)


def member(username: str, organisation: Organisation, role: str = Membership.Role.HEAD) -> User:
    """A user of ``organisation`` (the demo has heads only for nursery1 and nursery2)."""
    return UserFactory(username=username, real_name=f"测试·{username}", member_of=organisation, member_of__role=role)


def police_officer() -> User:
    return member("police1", Organisation.objects.get(code="police"), Membership.Role.OFFICER)


def demo_order() -> RectificationOrder:
    """The order the demo issued after its failed annual review (which institution it is
    depends on the database's sort order of names, so it is looked up)."""
    return RectificationOrder.objects.select_related("institution__organisation").get(
        review__isnull=False, review__result="fail", number__startswith="余卫托整"
    )


def pdf(name: str = "整改照片.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def login(client_factory, user: User):
    client = client_factory(None)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.cookies["django_language"] = "en"
    return client


def order_numbers(response) -> set[str]:
    return {order.number for order in response.context["page"].object_list}


def ad_hoc_order(code: str = INSTITUTION_A, **changes) -> RectificationOrder:
    order = decisions.order_issue(
        actor=User.objects.get(username="health"),
        institution=institution(code),
        items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        deadline=timezone.localdate() + timedelta(days=10),
    )
    if changes:
        RectificationOrder.objects.filter(pk=order.pk).update(**changes)
        order.refresh_from_db()
    return order


# --- Rectification orders: answer with evidence, verification -----------------------------


def test_the_failed_demo_institution_answers_with_evidence_and_the_fire_brigade_verifies(client_as, en):
    order = demo_order()
    assert order.status == RectificationOrder.Status.OPEN
    head = member("demo-failed-head", order.institution.organisation)
    client = login(client_as, head)

    listed = client.get(reverse("order_list"))
    assert order.number in order_numbers(listed)
    page = client.get(url("order_detail", order.pk))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="answer-forms"' in html and "清理疏散通道杂物" in html
    assert 'data-testid="verify-form"' not in html

    # Evidence: a real PDF is kept; a text file named .pdf is refused and nothing is saved.
    response = client.post(url("order_evidence_upload", order.pk), {"file": pdf()}, follow=True)
    assert "整改照片.pdf added as evidence." in messages_of(response)
    fake = SimpleUploadedFile("假照片.pdf", b"just text, not a PDF", content_type="application/pdf")
    response = client.post(url("order_evidence_upload", order.pk), {"file": fake}, follow=True)
    assert any("假照片.pdf is not a PDF, JPEG or PNG" in message for message in messages_of(response))
    assert list(order.evidence.values_list("stored__original_name", flat=True)) == ["整改照片.pdf"]

    # An empty answer is refused with the service's words and changes nothing.
    response = client.post(url("order_answer", order.pk), {"response": "  "}, follow=True)
    assert "Describe what was rectified." in messages_of(response)
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.OPEN
    response = client.post(url("order_answer", order.pk), {"response": "疏散通道杂物已清理，见照片"}, follow=True)
    assert "Answer sent. The inspecting department will verify the rectification." in messages_of(response)
    order.refresh_from_db()
    assert (order.status, order.response) == (RectificationOrder.Status.ANSWERED, "疏散通道杂物已清理，见照片")
    # Once answered, the evidence is what the verifier sees: no more uploads.
    response = client.post(url("order_evidence_upload", order.pk), {"file": pdf("迟到.pdf")}, follow=True)
    assert any("only while the order waits" in message for message in messages_of(response))
    assert order.evidence.count() == 1

    # The fire brigade sees the answer and the evidence, and verifies.
    fire = en("fire")
    html = fire.get(url("order_detail", order.pk)).content.decode()
    assert 'data-testid="verify-form"' in html and "疏散通道杂物已清理" in html and "整改照片.pdf" in html
    evidence = order.evidence.get()
    download = fire.get(url("order_evidence_download", evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    response = fire.post(url("order_verify", order.pk), {"result": "not_rectified", "note": ""}, follow=True)
    assert any("Say what is still not rectified" in message for message in messages_of(response))
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.ANSWERED
    response = fire.post(url("order_verify", order.pk), {"result": "rectified", "note": "复查合格"}, follow=True)
    assert "Verification recorded: Rectified." in messages_of(response)
    order.refresh_from_db()
    assert (order.status, order.verified_by.username) == (RectificationOrder.Status.VERIFIED, "fire")
    review = AnnualReview.objects.get(pk=order.review_id)
    assert (review.final_result, review.status) == ("pass", AnnualReview.Status.CLOSED)
    assert 'data-testid="order-verification"' in fire.get(url("order_detail", order.pk)).content.decode()


def test_others_cannot_answer_verify_or_download_an_order_they_may_not_act_on(client_as):
    order = demo_order()
    member("demo-failed-head2", order.institution.organisation)
    evidence = decisions.order_evidence_add(
        actor=User.objects.get(username="demo-failed-head2"), order=order, uploaded=pdf()
    )
    # nursery1 heads another institution: the order and its evidence do not exist for it.
    assert client_as("nursery1").get(url("order_detail", order.pk)).status_code == 404
    assert client_as("nursery1").get(url("order_evidence_download", evidence.pk)).status_code == 404
    assert client_as("nursery1").post(url("order_answer", order.pk), {"response": "x"}).status_code == 404
    # The health bureau sees it but does not answer for the institution.
    assert client_as("health").post(url("order_answer", order.pk), {"response": "x"}).status_code == 403
    # Education has no finding on the review: 404.
    assert client_as("edu").get(url("order_detail", order.pk)).status_code == 404
    # A finding's photo is not an order's evidence: this door does not serve it, even to health.
    finding = order.review.findings.first()
    stored = files.store(
        SimpleUploadedFile("现场.pdf", PDF), folder="inspections", allowed=(files.PDF,), max_bytes=len(PDF)
    )
    photo = InspectionFile.objects.create(finding=finding, stored=stored, uploaded_by=User.objects.get(username="fire"))
    assert client_as("health").get(url("order_evidence_download", photo.pk)).status_code == 404
    assert client_as("health").get(url("order_evidence_download", evidence.pk)).status_code == 200
    order.refresh_from_db()
    assert (order.status, order.response) == (RectificationOrder.Status.OPEN, "")


def test_an_evidence_file_that_is_too_big_or_an_office_file_is_refused(client_as, en):
    order = ad_hoc_order()
    client = en("nursery1")
    docx_like = SimpleUploadedFile("整改.png", b"%PDF-1.4\n", content_type="image/png")  # a PDF named .png
    response = client.post(url("order_evidence_upload", order.pk), {"file": docx_like}, follow=True)
    assert any("named as another type than its content" in message for message in messages_of(response))
    response = client.post(url("order_evidence_upload", order.pk), {}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    png = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    response = client.post(url("order_evidence_upload", order.pk), {"file": png}, follow=True)
    assert "照片.png added as evidence." in messages_of(response)
    assert InspectionFile.objects.filter(order=order).count() == 1


def test_the_order_list_shows_each_user_only_the_orders_in_sight(client_as):
    order_a, order_b, demo = matrix.order("a"), matrix.order("b"), demo_order()
    expected = {
        "health": {order_a.number, order_b.number, demo.number},
        "nursery1": {order_a.number},
        "nursery2": {order_b.number},
        "simen": {order_a.number},
        # Fire findings on both reviews; order A is ad hoc with a fire item.
        "fire": {order_a.number, order_b.number, demo.number},
        "amr": {demo.number},  # the food-safety finding on the demo review
        "edu": set(),
        "mca": set(),
        "stranger": set(),
        "auditor": set(),
    }
    for username, numbers in expected.items():
        seen = order_numbers(client_as(username).get(reverse("order_list")))
        assert seen & {order_a.number, order_b.number, demo.number} == numbers, username
    lizhou_sees = order_numbers(client_as("lizhou").get(reverse("order_list")))
    assert order_b.number in lizhou_sees and order_a.number not in lizhou_sees
    assert (demo.number in lizhou_sees) == (demo.institution.township.code == LIZHOU)


def test_overdue_and_escalated_orders_are_flagged_and_filtered(client_as):
    overdue = ad_hoc_order(deadline=timezone.localdate() - timedelta(days=3))
    on_time = ad_hoc_order()
    assert orders_escalate_overdue_task.delay().get() >= 1
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None

    client = client_as("simen")
    response = client.get(reverse("order_list"))
    rows = {order.number: order for order in response.context["page"].object_list}
    assert rows[overdue.number].is_overdue and not rows[on_time.number].is_overdue
    html = response.content.decode()
    assert 'data-testid="overdue"' in html and 'data-testid="escalated"' in html
    only_overdue = order_numbers(client.get(reverse("order_list"), {"overdue": "1"}))
    assert overdue.number in only_overdue and on_time.number not in only_overdue
    assert order_numbers(client.get(reverse("order_list"), {"status": "answered"})) == set()
    detail = client.get(url("order_detail", overdue.pk)).content.decode()
    assert 'data-testid="overdue"' in detail and 'data-testid="escalated"' in detail
    body = client.get("/api/v1/orders/", {"overdue": "true"}).json()
    assert {row["number"] for row in body["results"]} >= {overdue.number}
    assert all(row["is_overdue"] for row in body["results"])


def test_a_bad_filter_lists_nothing_and_says_why(client_as):
    ad_hoc_order()
    response = client_as("health").get(reverse("order_list"), {"status": "nonsense"})
    assert response.status_code == 200 and not response.context["page"].object_list
    assert client_as("health").get("/api/v1/orders/", {"status": "nonsense"}).status_code == 400
    assert client_as("health").get(reverse("order_list"), {"page": "abc"}).status_code == 200


def test_the_health_bureau_issues_an_ad_hoc_order_through_the_page(client_as, en):
    target = institution(INSTITUTION_A)
    client = en("health")
    form = client.get(reverse("order_issue"), {"institution": target.pk})
    assert form.status_code == 200 and f'value="{target.pk}" selected' in form.content.decode()
    # The picker renders only the chosen institution; others are searched as the user types.
    assert f'data-picker-url="{reverse("institution_choices")}"' in form.content.decode()
    assert institution(INSTITUTION_B).name not in form.content.decode()
    before = RectificationOrder.objects.count()

    deadline = (timezone.localdate() + timedelta(days=15)).isoformat()
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    bad = client.post(
        f"{reverse('order_issue')}?institution={target.pk}",
        {"area_1": "fire", "text_1": "整改", "deadline": past},
    )
    assert bad.status_code == 200 and "The deadline must be in the future." in bad.content.decode()
    no_area = client.post(reverse("order_issue"), {"institution": target.pk, "text_1": "整改", "deadline": deadline})
    assert "Each item needs the area of inspection it belongs to." in no_area.content.decode()
    no_items = client.post(reverse("order_issue"), {"institution": target.pk, "deadline": deadline})
    assert "Name at least one item to rectify." in no_items.content.decode()
    bad_date = client.post(reverse("order_issue"), {"institution": target.pk, "text_1": "x", "deadline": "明天"})
    assert bad_date.status_code == 200 and "Enter a valid date." in bad_date.content.decode()
    ghost = client.post(
        reverse("order_issue"), {"institution": 10**9, "area_1": "fire", "text_1": "x", "deadline": deadline}
    )
    assert ghost.status_code == 200 and "Choose an institution from the list." in ghost.content.decode()
    assert RectificationOrder.objects.count() == before

    response = client.post(
        f"{reverse('order_issue')}?institution={target.pk}",
        {"area_1": "fire", "code_1": "F3", "text_1": "清理疏散通道", "area_2": "food_safety", "text_2": "留样",
         "deadline": deadline},
    )  # fmt: skip
    order = RectificationOrder.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)
    assert order.institution == target and order.review is None
    assert order.items == [
        {"area": "fire", "code": "F3", "text": "清理疏散通道"},
        {"area": "food_safety", "code": "", "text": "留样"},
    ]
    # nursery1 receives it in its inbox and sees it.
    assert client_as("nursery1").get(url("order_detail", order.pk)).status_code == 200
    # Nobody else issues orders.
    for username in ("simen", "fire", "nursery1"):
        assert client_as(username).post(reverse("order_issue"), {"institution": target.pk}).status_code == 403


def _ad_hoc_fire_finding(target: Institution):
    """The fire brigade's inspection of ``target`` outside the annual review, failed on F3."""
    results = _all(Area.FIRE)
    results["F3"] = ("fail", "疏散通道堆放杂物")
    return findings.finding_record(
        actor=User.objects.get(username="fire"), institution=target, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=results,
    )  # fmt: skip


def test_the_fire_brigade_sees_and_verifies_an_ad_hoc_order_after_its_own_fire_finding(client_as, en):
    target = institution(INSTITUTION_A)
    finding = _ad_hoc_fire_finding(target)
    assert finding.review is None and not finding.passed
    order = decisions.order_issue(
        actor=User.objects.get(username="health"), institution=target,
        items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        deadline=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    assert order.review is None
    fire, amr = en("fire"), client_as("amr")

    # The fire brigade finds the order in its list, on its page and in the API.
    assert order.number in order_numbers(fire.get(reverse("order_list")))
    assert fire.get(url("order_detail", order.pk)).status_code == 200
    assert fire.get(f"/api/v1/orders/{order.pk}/").json()["review_year"] is None
    assert order.number in {row["number"] for row in fire.get("/api/v1/orders/").json()["results"]}
    # Market supervision has no finding on it and no fire duty: the order does not exist for it.
    assert order.number not in order_numbers(amr.get(reverse("order_list")))
    assert amr.get(url("order_detail", order.pk)).status_code == 404
    assert amr.get(f"/api/v1/orders/{order.pk}/").status_code == 404

    evidence = decisions.order_evidence_add(actor=User.objects.get(username="nursery1"), order=order, uploaded=pdf())
    decisions.order_answer(actor=User.objects.get(username="nursery1"), order=order, response="通道已清理")
    assert fire.get(url("order_evidence_download", evidence.pk)).status_code == 200
    assert amr.get(url("order_evidence_download", evidence.pk)).status_code == 404
    assert amr.post(url("order_verify", order.pk), {"result": "rectified", "note": "x"}).status_code == 404
    html = fire.get(url("order_detail", order.pk)).content.decode()
    assert 'data-testid="verify-form"' in html
    response = fire.post(url("order_verify", order.pk), {"result": "rectified", "note": "复查合格"}, follow=True)
    assert "Verification recorded: Rectified." in messages_of(response)
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.VERIFIED
    assert order.verified_by == User.objects.get(username="fire")


def test_an_ad_hoc_order_is_seen_by_the_departments_whose_areas_it_names_only(client_as):
    """The area decides, not any earlier finding on the institution: after the fire brigade's
    ad-hoc finding, an order on food and fees goes to market supervision, not to the fire
    brigade."""
    target = institution(INSTITUTION_A)
    _ad_hoc_fire_finding(target)
    order = decisions.order_issue(
        actor=User.objects.get(username="health"), institution=target,
        items=[{"area": "food_safety", "text": "留样"}, {"area": "fees", "text": "公示收费"}],
        deadline=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    sight = {
        username
        for username in ("health", "simen", "nursery1", "fire", "amr", "edu", "mca", "lizhou", "nursery2", "leader")
        if client_as(username).get(url("order_detail", order.pk)).status_code == 200
    }
    assert sight == {"health", "simen", "nursery1", "amr"}
    assert not RectificationOrder.objects.visible_to(User.objects.get(username="fire")).filter(pk=order.pk).exists()


def test_the_order_api_lists_and_shows_orders_in_sight_with_their_evidence(client_as):
    order = ad_hoc_order()
    evidence = decisions.order_evidence_add(actor=User.objects.get(username="nursery1"), order=order, uploaded=pdf())
    body = client_as("nursery1").get(f"/api/v1/orders/{order.pk}/").json()
    assert body["number"] == order.number and body["review_year"] is None
    assert body["items"][0]["area_label"]
    assert body["evidence"][0]["download_url"] == url("order_evidence_download", evidence.pk)
    assert client_as("nursery2").get(f"/api/v1/orders/{order.pk}/").status_code == 404
    numbers = {row["number"] for row in client_as("nursery2").get("/api/v1/orders/").json()["results"]}
    assert order.number not in numbers


def test_the_order_export_holds_the_orders_the_user_sees(client_as):
    order_a, order_b = matrix.order("a"), matrix.order("b")
    response = client_as("simen").get(reverse("order_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "通知书编号"
    numbers = {row[0] for row in rows[1:]}
    assert order_a.number in numbers and order_b.number not in numbers
    bad = client_as("simen").get(reverse("order_export"), {"status": "nonsense"})
    assert bad.status_code == 302


def _add_orders(count: int) -> None:
    """Orders spread over 泗门镇's institutions and institution B's review."""
    health = User.objects.get(username="health")
    places = list(Institution.objects.filter(township__code=SIMEN))
    review_b = matrix._review_b()
    today = timezone.localdate()
    RectificationOrder.objects.bulk_create(
        RectificationOrder(
            number=f"测试整改-{count}-{index:04d}",
            institution=review_b.institution if index % 3 == 0 else places[index % len(places)],
            review=review_b if index % 3 == 0 else None,
            items=[{"area": "fire", "code": "F3", "text": "整改"}],
            deadline=today + timedelta(days=(index % 5) - 2),
            issued_by=health,
            escalated_at=timezone.now() if index % 4 == 0 else None,
        )
        for index in range(count)
    )


@pytest.mark.parametrize("size", [10, 300])
@pytest.mark.parametrize("username", ["health", "simen", "fire", "nursery1"])
def test_the_order_list_page_and_api_keep_a_fixed_number_of_queries(
    size, username, client_as, django_assert_max_num_queries
):
    _add_orders(size)
    client = client_as(username)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("order_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("order_list"), {"overdue": "1", "q": "测试"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/orders/").status_code == 200


# --- Revocation referrals -----------------------------------------------------------------


def _all(area: str, result: str = "pass") -> dict:
    codes = ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True)
    return dict.fromkeys(codes, (result, ""))


def _fail_one_year(year: int, target: Institution, head: User) -> AnnualReview:
    """A year's review of ``target``, failed on fire safety and not rectified (the services)."""
    health, fire = User.objects.get(username="health"), User.objects.get(username="fire")
    cycle = ReviewCycleFactory(actor=health, year=year)
    review = AnnualReview.objects.get(cycle=cycle, institution=target)
    cycles.self_report_submit(actor=head, report=review.self_report)
    results = _all(Area.FIRE)
    results["F3"] = ("fail", "疏散通道堆放杂物")
    findings.finding_record(
        actor=fire, institution=target, review=review, area=Area.FIRE, inspected_on=timezone.localdate(),
        results=results,
    )  # fmt: skip
    areas_not_applicable(review)
    decisions.review_decide(
        actor=health,
        review=review,
        result="fail",
        reason="消防检查不合格",
        items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    order = RectificationOrder.objects.get(review=review)
    decisions.order_answer(actor=head, order=order, response="已清理")
    decisions.order_verify(actor=fire, order=order, rectified=False, note="复查仍有杂物")
    decisions.order_close_unmet(actor=health, order=order, note="整改不合格")
    return review


def _two_failed_years(code: str, head_username: str) -> RevocationReferral:
    Institution.objects.filter(organisation__code=code).update(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED, filing_number="测试"
    )
    target, head = institution(code), User.objects.get(username=head_username)
    _fail_one_year(2024, target, head)
    _fail_one_year(2025, target, head)
    return RevocationReferral.objects.get(institution=target, status=RevocationReferral.Status.PENDING)


def _public_names(client) -> list[str]:
    response = client.get(reverse("public_search"), {"text": "小星星"})
    return [row.name for row in response.context["page"].object_list]


def test_after_two_failed_years_market_supervision_withdraws_and_the_public_registry_drops_it(client_as, en):
    referral = _two_failed_years(INSTITUTION_A, "nursery1")
    target = referral.institution
    assert referral.authority.code == "amr"
    assert target.name in _public_names(client_as(None))

    amr = en("amr")
    assert referral.pk in {r.pk for r in amr.get(reverse("referral_list")).context["page"].object_list}
    page = amr.get(url("referral_detail", referral.pk)).content.decode()
    assert 'data-testid="decide-form"' in page and "2024" in page and "2025" in page
    # Civil affairs did not register this company: it does not see the referral at all.
    mca = client_as("mca")
    assert referral.pk not in {r.pk for r in mca.get(reverse("referral_list")).context["page"].object_list}
    assert mca.get(url("referral_detail", referral.pk)).status_code == 404
    assert mca.post(url("referral_decide", referral.pk), {"decision": "withdraw", "note": "收回"}).status_code == 404
    # The health bureau and the township see it, but the authority decides.
    for username in ("health", "simen", "nursery1"):
        client = client_as(username)
        assert 'data-testid="decide-form"' not in client.get(url("referral_detail", referral.pk)).content.decode()
        assert (
            client.post(url("referral_decide", referral.pk), {"decision": "withdraw", "note": "x"}).status_code == 403
        )

    response = amr.post(url("referral_decide", referral.pk), {"decision": "withdraw", "note": " "}, follow=True)
    assert "Record the decision." in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == RevocationReferral.Status.PENDING

    response = amr.post(
        url("referral_decide", referral.pk),
        {"decision": "withdraw", "note": "连续两年年审不合格，收回登记"},
        follow=True,
    )
    assert "Registration withdrawn; the institution is off the public registry." in messages_of(response)
    referral.refresh_from_db()
    target.refresh_from_db()
    assert referral.status == RevocationReferral.Status.WITHDRAWN and referral.decided_by.username == "amr"
    assert (target.status, target.filing_status) == ("revoked", "cancelled")
    assert not Registration.objects.filter(institution=target, status="active").exists()
    assert target.name not in _public_names(client_as(None))
    # Decided once: a second decision is refused with a message.
    response = amr.post(url("referral_decide", referral.pk), {"decision": "keep", "note": "再议"}, follow=True)
    assert "This referral is already decided." in messages_of(response)
    assert 'data-testid="referral-decision"' in response.content.decode()


def test_civil_affairs_may_keep_a_social_organisation_s_registration(client_as, en):
    referral = _two_failed_years(INSTITUTION_B, "nursery2")
    assert referral.authority.code == "mca"
    assert client_as("amr").get(url("referral_detail", referral.pk)).status_code == 404
    response = en("mca").post(
        url("referral_decide", referral.pk), {"decision": "keep", "note": "已整改到位"}, follow=True
    )
    assert "Decision recorded: the registration is kept." in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == RevocationReferral.Status.DECLINED
    assert Registration.objects.filter(institution=referral.institution, status="active").exists()
    body = client_as("nursery2").get("/api/v1/referrals/").json()
    assert [row["status"] for row in body["results"] if row["id"] == referral.pk] == ["declined"]
    assert client_as("nursery1").get("/api/v1/referrals/").json()["count"] == 0


def test_a_bad_referral_decision_is_refused_without_change(client_as):
    referral = matrix.referral("a")
    response = client_as("amr").post(url("referral_decide", referral.pk), {"decision": "maybe", "note": "x"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == RevocationReferral.Status.PENDING


@pytest.mark.parametrize("size", [10, 100])
def test_the_referral_list_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    health = User.objects.get(username="health")
    registrations = list(Registration.objects.select_related("institution", "authority")[:5])
    RevocationReferral.objects.bulk_create(
        RevocationReferral(
            institution=registrations[i % 5].institution, registration=registrations[i % 5],
            authority=registrations[i % 5].authority, raised_by=health, status="declined",
        )
        for i in range(size)
    )  # fmt: skip
    for username in ("health", "amr", "simen"):
        client = client_as(username)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("referral_list")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get("/api/v1/referrals/").status_code == 200


# --- Cases against unregistered providers -------------------------------------------------


def _case_data(township: str, **changes) -> dict:
    return {
        "provider_name": "无证看护点（测试）",
        "place": "某小区5幢",
        "township": township,
        "found": "未登记备案，收托6名",
        "found_on": timezone.localdate().isoformat(),
        **changes,
    }


def test_a_township_records_a_case_in_its_territory_orders_and_closes_it_as_banned(client_as, en):
    simen = en("simen")
    form = simen.get(reverse("case_create"))
    assert form.status_code == 200 and f'value="{SIMEN}" selected' in form.content.decode()
    assert f'value="{LIZHOU}"' not in form.content.decode()  # only its own township is offered

    before = Case.objects.count()
    outside = simen.post(reverse("case_create"), _case_data(LIZHOU))
    assert outside.status_code == 200 and "This township is outside your territory." in outside.content.decode()
    bad_date = simen.post(reverse("case_create"), _case_data(SIMEN, found_on="昨天"))
    assert bad_date.status_code == 200 and "Enter a valid date." in bad_date.content.decode()
    assert Case.objects.count() == before

    response = simen.post(reverse("case_create"), _case_data(SIMEN))
    case = Case.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == url("case_detail", case.pk)
    assert (case.township.code, case.recorded_by.code, case.status) == (SIMEN, f"township-{SIMEN}", "open")

    # 梨洲街道 does not see 泗门镇's case; the health bureau does.
    assert client_as("lizhou").get(url("case_detail", case.pk)).status_code == 404
    assert case.pk not in {c.pk for c in client_as("lizhou").get(reverse("case_list")).context["page"].object_list}
    assert client_as("lizhou").post(url("case_close", case.pk), {"outcome": "banned"}).status_code == 404
    assert case.pk in {c.pk for c in client_as("health").get(reverse("case_list")).context["page"].object_list}

    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = simen.post(url("case_order", case.pk), {"order_text": "限期登记", "deadline": past}, follow=True)
    assert "The deadline must be in the future." in messages_of(response)
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = simen.post(url("case_order", case.pk), {"order_text": "限期登记备案", "deadline": deadline}, follow=True)
    assert "The provider is ordered to rectify." in messages_of(response)
    case.refresh_from_db()
    assert case.status == Case.Status.ORDERED

    response = simen.post(url("case_close", case.pk), {"outcome": "open", "note": "x"}, follow=True)
    assert messages_of(response) and Case.objects.get(pk=case.pk).status == Case.Status.ORDERED
    # A week later, the deadline passed: banned on the township's decision, with its scan.
    Case.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    decision = {
        "outcome": "banned", "note": "逾期未改，予以取缔", "decision_number": "余泗执〔2026〕1号",
        "decision_date": timezone.localdate().isoformat(),
        "decision_department": Organisation.objects.get(code=f"township-{SIMEN}").pk, "scan": pdf("取缔决定书.pdf"),
    }  # fmt: skip
    response = simen.post(url("case_close", case.pk), decision, follow=True)
    assert "Case closed: Closed: banned (取缔)." in messages_of(response)
    case.refresh_from_db()
    assert (case.status, case.closing_note) == (Case.Status.BANNED, "逾期未改，予以取缔")
    assert 'data-testid="case-close-form"' not in response.content.decode()
    response = simen.post(url("case_close", case.pk), {"outcome": "rectified"}, follow=True)
    assert "This case is already closed." in messages_of(response)


def test_departments_without_case_duty_get_403_on_cases(client_as):
    case = matrix.provider_case("a")
    for username in ("amr", "fire", "nursery1", "leader"):
        client = client_as(username)
        assert client.get(reverse("case_list")).status_code == 403
        assert client.post(reverse("case_create"), _case_data(SIMEN)).status_code == 403
        assert client.get(url("case_detail", case.pk)).status_code == 404
        assert client.get("/api/v1/cases/").status_code == 403


def test_the_case_export_and_api_hold_the_township_s_cases_only(client_as):
    case_a, case_b = matrix.provider_case("a"), matrix.provider_case("b")
    export = client_as("simen").get(reverse("case_export"), follow=True)  # the old link: the list's export
    assert export.redirect_chain == [(f"{reverse('list_export', args=['cases'])}?", 302)]
    sheet = load_workbook(BytesIO(export.content)).active
    names = {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert case_a.provider_name in names and case_b.provider_name not in names
    body = client_as("lizhou").get("/api/v1/cases/").json()
    ids = {row["id"] for row in body["results"]}
    assert case_b.pk in ids and case_a.pk not in ids
    filtered = client_as("health").get("/api/v1/cases/", {"township": LIZHOU}).json()
    assert {row["township_code"] for row in filtered["results"]} == {LIZHOU}


@pytest.mark.parametrize("size", [10, 200])
def test_the_case_list_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    from accounts.models import Region

    townships = {code: Region.objects.get(code=code) for code in (SIMEN, LIZHOU)}
    offices = {code: Organisation.objects.get(code=f"township-{code}") for code in (SIMEN, LIZHOU)}
    Case.objects.bulk_create(
        Case(
            provider_name=f"测试点{i}", place="某处", township=townships[code], found="未登记",
            found_on=timezone.localdate(), recorded_by=offices[code],
        )
        for i in range(size)
        for code in [(SIMEN, LIZHOU)[i % 2]]
    )  # fmt: skip
    for username in ("health", "simen"):
        client = client_as(username)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("case_list")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get("/api/v1/cases/").status_code == 200


# --- The lifetime ban list ----------------------------------------------------------------


def _ban_data(**changes) -> dict:
    return {
        "name": "测试·王某",
        "id_number": "33028119850505105X",
        "reason": "虐待婴幼儿",
        "decided_on": "2026-03-01",
        "document": "余公〔2026〕8号",
        **changes,
    }


def test_the_police_add_a_person_and_the_list_shows_names_with_masked_id_numbers(client_as):
    police = login(client_as, police_officer())
    assert police.get(reverse("ban_create")).status_code == 200
    response = police.post(reverse("ban_create"), _ban_data(id_number="33028119850505105x"))
    assert response.status_code == 302 and response["Location"] == reverse("ban_list")
    entry = BanEntry.objects.get(document="余公〔2026〕8号")
    assert entry.recorded_by.code == "police" and entry.id_number == "33028119850505105X"

    html = police.get(reverse("ban_list")).content.decode()
    assert "测试·王某" in html and "330281********105X" in html
    assert "33028119850505105X" not in html and BARRED_ID not in html
    health_html = client_as("health").get(reverse("ban_list")).content.decode()
    assert "330281********105X" in health_html and "【演示】李某" in health_html

    # Adding the same person again is refused, and the form does not echo the ID number.
    again = police.post(reverse("ban_create"), _ban_data())
    assert again.status_code == 200 and "This person is already on the list." in again.content.decode()
    assert "33028119850505105X" not in again.content.decode()
    short = police.post(reverse("ban_create"), _ban_data(id_number="3302811985"))
    assert short.status_code == 200 and "3302811985" not in short.content.decode()
    assert BanEntry.objects.filter(id_hash=keyed_hash("33028119850505105X")).count() == 1


# Invalid ID numbers, one per problem, with the message each gets (accounts.idnumbers).
INVALID_IDS = [
    ("3302811985", "An ID number has 18 characters."),
    ("33028119850505105Y", "An ID number has 17 digits and then a digit or X."),
    ("３３０２８１１９８５０５０５１０５Ｘ", "An ID number has 17 digits and then a digit or X."),  # full-width
    ("330281198513051053", "The birth date in this ID number is not a real date."),
    ("330281198505051050", "The last character of this ID number does not match: please check the number."),
]


def test_the_demo_barred_person_and_the_numbers_of_these_tests_are_valid_id_numbers():
    assert idnumbers.problem(BARRED_ID) is None
    assert idnumbers.problem("33028119850505105X") is None
    assert [idnumbers.problem(number) for number, _message in INVALID_IDS] == [
        "length", "characters", "characters", "birth_date", "check",
    ]  # fmt: skip


@pytest.mark.parametrize(("number", "message"), INVALID_IDS)
def test_the_ban_list_refuses_an_invalid_id_number_saying_what_is_wrong(number, message):
    police = police_officer()
    before = BanEntry.objects.count()
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        enforcement.ban_add(actor=police, name="测试·钱某", id_number=number, reason="x", decided_on=date(2026, 2, 1))
    assert refused.value.message == message and refused.value.fields == {"id_number": [message]}
    assert BanEntry.objects.count() == before


def test_the_ban_list_form_refuses_a_wrong_check_character_without_echoing_the_number(client_as):
    police = login(client_as, police_officer())
    police.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    police.cookies["django_language"] = "en"
    wrong = "330281198505051050"  # the right check character is 6
    response = police.post(reverse("ban_create"), _ban_data(id_number=wrong))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The last character of this ID number does not match: please check the number." in html
    assert wrong not in html
    assert not BanEntry.objects.filter(id_hash=keyed_hash(wrong)).exists()
    response = police.post(reverse("ban_create"), _ban_data(id_number="330281198513051053"))
    assert "The birth date in this ID number is not a real date." in response.content.decode()
    assert BanEntry.objects.filter(document="余公〔2026〕8号").count() == 0


def test_the_ban_check_page_and_api_refuse_an_invalid_id_number_without_counting_it(en):
    client = en("nursery1")
    wrong = BARRED_ID[:17] + ("1" if BARRED_ID[17] != "1" else "2")  # the barred person, mistyped
    events_before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count()
    page = client.post(reverse("ban_check"), {"id_number": wrong})
    assert page.status_code == 200 and page.context["result"] is None
    assert "The last character of this ID number does not match" in page.content.decode()
    api = client.post("/api/v1/bans/check/", {"id_number": wrong}, content_type="application/json")
    assert api.status_code == 400 and api.json()["error"]["code"] == "invalid"
    assert api.json()["error"]["fields"]["id_number"] == [
        "The last character of this ID number does not match: please check the number."
    ]
    short = client.post("/api/v1/bans/check/", {"id_number": "3302811985"}, content_type="application/json")
    assert short.json()["error"]["fields"]["id_number"] == ["An ID number has 18 characters."]
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count() == events_before
    assert cache.get(f"ban-check:{page.wsgi_request.user.pk}:{timezone.now():%Y%m%d%H}") is None
    # The valid number still finds the person.
    assert client.post("/api/v1/bans/check/", {"id_number": BARRED_ID}).json()["barred"] is True


def test_a_township_may_neither_read_nor_add_to_the_ban_list(client_as):
    before = BanEntry.objects.count()
    simen = client_as("simen")
    assert simen.get(reverse("ban_list")).status_code == 403
    assert simen.get(reverse("ban_create")).status_code == 403
    assert simen.post(reverse("ban_create"), _ban_data()).status_code == 403
    assert simen.post(reverse("ban_check"), {"id_number": BARRED_ID}).status_code == 403
    assert BanEntry.objects.count() == before


def test_an_institution_checking_a_barred_person_learns_only_to_contact_the_health_bureau(client_as, en):
    entry = BanEntry.objects.get(id_hash=keyed_hash(BARRED_ID))  # the demo's barred person
    client = en("nursery1")
    events_before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count()

    response = client.post(reverse("ban_check"), {"id_number": BARRED_ID})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"]["message"] == (
        "This person is on the lifetime ban list and may not work in childcare. "
        "Contact the health bureau (市卫生健康局)."
    )
    for detail in (entry.name, entry.reason, entry.document, entry.id_number_masked, BARRED_ID, "2026-01-15"):
        assert detail not in html, detail
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).latest("pk")
    assert event.username == "nursery1" and BARRED_ID not in str(event.detail)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count() == events_before + 1

    clean = client.post(reverse("ban_check"), {"id_number": "330281199912310017"})
    assert clean.context["result"] == {"barred": False, "message": "Not on the lifetime ban list."}
    assert "330281199912310017" not in clean.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count() == events_before + 1

    invalid = client.post(reverse("ban_check"), {"id_number": "33028119991231001Y"})
    assert invalid.context["result"] is None and "17 digits and then a digit or X" in invalid.content.decode()

    api = client.post("/api/v1/bans/check/", {"id_number": BARRED_ID.lower()}, content_type="application/json")
    assert api.status_code == 200 and set(api.json()) == {"barred", "message"} and api.json()["barred"] is True
    bad = client.post("/api/v1/bans/check/", {"id_number": "123"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count() == events_before + 2


def test_an_institution_may_check_only_so_many_id_numbers_an_hour(client_as):
    from inspections.views.enforcement import BAN_CHECKS_PER_HOUR

    client = client_as("nursery2")
    for _ in range(BAN_CHECKS_PER_HOUR):
        assert client.post(reverse("ban_check"), {"id_number": "330281199912310017"}).context["result"] is not None
    refused = client.post(reverse("ban_check"), {"id_number": BARRED_ID})
    assert refused.status_code == 200 and refused.context["result"] is None
    assert client.post("/api/v1/bans/check/", {"id_number": BARRED_ID}).status_code == 429
    # The keepers of the list are not limited.
    assert client_as("health").post("/api/v1/bans/check/", {"id_number": BARRED_ID}).json()["barred"] is True


@pytest.mark.parametrize("size", [5, 100])
def test_the_ban_list_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    police = police_officer()
    for index in range(size):
        enforcement.ban_add(
            actor=police, name=f"测试{index}", id_number=valid_id(f"33028119900101{index:03d}"), reason="x",
            decided_on=date(2026, 1, 1),
        )  # fmt: skip
    client = client_as("health")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ban_list")).status_code == 200
