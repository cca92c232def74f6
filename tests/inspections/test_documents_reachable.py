"""Issue 13, point 17: each printable document is reachable from the page of what it prints
(the order from its page, the result notice from the review's page, the filing receipt from
the filing's and the institution's page), and the result notice, at its fullest (every area
inspected, reasons, an order and the result after rectification), fits one A4 page with its
seal."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Organisation
from inspections.models import AnnualReview, Area, Finding, RectificationOrder
from registry.models import Filing

pytestmark = pytest.mark.django_db

FAILED_INSTITUTION = "【演示】梨洲街道启航托育园"


def demo_order() -> RectificationOrder:
    return RectificationOrder.objects.select_related("institution", "review").get(
        institution__name=FAILED_INSTITUTION, review__cycle__year=timezone.localdate().year
    )


def test_the_order_page_links_to_its_print_page_and_pdf(client_as):
    order = demo_order()
    for username in ("health", "lizhou"):  # the bureau and the township that sees the order
        html = client_as(username).get(reverse("order_detail", args=[order.pk])).content.decode()
        assert reverse("order_print", args=[order.pk]) in html, username
        assert reverse("order_pdf", args=[order.pk]) in html, username


def test_a_decided_review_s_page_links_to_its_result_notice(client_as):
    review = demo_order().review
    html = client_as("health").get(reverse("review_detail", args=[review.pk])).content.decode()
    assert reverse("review_notice_print", args=[review.pk]) in html
    assert reverse("review_notice_pdf", args=[review.pk]) in html


def test_an_undecided_review_s_page_offers_no_notice(client_as):
    review = AnnualReview.objects.filter(result="", cycle__year=timezone.localdate().year).first()
    html = client_as("health").get(reverse("review_detail", args=[review.pk])).content.decode()
    assert reverse("review_notice_print", args=[review.pk]) not in html


def test_the_filing_receipt_is_reachable_from_the_filing_and_the_institution(client_as):
    filing = Filing.objects.filter(status="accepted", kind="initial").select_related("institution").first()
    receipt = reverse("filing_receipt", args=[filing.pk])
    assert receipt in client_as("health").get(reverse("filing_detail", args=[filing.pk])).content.decode()
    page = client_as("health").get(reverse("institution_detail", args=[filing.institution_id])).content.decode()
    assert receipt in page


def pages(content: bytes) -> int:
    """Pages of the PDF: pdfinfo's count where poppler-utils is installed, else pypdf's."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        # Our own PDF read by a fixed local tool: no untrusted input reaches the command line.
        info = subprocess.run([pdfinfo, "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return len(PdfReader(io.BytesIO(content)).pages)


def test_the_fullest_result_notice_fits_one_a4_page_with_its_seal(client_as, cast):
    order = demo_order()
    review = AnnualReview.objects.get(pk=order.review_id)
    inspector = cast["health"]
    health = Organisation.objects.get(code="health")
    for area in Area.values:  # every area inspected, one of them failed
        Finding.objects.get_or_create(
            review=review, area=area,
            defaults={"institution": review.institution, "department": health, "inspector": inspector,
                      "inspected_on": timezone.localdate(), "passed": area != "fire"},
        )  # fmt: skip
    AnnualReview.objects.filter(pk=review.pk).update(
        decision_reason="消防通道堆放杂物，应急照明损坏，灭火器过期；食品留样记录不全；部分保育人员健康证过期。" * 2,
        final_result=AnnualReview.Result.FAIL,
    )
    response = client_as("health").get(reverse("review_notice_pdf", args=[review.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "（盖章）" in text  # the seal is on the first page
    assert pages(response.content) == 1
