"""Complaints from the public: routing by category, the tracking code, the contact's privacy,
the limit per address, deadlines and escalation, handling to an order, and the public page."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Organisation, Region
from inspections.models import RectificationOrder
from registry.models import Institution
from supervision import routing
from supervision.models import Complaint
from supervision.services import complaints as services
from supervision.tasks import complaint_deadlines_task
from tests.ci_share import share
from tests.conftest import CAST

SIMEN = "330281103"
DEMO_PHONES = ["13900001111", "13900002222", "13900003333", "13900004444"]
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


def _filed(name: str) -> Institution:
    return Institution.objects.get(name=f"【演示】{name}")


def _send(**fields) -> Complaint:
    fields.setdefault("description", "测试投诉")
    if "township" not in fields:
        fields.setdefault("institution", _filed("梨洲街道启航托育园"))
    return services.complaint_submit(**fields)


@pytest.mark.parametrize(
    ("category", "handlers"),
    [
        ("food", {"amr"}),
        ("fire", {"fire"}),
        ("fees", {"amr"}),
        ("abuse", {"health", "police"}),
        ("unregistered", {"township-330281103", "health"}),
        ("other", {"health"}),
    ],
)
def test_each_category_goes_to_the_departments_its_duties_name(db, category, handlers):
    township = Region.objects.get(code=SIMEN)
    if category == "unregistered":
        complaint = _send(category=category, township=township, provider_name="某看护点", provider_address="某路1号")
    else:
        complaint = _send(category=category, institution=_filed("泗门镇中心幼儿园托班"))
    assert {h.organisation.code for h in complaint.handlers.all()} == handlers
    assert {o.code for o in routing.handlers_for(category=category, township=township)} == handlers


def test_an_unregistered_provider_reaches_only_its_own_township(db):
    lizhou = Region.objects.get(code="330281001")
    complaint = _send(category="unregistered", township=lizhou, provider_name="某看护点", provider_address="某路1号")
    assert "township-330281103" not in {h.organisation.code for h in complaint.handlers.all()}
    assert "township-330281001" in {h.organisation.code for h in complaint.handlers.all()}


def test_a_parent_complains_without_an_account_and_follows_it_with_the_code_only(client_as):
    visitor = client_as(None)
    institution = _filed("梨洲街道启航托育园")
    response = visitor.post(
        reverse("complaint_new", args=[institution.pk]),
        {"category": "fees", "description": "<script>alert(1)</script>多收费", "contact_phone": "13912345678"},
    )
    assert response.status_code == 200
    code = CODE.search(response.content.decode()).group(0)
    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.description == "<script>alert(1)</script>多收费"  # stored as typed, plain text
    tracked = visitor.post(reverse("complaint_track"), {"code": code.lower().replace("-", " ")}).content.decode()
    assert institution.name in tracked and "13912345678" not in tracked
    assert "<script>alert(1)</script>" not in tracked
    other = Complaint.objects.exclude(pk=complaint.pk).first()
    assert other.tracking_code not in tracked
    # An unknown code shows nothing but the message.
    miss = visitor.post(reverse("complaint_track"), {"code": "2222-2222-2222"}).content.decode()
    assert 'data-testid="tracked-complaint"' not in miss


def test_the_tracking_code_shows_the_reply_but_never_the_findings(client_as, cast):
    complaint = _send(category="fees")
    services.complaint_conclude(actor=cast["amr"], complaint=complaint, outcome="substantiated",
                                findings="内部核查记录", reply="已责令整改")  # fmt: skip
    page = client_as(None).post(reverse("complaint_track"), {"code": complaint.tracking_code}).content.decode()
    assert "已责令整改" in page and "内部核查记录" not in page


def test_the_contact_is_encrypted_at_rest(db):
    complaint = _send(category="fees", contact_name="李女士", contact_phone="13911112222")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone FROM supervision_complaint WHERE id = %s", [complaint.pk])
        stored = cursor.fetchone()
    assert "13911112222" not in stored[1] and "李女士" not in stored[0]


def test_too_many_complaints_from_one_address_are_refused_and_nothing_is_stored(client_as, settings):
    visitor = client_as(None)
    institution = _filed("梨洲街道启航托育园")
    url = reverse("complaint_new", args=[institution.pk])
    for n in range(5):
        assert CODE.search(visitor.post(url, {"category": "other", "description": f"第{n}次"}).content.decode())
    before = Complaint.objects.count()
    response = visitor.post(url, {"category": "other", "description": "第6次"})
    assert response.status_code == 200
    assert "提交的投诉过多" in response.content.decode()
    assert Complaint.objects.count() == before
    # Another address is not affected.
    assert CODE.search(
        visitor.post(url, {"category": "other", "description": "别处"}, REMOTE_ADDR="10.0.0.9").content.decode()
    )


def test_bad_input_is_refused_with_a_message_and_stores_nothing(client_as):
    before = Complaint.objects.count()
    response = client_as(None).post(
        reverse("complaint_new_unregistered"), {"category": "unregistered", "description": ""}
    )
    assert response.status_code == 200 and Complaint.objects.count() == before
    response = client_as(None).post(
        reverse("complaint_new", args=[_filed("梨洲街道启航托育园").pk]),
        {"category": "fees", "description": "x", "contact_phone": "not-a-phone"},
    )
    assert "请" in response.content.decode() and Complaint.objects.count() == before


def test_an_institution_not_in_the_public_registry_cannot_be_complained_about_here(client_as):
    unfiled = Institution.objects.get(organisation__code="demo-simen-xingxing")
    assert client_as(None).get(reverse("complaint_new", args=[unfiled.pk])).status_code == 404


def test_an_overdue_complaint_escalates_once_to_the_health_bureau(cast):
    complaint = _send(category="fees")
    assert not services.complaint_escalate(complaint=complaint)  # not late yet
    late = complaint.acknowledge_due + timedelta(days=1)
    assert complaint_deadlines_task(today=late.isoformat())["escalated"] >= 1
    complaint.refresh_from_db()
    assert complaint.escalated_at is not None
    health = Organisation.objects.get(code="health")
    assert complaint.handlers.filter(organisation=health, active=False).exists()  # sight, no action
    told = Notification.objects.filter(recipient=cast["health"], title__contains=complaint.tracking_code).count()
    assert told == 1
    assert complaint_deadlines_task(today=late.isoformat())["escalated"] == 0
    assert Notification.objects.filter(recipient=cast["health"], title__contains=complaint.tracking_code).count() == 1
    # The health bureau sees it now, but may not reveal the contact or conclude it.
    assert not services.rules.can_handle_complaint(cast["health"], complaint)


def test_an_acknowledged_complaint_escalates_when_its_conclusion_is_late(cast):
    complaint = _send(category="fees")
    services.complaint_acknowledge(actor=cast["amr"], complaint=complaint)
    complaint.refresh_from_db()
    assert not services.complaint_escalate(complaint=complaint, today=complaint.conclude_due)
    assert services.complaint_escalate(complaint=complaint, today=complaint.conclude_due + timedelta(days=1))


def test_a_concluded_complaint_never_escalates(cast):
    complaint = _send(category="fees")
    services.complaint_conclude(actor=cast["amr"], complaint=complaint, outcome="not_substantiated",
                                findings="无", reply="未查实")  # fmt: skip
    complaint.refresh_from_db()
    assert not services.complaint_escalate(complaint=complaint, today=complaint.conclude_due + timedelta(days=30))


def test_handlers_are_reminded_once_the_working_day_before_the_conclusion(cast):
    complaint = _send(category="fees")
    day_before = complaint.conclude_due - timedelta(days=1)
    while not services.workdays.is_working_day(day_before):
        day_before -= timedelta(days=1)
    first = complaint_deadlines_task(today=day_before.isoformat())
    second = complaint_deadlines_task(today=day_before.isoformat())
    assert first["reminded"] >= 1 and second["reminded"] == 0


def test_the_deadlines_are_working_days_from_the_parameters(db):
    from registry.models import Parameter

    Parameter.objects.filter(key="complaint.conclude_working_days").update(value=3)
    complaint = _send(category="fees")
    today = timezone.localdate()
    assert services.workdays.working_days_between(today, complaint.conclude_due) == 3


def test_market_supervision_substantiates_a_fee_complaint_and_opens_an_order(client_as, cast):
    complaint = _send(category="fees")
    client = client_as("amr")
    assert client.post(reverse("complaint_acknowledge", args=[complaint.pk])).status_code == 302
    client.post(reverse("complaint_conclude", args=[complaint.pk]),
                {"outcome": "substantiated", "findings": "多收费属实", "reply": "已责令整改"})  # fmt: skip
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        reverse("complaint_order", args=[complaint.pk]), {"text": "退还多收费用", "deadline": deadline}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.outcome == "substantiated" and complaint.order is not None
    order = complaint.order
    assert order.items[0]["area"] == "fees" and order.review is None
    # Market supervision sees and verifies the order through its fee area (policy rule 19).
    assert RectificationOrder.objects.visible_to(cast["amr"]).filter(pk=order.pk).exists()
    # A second order for the same complaint is refused.
    again = client.post(reverse("complaint_order", args=[complaint.pk]), {"text": "再次", "deadline": deadline})
    assert again.status_code == 400 and RectificationOrder.objects.filter(items__0__text="再次").count() == 0


def test_only_a_handler_acts_and_a_concluded_complaint_cannot_be_concluded_twice(client_as, cast):
    complaint = _send(category="fees")
    assert client_as("fire").post(reverse("complaint_acknowledge", args=[complaint.pk])).status_code == 404
    services.complaint_conclude(
        actor=cast["amr"], complaint=complaint, outcome="substantiated", findings="a", reply="b"
    )
    with pytest.raises(services.ApplicationError):
        services.complaint_conclude(actor=cast["amr"], complaint=complaint, outcome="not_substantiated",
                                    findings="c", reply="d")  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.outcome == "substantiated"


def test_a_referral_hands_the_complaint_over(cast):
    complaint = _send(category="fire")
    simen = Organisation.objects.get(code="township-330281103")
    services.complaint_refer(actor=cast["fire"], complaint=complaint, organisation=simen, reason="属地处理")
    complaint.refresh_from_db()
    assert not services.rules.can_handle_complaint(cast["fire"], complaint)
    assert Complaint.objects.visible_to(cast["fire"]).filter(pk=complaint.pk).exists()
    assert services.rules.can_handle_complaint(cast["simen"], complaint)


def test_the_contact_is_revealed_to_the_handler_only_and_the_reveal_is_audited(client_as, cast):
    complaint = _send(category="fees", contact_phone="13955556666")
    page = client_as("amr").get(reverse("complaint_detail", args=[complaint.pk])).content.decode()
    assert "13955556666" not in page
    before = AuditEvent.objects.filter(event="complaint.contact_revealed").count()
    revealed = client_as("amr").post(reverse("complaint_contact", args=[complaint.pk])).content.decode()
    assert "13955556666" in revealed
    assert AuditEvent.objects.filter(event="complaint.contact_revealed").count() == before + 1


@pytest.mark.crawl
@pytest.mark.parametrize("username", share([*CAST, None]))
def test_no_demo_complainant_phone_reaches_any_page_of_another_department(username, client_as):
    """Crawl the complaint pages (list, every complaint seen, the public pages) as each member
    of the cast: a complainant's phone appears nowhere without the reveal."""
    pages = [reverse("complaint_list"), reverse("complaint_track"), reverse("public_search")]
    pages += [reverse("public_institution_detail", args=[i.pk]) for i in Institution.objects.filter(
        filing_status=Institution.FilingStatus.FILED, status=Institution.Status.OPERATING)]  # fmt: skip
    pages += [reverse("complaint_detail", args=[c.pk]) for c in Complaint.objects.all()]
    pages += ["/", reverse("notification_list")]
    client = client_as(username)
    for url in pages:
        content = client.get(url).content.decode()
        leaked = [phone for phone in DEMO_PHONES if phone in content]
        assert not leaked, f"{username} sees {leaked} on {url}"


def test_demo_complaints_give_each_handling_department_work(cast):
    from supervision.selectors.complaints import handled_open_counts

    for username in ["amr", "fire", "health", "simen"]:
        counts = handled_open_counts(actor=cast[username])
        assert counts["received"] + counts["acknowledged"] > 0, username
    states = set(Complaint.objects.values_list("status", "outcome"))
    assert {("received", ""), ("acknowledged", ""), ("concluded", "substantiated"),
            ("concluded", "not_substantiated")} <= states  # fmt: skip
    assert Complaint.objects.filter(escalated_at__isnull=False).exists()
    assert Complaint.objects.filter(referred_to__isnull=False).exists()


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("username", ["amr", "health", "simen"])
def test_the_complaint_list_keeps_a_fixed_number_of_queries(size, username, client_as, django_assert_max_num_queries):
    simen = Region.objects.get(code=SIMEN)
    for n in range(size):
        if n % 2:
            _send(category="fees")
        else:
            _send(category="unregistered", township=simen, provider_name=f"看护点{n}", provider_address="某路")
    client = client_as(username)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("complaint_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("complaint_list"), {"overdue": "1"}).status_code == 200


def test_the_public_page_shows_reviews_vacancies_phone_and_substantiated_complaints(client_as, cast):
    institution = _filed("泗门镇中心幼儿园托班")
    page = client_as(None).get(reverse("public_institution_detail", args=[institution.pk])).content.decode()
    assert 'data-testid="public-substantiated"' in page
    assert reverse("complaint_new", args=[institution.pk]) in page
    assert institution.contact_phone in page
    count = Complaint.objects.filter(institution=institution, outcome="substantiated").count()
    assert count >= 1 and f"{count} 件查实投诉" in page


def test_the_public_search_shows_decided_review_results(client_as):
    from inspections.models import AnnualReview

    review = AnnualReview.objects.exclude(result="").select_related("institution", "cycle").filter(
        institution__filing_status=Institution.FilingStatus.FILED,
        institution__status=Institution.Status.OPERATING,
    ).first()  # fmt: skip
    if review is None:
        pytest.skip("the demo has no decided review of a filed institution")
    page = client_as(None).get(reverse("public_institution_detail", args=[review.institution.pk])).content.decode()
    assert str(review.cycle.year) in page
    assert "暂无年审结果" not in page.split('data-testid="public-last-review"')[1][:200]


@pytest.mark.parametrize(("username", "status"), [("nursery1", 404), ("health", 200), ("amr", 403), (None, 302)])
def test_the_poster_is_for_the_institution_and_the_health_bureau(client_as, username, status):
    institution = _filed("泗门镇中心幼儿园托班")
    response = client_as(username).get(reverse("institution_poster", args=[institution.pk]))
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert institution.filing_number in content and "<svg" in content
        assert reverse("public_institution_detail", args=[institution.pk]) in content


def test_the_poster_downloads_as_an_a4_pdf_with_the_filing_number(client_as):
    pypdf = pytest.importorskip("pypdf")
    import io

    institution = _filed("泗门镇中心幼儿园托班")
    response = client_as("health").get(reverse("institution_poster_pdf", args=[institution.pk]))
    if response.status_code == 302:
        pytest.skip("WeasyPrint is not available here")
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 210
    assert institution.filing_number in reader.pages[0].extract_text().replace(" ", "")


@pytest.mark.parametrize("size", [3, 40])
def test_the_public_pages_keep_a_fixed_number_of_queries(size, client_as, cast, django_assert_max_num_queries):
    institution = _filed("梨洲街道启航托育园")
    for _n in range(size):
        complaint = _send(category="fees", institution=institution)
        services.complaint_conclude(actor=cast["amr"], complaint=complaint, outcome="substantiated",
                                    findings="a", reply="b")  # fmt: skip
    client = client_as(None)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("public_search")).status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get(reverse("public_institution_detail", args=[institution.pk])).content.decode()
    substantiated = Complaint.objects.filter(institution=institution, outcome="substantiated").count()
    assert substantiated >= size and f"{substantiated} 件查实投诉" in page


def test_the_menu_entry_is_shown_to_exactly_the_duties_complaints_are_routed_to():
    from django.apps import apps

    (entry,) = [e for e in apps.get_app_config("supervision").navigation if e[0] == "complaint_list"]
    assert entry[2] == routing.handling_duties()


def test_the_handlers_work_queue_counts_their_complaints_and_the_menu_shows_them(client_as, cast):
    from supervision.queues import work_queue

    before = {item["title"]: item["count"] for item in work_queue(actor=cast["amr"])}
    _send(category="fees")
    after = {item["title"]: item["count"] for item in work_queue(actor=cast["amr"])}
    assert after["待受理的投诉举报"] == before.get("待受理的投诉举报", 0) + 1
    assert work_queue(actor=cast["nursery1"]) == [] and work_queue(actor=cast["edu"]) == []
    home = client_as("amr").get("/").content.decode()
    assert "待受理的投诉举报" in home


def test_anyone_reports_an_unregistered_provider_to_its_township_and_the_health_bureau(client_as, cast):
    response = client_as(None).post(
        reverse("complaint_new_unregistered"),
        {
            "provider_name": "无证看护班",
            "provider_address": "泗门镇某村12号",
            "township": SIMEN,
            "description": "收托多名幼儿",
        },
    )
    code = CODE.search(response.content.decode()).group(0)
    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.category == "unregistered" and complaint.institution is None
    assert {h.organisation.code for h in complaint.handlers.all()} == {"township-330281103", "health"}
    # Substantiated by the township, it opens a case in the township's cases.
    services.complaint_conclude(actor=cast["simen"], complaint=complaint, outcome="substantiated",
                                findings="现场核实属实", reply="已立案")  # fmt: skip
    complaint.refresh_from_db()
    assert services.rules.can_open_case(cast["simen"], complaint)
    case = services.complaint_case_open(actor=cast["simen"], complaint=complaint)
    assert case.township.code == SIMEN and case.provider_name == "无证看护班"
