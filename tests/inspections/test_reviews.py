"""Cycles, the review queue, the self-report and the decision, through the pages and the API
with the demo accounts.

The demo (inspections/demo.py) has this year's cycle with a review of each of the 8 filed,
operating institutions: some waiting for the self-report, some submitted, one failed with a
rectification order after a failed fire check, one passed. nursery1's and nursery2's
institutions are not filed, so they get a review only when a test files one and opens a cycle
for next year; other institutions' staff are made here (``head_of``).
"""

import threading
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.db import connections
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Membership, Notification, Organisation, User
from inspections.models import (
    AnnualReview,
    Area,
    ChecklistItem,
    Finding,
    RectificationOrder,
    ReviewCycle,
    SelfReport,
)
from inspections.services import cycles, decisions, findings
from registry.models import Institution
from tests.factories import UserFactory, areas_not_applicable
from tests.helpers import messages_of, text_of

pytestmark = pytest.mark.django_db

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
YEAR = timezone.localdate().year  # the demo cycle's year
NEXT = YEAR + 1
SIMEN, LIZHOU = "330281103", "330281001"
INSTITUTION_A = "demo-simen-xingxing"  # nursery1's
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2's
KINDERGARTEN = "【演示】泗门镇中心幼儿园托班"
FAMILY_POINT = "【演示】泗门镇童趣家庭托育点"
LIZHOU_FILED = "【演示】梨洲街道启航托育园"


# --- Helpers ------------------------------------------------------------------------------


def url(name: str, pk: int | None = None) -> str:
    return reverse(name, kwargs={"pk": pk} if pk is not None else None)


def review_of(name: str, year: int = YEAR) -> AnnualReview:
    return AnnualReview.objects.select_related("self_report", "cycle").get(institution__name=name, cycle__year=year)


def head_of(institution: Institution) -> User:
    """A head of the institution's organisation (the demo has accounts only for nursery1/2)."""
    return UserFactory(real_name="测试园长", member_of=institution.organisation, member_of__role=Membership.Role.HEAD)


def logged_in(client_as, user: User, *, english: bool = True):
    client = client_as(None)
    client.force_login(user)
    if english:
        client.cookies["django_language"] = "en"
    return client


def file_institution(code: str) -> Institution:
    Institution.objects.filter(organisation__code=code).update(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED, filing_number="测试"
    )
    return Institution.objects.get(organisation__code=code)


def open_next_year(cast, *, due_in_days: int = 30) -> ReviewCycle:
    today = timezone.localdate()
    return cycles.cycle_open(
        actor=cast["health"],
        year=NEXT,
        self_report_due=today + timedelta(days=due_in_days),
        inspection_due=today + timedelta(days=due_in_days + 30),
        decision_due=today + timedelta(days=due_in_days + 60),
    )


@pytest.fixture
def nursery1_review(cast) -> AnnualReview:
    """nursery1's institution filed and next year's cycle opened: its review, report a draft."""
    file_institution(INSTITUTION_A)
    open_next_year(cast)
    return AnnualReview.objects.select_related("self_report").get(
        institution__organisation__code=INSTITUTION_A, cycle__year=NEXT
    )


def all_results(area: str, result: str = "pass") -> dict:
    return dict.fromkeys(ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True), (result, ""))


def inspecting_review_with_a_failed_fire_check(cast) -> AnnualReview:
    """A demo review under inspection, with a fire finding failing F3 and a passing food one."""
    review = (
        AnnualReview.objects.filter(cycle__year=YEAR, status=AnnualReview.Status.INSPECTING, result="")
        .select_related("institution")
        .order_by("pk")
        .first()
    )
    fire = all_results(Area.FIRE)
    fire["F3"] = ("fail", "疏散通道堆放杂物")
    today = timezone.localdate()
    findings.finding_record(
        actor=cast["fire"], institution=review.institution, review=review, area=Area.FIRE, inspected_on=today,
        results=fire,
    )  # fmt: skip
    findings.finding_record(
        actor=cast["amr"], institution=review.institution, review=review, area=Area.FOOD_SAFETY, inspected_on=today,
        results=all_results(Area.FOOD_SAFETY),
    )  # fmt: skip
    areas_not_applicable(review)
    return review


def snapshot(review: AnnualReview) -> tuple:
    review.refresh_from_db()
    report = SelfReport.objects.get(review=review)
    return (
        review.status, review.result, review.final_result, review.decision_reason, review.decided_by_id,
        report.status, report.data, report.late, report.return_comment, review.orders.count(),
    )  # fmt: skip


def second_health_officer() -> User:
    return UserFactory(real_name="测试·卫健局年审员二", member_of="health")


def listed(response) -> list[AnnualReview]:
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list)


def url_exists(name: str) -> bool:
    try:
        reverse(name, kwargs={"pk": 1})
    except NoReverseMatch:
        try:
            reverse(name)
        except NoReverseMatch:
            return False
    return True


# --- Cycles -------------------------------------------------------------------------------


def test_every_member_sees_the_cycles_and_only_the_health_bureau_gets_the_open_form(en):
    page = en("simen").get(url("cycle_list"))
    assert page.status_code == 200
    assert [row[0].year for row in page.context["rows"]] == [YEAR]
    assert page.context["open_form"] is None and 'data-testid="open-cycle"' not in text_of(page)
    assert (
        page.context["rows"][0][0].stats["total"]
        == AnnualReview.objects.filter(cycle__year=YEAR, institution__township__code=SIMEN).count()
    )  # counts over the township's own reviews
    health = en("health").get(url("cycle_list"))
    assert health.context["open_form"]["year"].value() == NEXT
    assert health.context["rows"][0][0].stats["total"] == AnnualReview.objects.filter(cycle__year=YEAR).count()
    assert en("stranger").get(url("cycle_list")).context["rows"] == []


def test_the_health_bureau_opens_next_year_and_every_operating_filed_institution_gets_a_review(en, cast):
    institution = file_institution(INSTITUTION_A)
    today = timezone.localdate()
    data = {
        "year": NEXT,
        "self_report_due": today + timedelta(days=30),
        "inspection_due": today + timedelta(days=60),
        "decision_due": today + timedelta(days=90),
    }
    response = en("health").post(url("cycle_open"), data, follow=True)
    expected = Institution.objects.filter(status="operating", filing_status="filed").count()
    assert messages_of(response) == [
        f"Annual review {NEXT} opened: {expected} institutions were asked for their self-report."
    ]
    cycle = ReviewCycle.objects.get(year=NEXT)
    assert cycle.reviews.count() == expected
    assert Notification.objects.filter(recipient=cast["nursery1"], title__contains=str(NEXT)).exists()
    own = listed(en("nursery1").get(url("review_list")))
    assert [(review.institution, review.cycle.year) for review in own] == [(institution, NEXT)]
    detail = en("nursery1").get(url("review_detail", own[0].pk))
    enrolment = next(form for form in detail.context["report_forms"] if form.section == "enrolment")
    assert enrolment["infant_places"].value() == 10 and enrolment["older_enrolled"].value() == 18  # from the classes


def test_opening_a_year_already_open_or_with_dates_in_the_wrong_order_is_refused(en):
    before = (ReviewCycle.objects.count(), AnnualReview.objects.count())
    same_year = {"year": YEAR, "self_report_due": "2030-03-01", "inspection_due": "2030-04-01",
                 "decision_due": "2030-05-01"}  # fmt: skip
    response = en("health").post(url("cycle_open"), same_year)
    assert response.status_code == 400
    assert f"The annual review {YEAR} is already open." in text_of(response)
    backwards = {**same_year, "year": NEXT, "inspection_due": "2030-02-01"}
    response = en("health").post(url("cycle_open"), backwards)
    assert response.status_code == 400
    assert "The due dates must follow each other: self-reports, inspections, decisions." in text_of(response)
    response = en("health").post(url("cycle_open"), {"year": "next", "self_report_due": "soon"})
    assert response.status_code == 400 and response.context["open_form"].errors.keys() >= {"year", "decision_due"}
    assert (ReviewCycle.objects.count(), AnnualReview.objects.count()) == before


def test_closing_a_cycle_with_undecided_reviews_needs_a_note(en, cast):
    cycle = ReviewCycle.objects.get(year=YEAR)
    undecided = cycle.reviews.filter(result="").count()
    response = en("health").post(url("cycle_close", cycle.pk), {"note": "  "})
    assert response.status_code == 400
    assert f"{undecided} reviews are not decided yet: decide them, or record why the cycle closes anyway." in text_of(
        response
    )
    cycle.refresh_from_db()
    assert cycle.status == "open" and not AuditEvent.objects.filter(event="cycle.closed").exists()

    response = en("health").post(url("cycle_close", cycle.pk), {"note": "两家机构停业整顿，下一年度补审"}, follow=True)
    assert messages_of(response) == [f"Annual review {YEAR} closed."]
    cycle.refresh_from_db()
    assert (cycle.status, cycle.closed_by) == ("closed", cast["health"])
    assert cycle.close_note == "两家机构停业整顿，下一年度补审"
    response = en("health").post(url("cycle_close", cycle.pk), {"note": "再次"})
    assert response.status_code == 400 and "This annual review is already closed." in text_of(response)


def test_a_cycle_whose_reviews_are_all_decided_closes_without_a_note(en, cast):
    cycle = open_next_year(cast)
    cycle.reviews.update(result="pass", status="decided", final_result="pass")
    response = en("health").post(url("cycle_close", cycle.pk), {})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == "closed"


# --- Who sees which reviews ---------------------------------------------------------------


def test_the_health_bureau_and_the_city_wide_inspectors_see_every_review(en):
    for username in ("health", "fire", "amr"):
        assert len(listed(en(username).get(url("review_list")))) == AnnualReview.objects.count()


def test_a_township_sees_only_the_reviews_in_its_territory(en):
    rows = listed(en("simen").get(url("review_list")))
    assert rows and {review.institution.township.code for review in rows} == {SIMEN}
    assert len(rows) == AnnualReview.objects.filter(institution__township__code=SIMEN).count()
    lizhou_review = review_of(LIZHOU_FILED)
    assert en("simen").get(url("review_detail", lizhou_review.pk)).status_code == 404
    assert en("lizhou").get(url("review_detail", lizhou_review.pk)).status_code == 200
    assert en("lizhou").get(url("review_detail", review_of(KINDERGARTEN).pk)).status_code == 404


def test_education_sees_only_kindergarten_nursery_classes(en):
    rows = listed(en("edu").get(url("review_list")))
    assert rows and {review.institution.provider_type for review in rows} == {"kindergarten_class"}
    assert en("edu").get(url("review_detail", review_of(KINDERGARTEN).pk)).status_code == 200
    assert en("edu").get(url("review_detail", review_of(FAMILY_POINT).pk)).status_code == 404


@pytest.mark.parametrize("username", ["mca", "hrss", "leader", "editor", "stranger", "auditor"])
def test_those_without_a_check_duty_see_no_review(en, username):
    assert listed(en(username).get(url("review_list"))) == []
    assert en(username).get(url("review_detail", review_of(KINDERGARTEN).pk)).status_code == 404
    assert en(username).get(reverse("api_review_list")).json()["count"] == 0
    rows = list(load_workbook(BytesIO(en(username).get(url("review_export")).content)).active.iter_rows(values_only=1))
    assert len(rows) == 1  # the header only


def test_an_institution_sees_only_its_own_review(client_as):
    institution = Institution.objects.get(name=FAMILY_POINT)
    client = logged_in(client_as, head_of(institution))
    rows = listed(client.get(url("review_list")))
    assert [review.institution for review in rows] == [institution]
    assert client.get(url("review_detail", review_of(KINDERGARTEN).pk)).status_code == 404


# --- The list: filters and columns --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": str(YEAR)}, lambda: AnnualReview.objects.filter(cycle__year=YEAR)),
        ({"status": "inspecting"}, lambda: AnnualReview.objects.filter(status="inspecting")),
        ({"status": "awaiting_report"}, lambda: AnnualReview.objects.filter(status="awaiting_report")),
        ({"result": "fail"}, lambda: AnnualReview.objects.filter(result="fail")),
        ({"result": "pass"}, lambda: AnnualReview.objects.filter(result="pass")),
        ({"result": "undecided"}, lambda: AnnualReview.objects.filter(result="")),
        ({"self_report": "submitted"}, lambda: AnnualReview.objects.filter(self_report__status="submitted")),
        ({"self_report": "not_submitted"}, lambda: AnnualReview.objects.exclude(self_report__status="submitted")),
        ({"township": LIZHOU}, lambda: AnnualReview.objects.filter(institution__township__code=LIZHOU)),
        ({"q": "幼儿园托班"}, lambda: AnnualReview.objects.filter(institution__provider_type="kindergarten_class")),
    ],
)
def test_filters_narrow_the_list(en, query, expected):
    rows = listed(en("health").get(url("review_list"), query))
    assert rows and {review.pk for review in rows} == set(expected().values_list("pk", flat=True))


def test_the_late_and_missing_filters_follow_the_due_date(en):
    cycle = ReviewCycle.objects.get(year=YEAR)
    late = review_of(LIZHOU_FILED)
    SelfReport.objects.filter(review=late).update(status="submitted", late=True, submitted_at=timezone.now())
    assert [r.pk for r in listed(en("health").get(url("review_list"), {"self_report": "late"}))] == [late.pk]
    # Before the due date nothing is missing; after it, every report not submitted is.
    assert listed(en("health").get(url("review_list"), {"self_report": "missing"})) == []
    ReviewCycle.objects.filter(pk=cycle.pk).update(self_report_due=timezone.localdate() - timedelta(days=1))
    missing = listed(en("health").get(url("review_list"), {"self_report": "missing"}))
    assert missing and {r.pk for r in missing} == set(
        AnnualReview.objects.filter(self_report__status__in=["draft", "returned"]).values_list("pk", flat=True)
    )
    page = text_of(en("health").get(url("review_list")))
    assert 'data-testid="late"' in page and 'data-testid="missing"' in page


@pytest.mark.parametrize(
    ("username", "query"),
    [("health", {"year": "1999"}), ("simen", {"township": LIZHOU}), ("health", {"status": "bogus"})],
)
def test_a_bad_filter_lists_nothing_and_says_why(en, username, query):
    response = en(username).get(url("review_list"), query)
    assert response.status_code == 200 and listed(response) == []
    assert "The filter is not valid; nothing is listed until it is corrected." in text_of(response)


def test_the_list_shows_each_viewer_only_the_findings_of_its_areas(en):
    failed = AnnualReview.objects.get(cycle__year=YEAR, result="fail")

    def badges(username):
        row = next(r for r in listed(en(username).get(url("review_list"))) if r.pk == failed.pk)
        return {(finding.area, finding.passed) for finding in row.visible_findings}

    assert badges("health") == {("fire", False), ("food_safety", True), ("health_care", True)}
    assert badges("lizhou") == badges("health")  # the township around it
    assert badges("fire") == {("fire", False)}
    assert badges("amr") == {("food_safety", True)}
    page = text_of(en("fire").get(url("review_list")))
    assert "Fire safety: failed" in page and "Food and drug safety" not in page
    assert "Failed" in page and "Passed" in page


# --- One review ---------------------------------------------------------------------------


def test_a_department_sees_only_its_own_areas_findings_on_a_review(en):
    failed = AnnualReview.objects.get(cycle__year=YEAR, result="fail")
    areas = {
        username: [f.area for f in en(username).get(url("review_detail", failed.pk)).context["findings"]]
        for username in ("health", "lizhou", "fire", "amr")
    }
    assert areas == {
        "health": ["fire", "food_safety", "health_care"],
        "lizhou": ["fire", "food_safety", "health_care"],
        "fire": ["fire"],
        "amr": ["food_safety"],
    }
    page = text_of(en("fire").get(url("review_detail", failed.pk)))
    assert "【演示】疏散通道堆放杂物" in page and "FS1" not in page


def test_the_decided_review_shows_the_decision_and_its_rectification_order(en):
    failed = AnnualReview.objects.get(cycle__year=YEAR, result="fail")
    order = RectificationOrder.objects.get(review=failed)
    response = en("lizhou").get(url("review_detail", failed.pk))
    page = text_of(response)
    assert 'data-testid="decision"' in page and "【演示】消防检查不合格" in page and order.number in page
    assert response.context["decide_form"] is None
    if url_exists("order_detail"):
        assert url("order_detail", order.pk) in page


def test_links_to_record_a_finding_are_offered_for_the_viewers_own_areas(en, cast):
    if not url_exists("finding_record"):
        pytest.skip("the findings pages (finding_record) are not built yet")
    review = inspecting_review_with_a_failed_fire_check(cast)
    base = reverse("finding_record")
    expected = {
        "fire": {"fire"},
        "amr": {"food_safety", "fees"},
        "health": {"health_care"},
        "simen": set(),
        "edu": None,  # a stand-alone nursery: education does not see it at all
    }
    for username, areas in expected.items():
        response = en(username).get(url("review_detail", review.pk))
        if areas is None:
            assert response.status_code == 404
            continue
        page = response.content.decode()
        for area in Area.values:
            link = f"{base}?review={review.pk}&amp;area={area}"
            assert (link in page) == (area in areas), (username, area)


def test_the_self_report_sections_are_shown_readably(en):
    submitted = AnnualReview.objects.filter(cycle__year=YEAR, self_report__status="submitted").first()
    response = en("health").get(url("review_detail", submitted.pk))
    sections = {s["section"]: dict(s["rows"]) for s in response.context["report_sections"]}
    assert sections["safety_drills"]["Drills held this year"] == "2"
    assert sections["safety_drills"]["Date of the last drill"] == "2026-10-15"
    assert "Infant class (6–12 months)" in sections["enrolment"]
    assert response.context["report_forms"] is None  # the bureau reads, it does not write


# --- The self-report ----------------------------------------------------------------------


REPORT = {
    "enrolment-infant_places": "10", "enrolment-infant_enrolled": "9", "enrolment-infant_caregivers": "3",
    "enrolment-toddler_places": "15", "enrolment-toddler_enrolled": "12", "enrolment-toddler_caregivers": "3",
    "staff-total": "14", "staff-caregivers": "8", "staff-caregivers_certified": "7", "staff-health_workers": "1",
    "staff-cooks": "2", "staff-security_guards": "1", "staff-health_certificates": "14",
    "safety_drills-held": "3", "safety_drills-last": "2026-09-20", "safety_drills-notes": "消防疏散演练",
    "health_checks-entry_checks": "21", "health_checks-daily_checks_kept": "on",
    "health_checks-disinfection_kept": "on",
    "incidents-count": "1", "incidents-serious": "0", "incidents-description": "幼儿摔倒擦伤，已告知家长",
    "food_safety-meals_served": "on", "food_safety-licence_number": "JY13302810000001",
    "food_safety-samples_kept": "on",
    "fees-full_day": "3200", "fees-half_day": "1800",
    "changes-description": "",
}  # fmt: skip


def test_the_institution_saves_its_pre_filled_report_as_a_draft(en, nursery1_review):
    client = en("nursery1")
    form = client.get(url("review_detail", nursery1_review.pk)).context["report_forms"]
    fees = next(f for f in form if f.section == "fees")
    assert fees["full_day"].value() == "3600.00"  # pre-filled from the published fees
    response = client.post(url("self_report_save", nursery1_review.pk), REPORT, follow=True)
    assert messages_of(response) == ["Self-report saved as a draft. Submit it when it is complete."]
    report = SelfReport.objects.get(review=nursery1_review)
    assert report.status == "draft"
    assert report.data["enrolment"] == {
        "infant": {"places": 10, "enrolled": 9, "caregivers": 3},
        "toddler": {"places": 15, "enrolled": 12, "caregivers": 3},
    }
    assert report.data["staff"]["caregivers_certified"] == 7
    assert report.data["safety_drills"] == {"held": 3, "last": "2026-09-20", "notes": "消防疏散演练"}
    assert report.data["health_checks"] == {"entry_checks": 21, "daily_checks_kept": True, "disinfection_kept": True}
    assert report.data["fees"] == [
        {"service_mode": "full_day", "amount": "3200.00"},
        {"service_mode": "half_day", "amount": "1800.00"},
    ]
    assert report.data["changes"] == {"changed": False}
    assert AuditEvent.objects.filter(event="self_report.saved", object_id=str(report.pk)).count() == 1


def test_a_saved_date_comes_back_in_the_date_picker_in_chinese_too(client_as, nursery1_review):
    """A date field shows the stored date as YYYY-MM-DD (what the browser's picker reads)
    whatever the language; in the Chinese format it showed blank and the next save erased it."""
    client = client_as("nursery1")  # pages are Chinese by default
    client.post(url("self_report_save", nursery1_review.pk), REPORT)
    html = client.get(url("review_detail", nursery1_review.pk)).content.decode()
    assert 'name="safety_drills-last" value="2026-09-20"' in html
    client.post(url("self_report_save", nursery1_review.pk), {**REPORT, "safety_drills-last": "2026-09-20"})
    assert SelfReport.objects.get(review=nursery1_review).data["safety_drills"]["last"] == "2026-09-20"


def test_a_post_changes_only_the_sections_it_carries(en, nursery1_review):
    before = SelfReport.objects.get(review=nursery1_review).data
    en("nursery1").post(url("self_report_save", nursery1_review.pk), {"staff-total": "9"})
    after = SelfReport.objects.get(review=nursery1_review).data
    assert after["staff"] == {"total": 9}
    assert {k: v for k, v in after.items() if k != "staff"} == {k: v for k, v in before.items() if k != "staff"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"staff-total": "-1"}, "Staff in total: Ensure this value is greater than or equal to 0."),
        ({"staff-caregivers_certified": "9"}, "Caregivers holding a caregiver certificate: Cannot exceed the number"),
        ({"staff-cooks": "20"}, "Cooks: Cannot exceed the staff in total."),
        ({"safety_drills-last": f"{timezone.localdate().year + 1}-06-01"}, "A drill held cannot be in the future."),
        ({"safety_drills-last": "0001-01-01"}, "Date of the last drill: Enter a date from 1950-01-01"),
        ({"safety_drills-last": "yesterday"}, "Date of the last drill: Enter a valid date."),
        ({"incidents-description": ""}, "Describe the incidents."),
        ({"incidents-serious": "3"}, "Cannot exceed the number of incidents."),
        ({"changes-changed": "on"}, "Say what changed."),
        ({"fees-hourly": "-5"}, "Hourly care: Ensure this value is greater than or equal to 0."),
        ({"enrolment-mixed_places": "many"}, "Enter a whole number."),
    ],
)
@pytest.mark.parametrize("action", ["self_report_save", "self_report_submit"])
def test_bad_report_input_is_refused_with_a_message_and_changes_nothing(en, nursery1_review, change, message, action):
    before = snapshot(nursery1_review)
    response = en("nursery1").post(url(action, nursery1_review.pk), {**REPORT, **change})
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    refusal = {
        "self_report_save": "The self-report was not saved: please correct the errors below.",
        "self_report_submit": "The self-report was not submitted: please correct the errors below.",
    }[action]
    assert refusal in messages_of(response)
    assert response.context["report_forms"] is not None  # what was typed is kept
    assert snapshot(nursery1_review) == before


def test_submitting_saves_the_form_moves_the_review_to_inspection_and_is_on_time(en, nursery1_review, cast):
    response = en("nursery1").post(url("self_report_submit", nursery1_review.pk), REPORT, follow=True)
    assert messages_of(response) == ["Self-report submitted. The departments will now inspect."]
    report = SelfReport.objects.get(review=nursery1_review)
    assert (report.status, report.late, report.data["staff"]["total"]) == ("submitted", False, 14)
    nursery1_review.refresh_from_db()
    assert nursery1_review.status == "inspecting"
    page = text_of(response)
    assert 'data-testid="self-report-form"' not in page and "JY13302810000001" in page  # now read-only
    again = en("nursery1").post(url("self_report_save", nursery1_review.pk), REPORT)
    assert again.status_code == 400
    assert "A submitted self-report cannot be changed unless it is returned." in text_of(again)


def test_a_report_submitted_after_the_due_date_is_flagged_late(en, nursery1_review):
    ReviewCycle.objects.filter(pk=nursery1_review.cycle_id).update(
        self_report_due=timezone.localdate() - timedelta(days=1)
    )
    page = en("nursery1").get(url("review_detail", nursery1_review.pk))
    assert page.context["report_overdue"] and 'data-testid="missing"' in text_of(page)
    response = en("nursery1").post(url("self_report_submit", nursery1_review.pk), REPORT, follow=True)
    due = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert messages_of(response) == [f"Self-report submitted after the due date ({due}); it is marked late."]
    assert SelfReport.objects.get(review=nursery1_review).late
    assert 'data-testid="late"' in text_of(response)
    late = listed(en("health").get(url("review_list"), {"self_report": "late"}))
    assert [review.pk for review in late] == [nursery1_review.pk]


def test_the_health_bureau_returns_a_report_with_comments_and_the_institution_resubmits(en, nursery1_review, cast):
    en("nursery1").post(url("self_report_submit", nursery1_review.pk), REPORT)
    health = en("health")
    refused = health.post(url("self_report_return", nursery1_review.pk), {"comment": "  "})
    assert refused.status_code == 400 and "Say what must be corrected." in text_of(refused)
    assert SelfReport.objects.get(review=nursery1_review).status == "submitted"

    comment = {"comment": "持证人数与名册不符"}
    response = health.post(url("self_report_return", nursery1_review.pk), comment, follow=True)
    assert messages_of(response) == ["Self-report returned to the institution with your comments."]
    report = SelfReport.objects.get(review=nursery1_review)
    assert (report.status, report.return_comment) == ("returned", "持证人数与名册不符")
    assert Notification.objects.filter(recipient=cast["nursery1"], body="持证人数与名册不符").exists()

    # The comment is shown; the due date passes meanwhile, yet the resubmission is not late:
    # the first submission was on time.
    ReviewCycle.objects.filter(pk=nursery1_review.cycle_id).update(
        self_report_due=timezone.localdate() - timedelta(days=1)
    )
    page = en("nursery1").get(url("review_detail", nursery1_review.pk))
    assert 'data-testid="return-comment"' in text_of(page) and "持证人数与名册不符" in text_of(page)
    assert "Submit again" in text_of(page)
    response = en("nursery1").post(
        url("self_report_submit", nursery1_review.pk), {**REPORT, "staff-caregivers_certified": "6"}, follow=True
    )
    assert messages_of(response) == ["Self-report submitted. The departments will now inspect."]
    report.refresh_from_db()
    assert (report.status, report.late, report.data["staff"]["caregivers_certified"]) == ("submitted", False, 6)
    again = health.post(url("self_report_return", nursery1_review.pk), {"comment": "x"})
    assert again.status_code == 302  # a resubmitted report can be returned again


def test_only_a_submitted_report_can_be_returned(en, nursery1_review):
    before = snapshot(nursery1_review)
    response = en("health").post(url("self_report_return", nursery1_review.pk), {"comment": "请补充"})
    assert response.status_code == 400
    assert "Only a submitted self-report can be returned." in text_of(response)
    assert snapshot(nursery1_review) == before


def test_a_decided_reviews_report_can_no_longer_be_returned(en):
    failed = AnnualReview.objects.get(cycle__year=YEAR, result="fail")
    before = snapshot(failed)
    assert en("health").get(url("review_detail", failed.pk)).context["return_form"] is None
    response = en("health").post(url("self_report_return", failed.pk), {"comment": "请补充"})
    assert response.status_code == 400
    assert "The review is decided: its self-report can no longer be returned." in text_of(response)
    assert snapshot(failed) == before


def test_the_institution_cannot_return_or_decide_and_the_bureau_cannot_write_the_report(client_as, nursery1_review):
    nursery1 = client_as("nursery1")
    nursery1.post(url("self_report_submit", nursery1_review.pk), REPORT)
    before = snapshot(nursery1_review)
    assert nursery1.post(url("self_report_return", nursery1_review.pk), {"comment": "x"}).status_code == 403
    assert nursery1.post(url("review_decide", nursery1_review.pk), {"result": "pass"}).status_code == 403
    assert client_as("health").post(url("self_report_save", nursery1_review.pk), REPORT).status_code == 403
    assert client_as("simen").post(url("self_report_submit", nursery1_review.pk)).status_code == 403
    assert client_as("nursery2").post(url("self_report_save", nursery1_review.pk), REPORT).status_code == 404
    assert snapshot(nursery1_review) == before


# --- The decision -------------------------------------------------------------------------


def test_the_decision_form_offers_the_failed_checklist_items(en, cast):
    review = inspecting_review_with_a_failed_fire_check(cast)
    response = en("health").get(url("review_detail", review.pk))
    form = response.context["decide_form"]
    assert [key for key, _label in form.fields["checklist_items"].choices] == ["fire:F3"]
    assert "疏散通道堆放杂物" in dict(form.fields["checklist_items"].choices)["fire:F3"]
    assert 'data-testid="decide-form"' in text_of(response)
    for username in ("fire", "amr"):
        assert en(username).get(url("review_detail", review.pk)).context["decide_form"] is None


def test_a_fail_with_chosen_and_free_items_issues_a_rectification_order(en, cast):
    review = inspecting_review_with_a_failed_fire_check(cast)
    deadline = timezone.localdate() + timedelta(days=30)
    data = {
        "result": "fail", "reason": "消防检查不合格", "checklist_items": ["fire:F3"],
        "extra_area_1": "safety", "extra_text_1": "完善安全管理制度", "deadline": deadline.isoformat(),
    }  # fmt: skip
    response = en("health").post(url("review_decide", review.pk), data, follow=True)
    assert messages_of(response) == ["Review decided: failed. A rectification order was issued."]
    review.refresh_from_db()
    assert (review.status, review.result, review.decided_by) == ("rectifying", "fail", cast["health"])
    order = RectificationOrder.objects.get(review=review)
    assert order.deadline == deadline
    assert [(item["area"], item["code"], item["text"]) for item in order.items] == [
        ("fire", "F3", ChecklistItem.objects.get(code="F3", template__year=YEAR).text),
        ("safety", "", "完善安全管理制度"),
    ]
    assert order.items[0]["note"] == "疏散通道堆放杂物"
    page = text_of(response)
    assert order.number in page and "消防检查不合格" in page and response.context["decide_form"] is None
    assert AuditEvent.objects.filter(event="review.decided", object_id=str(review.pk)).count() == 1


def inspecting_review_with_no_failed_check(cast) -> AnnualReview:
    """The same demo review, its fire check passing: nothing failed."""
    review = inspecting_review_with_a_failed_fire_check(cast)
    findings.finding_record(
        actor=cast["fire"], institution=review.institution, review=review, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=all_results(Area.FIRE),
    )  # fmt: skip
    return review


def test_a_pass_needs_only_the_reasons(en, cast):
    review = inspecting_review_with_no_failed_check(cast)
    data = {"result": "pass", "reason": "整改后复核合格", "deadline": "2000-01-01", "extra_text_1": "ignored"}
    response = en("health").post(url("review_decide", review.pk), data, follow=True)
    assert messages_of(response) == ["Review decided: passed."]
    review.refresh_from_db()
    assert (review.status, review.result, review.final_result) == ("decided", "pass", "pass")
    assert not RectificationOrder.objects.filter(review=review).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "x"}, "Decide pass or fail."),
        ({"result": "maybe", "reason": "x"}, "Select a valid choice."),
        ({"result": "pass", "reason": "  "}, "Give the reasons for the decision."),
        ({"result": "fail", "reason": "x", "deadline": "+30"}, "A failed review needs the items to rectify"),
        ({"result": "fail", "reason": "x", "checklist_items": ["fire:F3"]}, "A failed review needs the items"),
        ({"result": "fail", "reason": "x", "checklist_items": ["fire:F3"], "deadline": "-1"}, "must be in the future"),
        ({"result": "fail", "reason": "x", "extra_text_1": "整改", "deadline": "+30"}, "Choose the area this item"),
        ({"result": "fail", "reason": "x", "checklist_items": ["fire:F9"], "deadline": "+30"}, "Select a valid choice"),
        ({"result": "fail", "reason": "x", "checklist_items": ["food_safety:FS1"], "deadline": "+30"}, "valid choice"),
    ],
)
def test_a_bad_decision_is_refused_with_a_message_and_changes_nothing(en, cast, data, message):
    review = inspecting_review_with_a_failed_fire_check(cast)
    if data.get("deadline", "").startswith(("+", "-")):
        data = {**data, "deadline": (timezone.localdate() + timedelta(days=int(data["deadline"]))).isoformat()}
    before = snapshot(review)
    orders = RectificationOrder.objects.count()
    response = en("health").post(url("review_decide", review.pk), data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert response.context["decide_form"] is not None  # still offered, with what was typed
    assert snapshot(review) == before and RectificationOrder.objects.count() == orders


def test_a_review_waiting_for_its_self_report_cannot_be_decided(en):
    waiting = AnnualReview.objects.filter(cycle__year=YEAR, status="awaiting_report").first()
    before = snapshot(waiting)
    assert en("health").get(url("review_detail", waiting.pk)).context["decide_form"] is None
    response = en("health").post(url("review_decide", waiting.pk), {"result": "pass", "reason": "合格"})
    assert response.status_code == 400
    assert "This review cannot be decided now (Waiting for the self-report)" in text_of(response)
    assert snapshot(waiting) == before


def test_a_second_decision_after_the_first_is_refused_with_a_message(en, client_as, cast):
    review = inspecting_review_with_no_failed_check(cast)
    en("health").post(url("review_decide", review.pk), {"result": "pass", "reason": "合格"})
    before = snapshot(review)
    other = logged_in(client_as, second_health_officer())
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = other.post(
        url("review_decide", review.pk),
        {"result": "fail", "reason": "不合格", "extra_area_1": "fire", "extra_text_1": "清理", "deadline": deadline},
    )
    assert response.status_code == 400
    assert "This review cannot be decided now (Decided); someone else may have decided it." in text_of(response)
    assert snapshot(review) == before and review.decided_by == cast["health"]
    assert not RectificationOrder.objects.filter(review=review).exists()
    assert AuditEvent.objects.filter(event="review.decided", object_id=str(review.pk)).count() == 1


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so two decisions cannot overlap there; "
    "the sequential test covers the refusal on both databases",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["pass", "fail"])
def test_two_officers_deciding_the_same_review_at_once_exactly_one_wins(second):
    deciders = [User.objects.get(username="health"), second_health_officer()]
    review = (
        AnnualReview.objects.filter(cycle__year=YEAR, status=AnnualReview.Status.INSPECTING, result="")
        .order_by("pk")
        .first()
    )
    areas_not_applicable(review)
    deadline = timezone.localdate() + timedelta(days=20)
    actions = {
        "pass": lambda actor: decisions.review_decide(actor=actor, review=review, result="pass", reason="合格"),
        "fail": lambda actor: decisions.review_decide(
            actor=actor, review=review, result="fail", reason="不合格", deadline=deadline,
            items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        ),
    }  # fmt: skip
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def decide(index, action):
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = actions[action](deciders[index])
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(0, "pass")), threading.Thread(target=decide, args=(1, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    winners = [index for index, result in results.items() if isinstance(result, AnnualReview)]
    losers = [result for result in results.values() if isinstance(result, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "someone else may have decided it" in losers[0].message
    review.refresh_from_db()
    won = "pass" if winners[0] == 0 else second
    assert review.result == won and review.decided_by == deciders[winners[0]]
    assert RectificationOrder.objects.filter(review=review).count() == (1 if won == "fail" else 0)
    assert AuditEvent.objects.filter(event="review.decided", object_id=str(review.pk)).count() == 1


# --- Fixed query counts -------------------------------------------------------------------


def _add_reviews(count: int) -> None:
    """``count`` more reviews with self-reports and findings, spread over past years' cycles
    (every institution once a year), so that each viewer's list grows."""
    health, fire = User.objects.get(username="health"), User.objects.get(username="fire")
    fire_department = Organisation.objects.get(code="fire")
    institutions = list(Institution.objects.order_by("pk"))
    today = timezone.localdate()
    made, year = 0, 1990
    while made < count:
        cycle = ReviewCycle.objects.create(
            year=year, self_report_due=today, inspection_due=today, decision_due=today, opened_by=health,
            status="closed",
        )  # fmt: skip
        batch = institutions[: count - made]
        reviews = AnnualReview.objects.bulk_create(
            AnnualReview(cycle=cycle, institution=institution, status="inspecting") for institution in batch
        )
        SelfReport.objects.bulk_create(
            SelfReport(review=review, status="submitted", late=bool(review.pk % 2), submitted_at=timezone.now())
            for review in reviews
        )
        Finding.objects.bulk_create(
            Finding(review=review, institution_id=review.institution_id, area=area, department=fire_department,
                    inspector=fire, inspected_on=today, passed=bool(review.pk % 3))
            for review in reviews for area in ("fire", "food_safety")
        )  # fmt: skip
        made += len(batch)
        year += 1


@pytest.mark.parametrize("size", [10, 60])
def test_the_review_list_api_and_export_keep_a_fixed_query_count(size, client_as, django_assert_max_num_queries):
    _add_reviews(size)
    family_head = head_of(Institution.objects.get(name=FAMILY_POINT))
    clients = {username: client_as(username) for username in ("health", "simen", "fire", "edu")}
    clients["family-head"] = logged_in(client_as, family_head)
    for client in clients.values():
        with django_assert_max_num_queries(14):
            assert client.get(url("review_list")).status_code == 200
        with django_assert_max_num_queries(14):
            query = {"self_report": "late", "result": "undecided", "q": "托", "page": "2"}
            assert client.get(url("review_list"), query).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("api_review_list")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(url("review_export")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(url("cycle_list")).status_code == 200


def test_the_review_page_keeps_a_fixed_query_count(client_as, django_assert_max_num_queries, cast):
    review = AnnualReview.objects.get(cycle__year=YEAR, result="fail")
    for username in ("health", "fire", "lizhou"):
        client = client_as(username)
        # 13, and 2 for the areas the decision rests on (all recorded areas, exemptions) and
        # 1 for the areas that have a checklist.
        with django_assert_max_num_queries(16):
            assert client.get(url("review_detail", review.pk)).status_code == 200


# --- The export ---------------------------------------------------------------------------


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_has_chinese_headers_and_the_same_scope_and_filters_as_the_page(client_as):
    rows = _sheet(client_as("simen").get(url("review_export")))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("年度", "机构名称", "统一社会信用代码", "乡镇（街道）")
    assert {row[1] for row in body} == set(
        AnnualReview.objects.filter(institution__township__code=SIMEN).values_list("institution__name", flat=True)
    )
    health = client_as("health")
    page = listed(health.get(url("review_list"), {"result": "undecided", "township": LIZHOU}))
    rows = _sheet(health.get(url("review_export"), {"result": "undecided", "township": LIZHOU}))
    assert sorted(row[1] for row in rows[1:]) == sorted(review.institution.name for review in page)


def test_the_export_shows_only_the_findings_the_user_may_see(client_as):
    failed = AnnualReview.objects.get(cycle__year=YEAR, result="fail")
    for username, areas in (("fire", 1), ("health", 3), ("amr", 1)):
        rows = _sheet(client_as(username).get(url("review_export")))
        findings_column = rows[0].index("检查结果")
        row = next(r for r in rows[1:] if r[1] == failed.institution.name)
        assert row[findings_column].count("：") == areas
        assert ("不合格" in row[findings_column]) == (username != "amr")


def test_a_bad_export_filter_makes_no_file(en):
    response = en("health").get(url("review_export"), {"year": "1999"}, follow=True)
    assert messages_of(response) == [
        "The export was not made: please correct the filters.",
        "Year: Select a valid choice. 1999 is not one of the available choices.",
    ]


# --- The API ------------------------------------------------------------------------------


def test_api_lists_cycles_with_counts_over_the_users_reviews(client_as):
    body = client_as("simen").get(reverse("api_cycle_list")).json()
    assert [row["year"] for row in body["results"]] == [YEAR]
    stats = body["results"][0]["stats"]
    assert stats["total"] == AnnualReview.objects.filter(institution__township__code=SIMEN).count()
    assert stats["decided"] + stats["undecided"] == stats["total"]


def test_api_lists_reviews_scoped_filtered_and_paginated(client_as):
    body = client_as("health").get(reverse("api_review_list"), {"result": "fail"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) >= {"id", "year", "institution", "status", "result", "self_report", "findings", "url"}
    passed = {f["area"]: f["passed"] for f in row["findings"]}
    assert passed == {"fire": False, "food_safety": True, "health_care": True}
    fire = client_as("fire").get(reverse("api_review_list"), {"result": "fail"}).json()["results"][0]
    assert [f["area"] for f in fire["findings"]] == ["fire"]
    simen = client_as("simen").get(reverse("api_review_list")).json()
    assert {row["institution"]["township_code"] for row in simen["results"]} == {SIMEN}
    bad = client_as("health").get(reverse("api_review_list"), {"self_report": "whenever"})
    assert bad.status_code == 400 and "self_report" in bad.json()["error"]["fields"]


def test_api_detail_has_the_self_report_and_only_the_findings_the_user_may_see(client_as):
    failed = AnnualReview.objects.get(cycle__year=YEAR, result="fail")
    body = client_as("health").get(reverse("api_review_detail", kwargs={"pk": failed.pk})).json()
    assert body["self_report"]["status"] == "submitted"
    assert body["self_report"]["data"]["safety_drills"]["held"] == 2
    assert [f["area"] for f in body["findings"]] == ["fire", "food_safety", "health_care"]
    fire_finding = body["findings"][0]
    f3 = next(item for item in fire_finding["items"] if item["code"] == "F3")
    assert (f3["result"], f3["note"], f3["severity"]) == ("fail", "【演示】疏散通道堆放杂物", "major")
    assert [order["number"] for order in body["orders"]] == [RectificationOrder.objects.get(review=failed).number]
    amr = client_as("amr").get(reverse("api_review_detail", kwargs={"pk": failed.pk})).json()
    assert [f["area"] for f in amr["findings"]] == ["food_safety"]
    assert client_as("simen").get(reverse("api_review_detail", kwargs={"pk": failed.pk})).status_code == 404


def test_api_decides_a_fail_with_checklist_and_free_items(client_as, cast):
    review = inspecting_review_with_a_failed_fire_check(cast)
    deadline = (timezone.localdate() + timedelta(days=15)).isoformat()
    body = {
        "result": "fail", "reason": "消防不合格", "checklist_items": ["fire:F3"],
        "items": [{"area": "security", "text": "加装一键报警装置"}], "deadline": deadline,
    }  # fmt: skip
    response = client_as("health").post(
        reverse("api_review_decide", kwargs={"pk": review.pk}), body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["status"], answer["result"]) == ("rectifying", "fail")
    assert [(item["area"], item["code"]) for item in answer["orders"][0]["items"]] == [("fire", "F3"), ("security", "")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x"}, "result"),
        ({"result": "pass"}, "reason"),
        ({"result": "fail", "reason": "x", "deadline": "+20"}, "items"),
        ({"result": "fail", "reason": "x", "checklist_items": ["fire:F1"], "deadline": "+20"}, "checklist_items"),
        ({"result": "fail", "reason": "x", "items": [{"area": "moon", "text": "y"}], "deadline": "+20"}, "items"),
        ({"result": "fail", "reason": "x", "checklist_items": ["fire:F3"], "deadline": "-2"}, "deadline"),
        ({"result": "fail", "reason": "x", "checklist_items": ["fire:F3"], "deadline": "soon"}, "deadline"),
    ],
)
def test_api_bad_decisions_answer_400_with_field_errors_and_change_nothing(client_as, cast, body, field):
    review = inspecting_review_with_a_failed_fire_check(cast)
    if str(body.get("deadline", "")).startswith(("+", "-")):
        body = {**body, "deadline": (timezone.localdate() + timedelta(days=int(body["deadline"]))).isoformat()}
    before = snapshot(review)
    response = client_as("health").post(
        reverse("api_review_decide", kwargs={"pk": review.pk}), body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    assert snapshot(review) == before


def test_api_decision_by_a_department_is_forbidden_and_changes_nothing(client_as, cast):
    review = inspecting_review_with_a_failed_fire_check(cast)
    before = snapshot(review)
    response = client_as("fire").post(
        reverse("api_review_decide", kwargs={"pk": review.pk}), {"result": "pass", "reason": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert snapshot(review) == before


def test_the_review_endpoints_are_in_the_openapi_schema(client_as):
    schema = client_as("health").get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/cycles/", "/api/v1/reviews/", "/api/v1/reviews/{id}/", "/api/v1/reviews/{id}/decide/"):
        assert path in schema
    assert "ReviewDecide" in schema and "AnnualReviewStatusEnum" in schema


# --- The whole story through the pages ----------------------------------------------------


def test_the_story_of_one_review_through_the_pages(en, client_as, cast):
    """nursery1's institution is filed; health opens next year's review; the institution
    reports, is returned, resubmits; fire finds a fault; health fails it with an order."""
    file_institution(INSTITUTION_A)
    today = timezone.localdate()
    en("health").post(
        url("cycle_open"),
        {"year": NEXT, "self_report_due": today + timedelta(days=20), "inspection_due": today + timedelta(days=40),
         "decision_due": today + timedelta(days=60)},
    )  # fmt: skip
    review = AnnualReview.objects.get(institution__organisation__code=INSTITUTION_A, cycle__year=NEXT)
    nursery1 = en("nursery1")
    assert nursery1.post(url("self_report_submit", review.pk), REPORT).status_code == 302
    assert en("health").post(url("self_report_return", review.pk), {"comment": "请补充演练记录"}).status_code == 302
    assert nursery1.post(url("self_report_submit", review.pk), {"safety_drills-held": "4"}).status_code == 302
    assert SelfReport.objects.get(review=review).data["safety_drills"] == {"held": 4}

    fire = all_results(Area.FIRE)
    fire["F4"] = ("fail", "灭火器过期")
    findings.finding_record(
        actor=cast["fire"], institution=review.institution, review=review, area=Area.FIRE, inspected_on=today,
        results=fire,
    )  # fmt: skip
    areas_not_applicable(review)
    detail = en("health").get(url("review_detail", review.pk))
    assert [key for key, _label in detail.context["decide_form"].fields["checklist_items"].choices] == ["fire:F4"]
    response = en("health").post(
        url("review_decide", review.pk),
        {"result": "fail", "reason": "灭火器过期", "checklist_items": ["fire:F4"],
         "deadline": (today + timedelta(days=14)).isoformat()},
        follow=True,
    )  # fmt: skip
    assert messages_of(response) == ["Review decided: failed. A rectification order was issued."]
    own = nursery1.get(url("review_detail", review.pk))
    order = RectificationOrder.objects.get(review=review)
    assert order.number in text_of(own) and "灭火器过期" in text_of(own)
    assert [r.result for r in listed(nursery1.get(url("review_list"), {"year": NEXT}))] == ["fail"]
    assert en("lizhou").get(url("review_detail", review.pk)).status_code == 404
