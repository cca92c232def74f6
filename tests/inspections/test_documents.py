"""Printable documents: the rectification order (整改通知书) and the annual review result notice
(年审结果通知书), as print pages and as PDF made from the same template; and the statistics
page of a cycle.

The demo cycle (inspections/demo.py) has a failed review of 【演示】梨洲街道启航托育园 (in
梨洲街道, ``lizhou``) with rectification order 余卫托整〔<year>〕0002号 (an ad-hoc one came
first), one passed review, and reviews still waiting for their self-report or under inspection.
"""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from accounts.models import Organisation
from inspections import pdf, statistics
from inspections.models import AnnualReview, Area, Finding, RectificationOrder, ReviewCycle, SelfReport
from tests.factories import ReviewCycleFactory

pytestmark = pytest.mark.django_db

FAILED_INSTITUTION = "【演示】梨洲街道启航托育园"
POLICY_QUOTE = "实行年检制度"


@pytest.fixture(autouse=True)
def _no_cached_statistics():
    """The cache outlives each test's database transaction: start every test without figures."""
    cache.delete(statistics.cache_key(timezone.localdate().year))
    yield
    cache.delete(statistics.cache_key(timezone.localdate().year))


def demo_order() -> RectificationOrder:
    return RectificationOrder.objects.select_related("institution", "review").get(
        institution__name=FAILED_INSTITUTION, review__cycle__year=timezone.localdate().year
    )


def passed_review() -> AnnualReview:
    return AnnualReview.objects.get(result="pass", cycle__year=timezone.localdate().year)


def undecided_review() -> AnnualReview:
    return AnnualReview.objects.filter(result="", cycle__year=timezone.localdate().year).first()


def in_english(value) -> str:
    with translation.override("en"):
        return formats.date_format(value, "DATE_FORMAT")


def pdf_text(content: bytes) -> str:
    """The text of the PDF, without the line breaks and spaces layout puts in."""
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def pdf_fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def compact(text: str) -> str:
    return "".join(text.split())


# --- The rectification order --------------------------------------------------------------


def test_the_order_prints_in_the_official_layout_with_its_number_items_and_deadline(en):
    order = demo_order()
    response = en("health").get(reverse("order_print", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Yuyao Municipal Health Bureau",  # the issuing organ in the red header
        order.number,
        "Rectification order",
        f"{FAILED_INSTITUTION}:",  # the addressee
        "清理疏散通道杂物",  # the item to rectify
        "Fire safety",
        f"Deadline for rectification: {in_english(order.deadline)}",
        POLICY_QUOTE,  # the legal basis quotes the city's policy
        "《余姚市人民政府办公室关于促进3岁以下婴幼儿照护服务发展的实施意见》",
        "(seal)",
        "Hereby notified.",
    ):
        assert text in html, text
    assert "@page" in html and "size: A4 portrait" in html and "@media print" in html
    assert "'Noto Serif CJK SC'" in html.replace('"', "'") and "'Noto Sans CJK SC'" in html.replace('"', "'")
    assert "#d40000" in html  # the red header
    assert reverse("order_pdf", args=[order.pk]) in html
    assert reverse("order_detail", args=[order.pk]) in html  # back to the order


def test_the_order_is_chinese_unless_the_user_switches(client_as):
    order = demo_order()
    html = client_as("health").get(reverse("order_print", args=[order.pk])).content.decode()
    assert 'lang="zh-CN"' in html
    assert "余姚市卫生健康局" in html and "（盖章）" in html and order.number in html


def test_only_those_who_see_the_order_print_it(client_as):
    order = demo_order()
    for username, expected in [
        ("health", 200),
        ("lizhou", 200),  # the township around the institution
        ("fire", 200),  # the department whose finding failed
        ("simen", 404),  # another township
        ("nursery2", 404),  # another institution
        ("leader", 404),
        ("stranger", 404),
    ]:
        client = client_as(username)
        for name in ("order_print", "order_pdf"):
            assert client.get(reverse(name, args=[order.pk])).status_code == expected, (username, name)
    assert client_as("health").get(reverse("order_print", args=[999999])).status_code == 404


def test_the_order_pdf_is_the_same_document_as_real_text_in_a_cjk_font(client_as):
    order = demo_order()
    response = client_as("health").get(reverse("order_pdf", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "inline" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (
        order.number,
        "余姚市卫生健康局",
        FAILED_INSTITUTION,
        "清理疏散通道杂物",
        POLICY_QUOTE,
        "（盖章）",
        "整改通知书",  # the title, in Chinese, the default language
    ):
        assert compact(expected) in text, expected
    assert any("NotoSerifCJK" in name.replace("-", "") for name in pdf_fonts(response.content))
    assert "Download PDF" not in text and "window.print" not in text  # the buttons stay on screen


def test_without_the_pdf_engine_the_pdf_link_returns_to_the_print_page_with_a_message(en, monkeypatch):
    def unavailable(html):
        raise pdf.PdfUnavailable("PDF output is not available on this server; print the page instead.")

    monkeypatch.setattr(pdf, "html_to_pdf", unavailable)
    order = demo_order()
    response = en("health").get(reverse("order_pdf", args=[order.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("order_print", args=[order.pk])


def test_an_order_after_an_ad_hoc_inspection_cites_the_inspection_clause(en, cast):
    order = demo_order()
    RectificationOrder.objects.filter(pk=order.pk).update(review=None)
    html = en("health").get(reverse("order_print", args=[order.pk])).content.decode()
    assert "An inspection of your institution found the problems listed below." in html
    assert "存在严重安全隐患的机构，相关部门责令其限期整改" in html


# --- The annual review result notice ------------------------------------------------------


def test_a_review_has_no_notice_until_it_is_decided(client_as):
    review = undecided_review()
    for name in ("review_notice_print", "review_notice_pdf"):
        assert client_as("health").get(reverse(name, args=[review.pk])).status_code == 404


def test_the_notice_of_a_failed_review_names_the_result_findings_and_the_order(en):
    order = demo_order()
    review = order.review
    html = en("health").get(reverse("review_notice_print", args=[review.pk])).content.decode()
    for text in (
        "Annual review result notice",
        f"余卫托审〔{review.cycle.year}〕{review.pk:04d}号",
        f"{FAILED_INSTITUTION}:",
        "Result of the annual review: Failed",
        "【演示】消防检查不合格",  # the reasons
        "Fire safety",
        "Food and drug safety",
        "Health care",
        f"Rectify the problems listed in rectification order {order.number} by {in_english(order.deadline)}.",
        POLICY_QUOTE,
        "(seal)",
    ):
        assert text in html, text
    assert reverse("review_detail", args=[review.pk]) in html


def test_a_department_s_notice_shows_only_its_own_findings(en):
    review = demo_order().review
    html = en("fire").get(reverse("review_notice_print", args=[review.pk])).content.decode()
    assert "Fire safety" in html and "Food and drug safety" not in html and "Health care" not in html


def test_the_notice_of_a_passed_review(en):
    review = passed_review()
    html = en("health").get(reverse("review_notice_print", args=[review.pk])).content.decode()
    assert "Result of the annual review: Passed" in html
    assert 'data-testid="notice-order"' not in html and 'data-testid="notice-final"' not in html


def test_the_notice_pdf_carries_the_notice_number_and_result(client_as):
    review = passed_review()
    response = client_as("health").get(reverse("review_notice_pdf", args=[review.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert f"余卫托审〔{review.cycle.year}〕{review.pk:04d}号" in text
    assert compact(review.institution.name) in text and "余姚市卫生健康局" in text


def test_the_notice_is_printed_only_by_those_who_see_the_review(client_as):
    review = passed_review()  # 【演示】阳明街道示范托育中心, a stand-alone nursery in 阳明街道
    for username, expected in [
        ("health", 200),
        ("fire", 200),  # check.fire covers every institution
        ("amr", 200),
        ("edu", 404),  # check.education covers kindergarten nursery classes only
        ("simen", 404),
        ("lizhou", 404),
        ("nursery1", 404),
        ("leader", 404),
        ("stranger", 404),
    ]:
        assert client_as(username).get(reverse("review_notice_print", args=[review.pk])).status_code == expected, (
            username
        )


def test_printing_takes_a_fixed_number_of_queries(client_as, cast, django_assert_max_num_queries):
    """The order prints with the same queries however many items it has."""
    order = demo_order()
    client = client_as("health")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("order_print", args=[order.pk])).status_code == 200
    items = [{"area": "fire", "code": f"F{n}", "text": f"整改事项{n}"} for n in range(40)]
    RectificationOrder.objects.filter(pk=order.pk).update(items=items)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("order_print", args=[order.pk])).content.decode()
    assert "整改事项39" in html


# --- Cycle statistics ---------------------------------------------------------------------


def expected_figures(cycle: ReviewCycle) -> dict:
    """The cycle's figures counted row by row in Python, as a person would count them (the
    statistics module counts them in SQL)."""
    today = timezone.localdate()
    reviews = list(cycle.reviews.all())
    reports = list(SelfReport.objects.filter(review__cycle=cycle))
    findings = list(Finding.objects.filter(review__cycle=cycle))
    orders = list(RectificationOrder.objects.filter(review__cycle=cycle))
    submitted = [r for r in reports if r.status == SelfReport.Status.SUBMITTED]
    missing_after_due = len(reports) - len(submitted) if today > cycle.self_report_due else 0
    late = sum(r.late for r in submitted)
    return {
        "reviews": len(reviews),
        "by_status": {status: sum(r.status == status for r in reviews) for status in AnnualReview.Status.values},
        "results": {
            "passed": sum(r.result == "pass" for r in reviews),
            "failed": sum(r.result == "fail" for r in reviews),
            "undecided": sum(r.result == "" for r in reviews),
            "final_passed": sum(r.final_result == "pass" for r in reviews),
            "final_failed": sum(r.final_result == "fail" for r in reviews),
        },
        "self_reports": {
            "submitted": len(submitted),
            "submitted_late": late,
            "returned": sum(r.status == SelfReport.Status.RETURNED for r in reports),
            "not_submitted": len(reports) - len(submitted),
            "missing_after_due": missing_after_due,
            "late": late + missing_after_due,
        },
        "findings": {
            area: {
                "total": sum(f.area == area for f in findings),
                "failed": sum(f.area == area and not f.passed for f in findings),
            }
            for area in Area.values
        },
        "orders": {
            "total": len(orders),
            **{
                state: sum(o.status == state for o in orders)
                for state in ("open", "answered", "verified", "failed", "unmet")
            },
            "overdue": sum(o.status == "open" and o.deadline < today for o in orders),
        },
    }


def demo_cycle() -> ReviewCycle:
    return ReviewCycle.objects.get(year=timezone.localdate().year)


def test_the_statistics_page_shows_the_cycle_s_figures(en):
    cycle = demo_cycle()
    expected = expected_figures(cycle)
    # The demo cycle has a bit of everything: a pass, a fail with its order, reports in and out.
    assert expected["results"]["passed"] and expected["results"]["failed"] and expected["orders"]["open"]
    assert expected["self_reports"]["submitted"] and expected["self_reports"]["not_submitted"]
    response = en("health").get(reverse("cycle_statistics", args=[cycle.pk]))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert {key: figures[key] for key in expected} == expected
    html = response.content.decode()
    assert f'data-testid="stat-reviews">{expected["reviews"]}<' in html
    assert f'data-testid="stat-status-awaiting_report">{expected["by_status"]["awaiting_report"]}<' in html
    assert f'data-testid="stat-findings-failed-fire">{expected["findings"]["fire"]["failed"]}<' in html
    assert f'data-testid="stat-orders-open">{expected["orders"]["open"]}<' in html
    assert 'data-testid="refresh"' in html


def test_dashboard_readers_see_the_figures_without_the_recompute_button_and_others_may_not(client_as):
    cycle = demo_cycle()
    html = client_as("leader").get(reverse("cycle_statistics", args=[cycle.pk])).content.decode()
    assert f'data-testid="stat-reviews">{cycle.reviews.count()}<' in html and 'data-testid="refresh"' not in html
    assert client_as("simen").get(reverse("cycle_statistics", args=[cycle.pk])).status_code == 200
    assert client_as("fire").get(reverse("cycle_statistics", args=[cycle.pk])).status_code == 403
    assert client_as("nursery1").get(reverse("cycle_statistics", args=[cycle.pk])).status_code == 403
    assert client_as("stranger").get(reverse("cycle_statistics", args=[cycle.pk])).status_code == 404
    assert client_as("leader").post(reverse("cycle_statistics_refresh", args=[cycle.pk])).status_code == 403


def test_the_page_reads_the_cached_figures_until_they_are_recomputed(en, cast):
    cycle = demo_cycle()
    client = en("health")
    submitted = expected_figures(cycle)["self_reports"]["submitted"]
    assert client.get(reverse("cycle_statistics", args=[cycle.pk])).context["figures"]["self_reports"]["submitted"] == (
        submitted
    )
    report = SelfReport.objects.filter(review__cycle=cycle, status="draft").first()
    SelfReport.objects.filter(pk=report.pk).update(status="submitted", submitted_at=timezone.now())
    # Still the cached figures: the change shows after the next computation.
    assert client.get(reverse("cycle_statistics", args=[cycle.pk])).context["figures"]["self_reports"]["submitted"] == (
        submitted
    )
    response = client.post(reverse("cycle_statistics_refresh", args=[cycle.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["The figures were recomputed."]
    assert response.context["figures"]["self_reports"]["submitted"] == submitted + 1


def test_figures_cached_for_another_database_are_not_shown(en):
    cycle = demo_cycle()
    cache.set(statistics.cache_key(cycle.year), {"cycle_id": cycle.pk + 1000, "reviews": 99})
    figures = en("health").get(reverse("cycle_statistics", args=[cycle.pk])).context["figures"]
    assert figures["reviews"] == cycle.reviews.count()


def test_computing_the_figures_takes_a_fixed_number_of_queries(cast, django_assert_num_queries):
    cycle = demo_cycle()
    with django_assert_num_queries(5):
        statistics.cycle_statistics_compute(cycle=cycle)
    # More institutions, findings and orders: the same queries.
    health, fire = cast["health"], cast["fire"]
    ReviewCycleFactory(actor=health, year=2025)
    for review in AnnualReview.objects.filter(cycle__year=2025).select_related("institution"):
        Finding.objects.create(
            review=review,
            institution=review.institution,
            area="fire",
            department=Organisation.objects.get(code="fire"),
            inspector=fire,
            inspected_on=timezone.localdate(),
            passed=False,
        )
        RectificationOrder.objects.create(
            review=review,
            institution=review.institution,
            number=f"测试〔2025〕{review.pk:04d}号",
            items=[],
            deadline=timezone.localdate() - timedelta(days=1),
            issued_by=health,
        )
    other = ReviewCycle.objects.get(year=2025)
    reviews = other.reviews.count()  # one failed fire finding and one overdue order each
    with django_assert_num_queries(5):
        figures = statistics.cycle_statistics_compute(cycle=other)
    assert reviews and figures["findings"]["fire"] == {"total": reviews, "failed": reviews}
    assert figures["orders"]["overdue"] == reviews
