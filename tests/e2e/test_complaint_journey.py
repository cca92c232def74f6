"""The complaint journey in a real browser, from the poster on the door to the public count.

The health bureau prints the QR poster of 【演示】梨洲街道启航托育园 and reads the address the
code holds. A parent opens that address on a phone (390 px wide), reads the institution's page
(filing number, review results, substantiated complaints), complains about a fee without an
account and gets a tracking code. Market supervision finds the complaint in its list,
acknowledges it, concludes it as substantiated with a reply, and issues a rectification order
from it. The parent follows the complaint with the code and reads the conclusion and the reply;
the institution's public page now counts one substantiated complaint more.

Each person has a browser context of their own; selectors rest on URLs, field names and
data-testid. Screenshots go to test-artifacts/e2e/complaint-*.png.
"""

import re
from datetime import timedelta

import pytest

pytestmark = pytest.mark.e2e

NAME = "【演示】梨洲街道启航托育园"
COMPLAINT = "入托时被要求缴纳公示以外的“教材费”800元，没有收据。"
REPLY = "经查属实，已责令机构退还费用并限期整改。"
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
PHONE = {"width": 390, "height": 844}


def _count(text: str) -> int:
    return int(re.search(r"\d+", text).group(0))


def test_a_parent_complains_from_the_poster_and_market_supervision_substantiates_it(
    portal, browser, new_page, log_in, artifacts
):
    from django.urls import reverse
    from django.utils import timezone

    from registry.models import Institution
    from supervision.models import Complaint

    institution = Institution.objects.get(name=NAME)

    # The health bureau prints the poster for the door.
    bureau = log_in(new_page(), "health")
    bureau.goto(f"{portal.url}{reverse('institution_poster', args=[institution.pk])}")
    poster_url = bureau.get_by_test_id("poster-url").inner_text().strip()
    assert poster_url.endswith(reverse("public_institution_detail", args=[institution.pk]))
    assert institution.filing_number in bureau.get_by_test_id("poster-filing-number").inner_text()
    assert bureau.locator("[data-testid=poster-qr] svg").count() == 1
    bureau.screenshot(path=str(artifacts / "complaint-poster.png"), full_page=True)

    # A parent scans it on a phone.
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    parent = phone.new_page()
    parent.set_default_timeout(15_000)
    try:
        parent.goto(poster_url)
        assert parent.locator("main h1").inner_text() == NAME
        before = _count(parent.get_by_test_id("public-substantiated").inner_text())
        assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        parent.screenshot(path=str(artifacts / "complaint-public-page-phone.png"), full_page=True)
        with parent.expect_navigation():
            parent.get_by_test_id("public-complain").click()
        parent.select_option("select[name=category]", "fees")
        parent.fill("textarea[name=description]", COMPLAINT)
        with parent.expect_navigation():
            parent.locator("[data-testid=complaint-form] button[type=submit]").click()
        code = parent.get_by_test_id("tracking-code").inner_text().strip()
        assert CODE.fullmatch(code)
        parent.screenshot(path=str(artifacts / "complaint-sent-phone.png"), full_page=True)
        complaint = Complaint.objects.get(tracking_code=code)
        assert complaint.institution_id == institution.pk and complaint.contact_phone == ""

        # Market supervision handles it: acknowledged, substantiated, an order issued.
        amr = log_in(new_page(), "amr")
        amr.goto(f"{portal.url}{reverse('complaint_list')}?status=received")
        with amr.expect_navigation():
            amr.get_by_role("link", name=code).click()
        with amr.expect_navigation():
            amr.locator(f"form[action='{reverse('complaint_acknowledge', args=[complaint.pk])}'] button").click()
        form = amr.get_by_test_id("conclude-form")
        form.locator("select[name=outcome]").select_option("substantiated")
        form.locator("textarea[name=findings]").fill("核对收费台账，另收教材费800元属实，未公示。")
        form.locator("textarea[name=reply]").fill(REPLY)
        with amr.expect_navigation():
            form.locator("button[type=submit]").click()
        order_form = amr.get_by_test_id("order-form")
        order_form.locator("textarea[name=text]").fill("停止收取未公示的教材费，退还已收费用。")
        deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
        order_form.locator("input[name=deadline]").fill(deadline)
        with amr.expect_navigation():
            order_form.locator("button[type=submit]").click()
        order_number = amr.get_by_test_id("complaint-order").inner_text()
        assert order_number.startswith("余卫托整")
        amr.screenshot(path=str(artifacts / "complaint-handled.png"), full_page=True)
        complaint.refresh_from_db()
        assert complaint.outcome == "substantiated" and complaint.order.number == order_number

        # The parent follows it with the code, and the public page counts it.
        parent.goto(f"{portal.url}{reverse('complaint_track')}")
        parent.fill("input[name=code]", code)
        with parent.expect_navigation():
            parent.locator("main form button[type=submit]").click()
        assert parent.get_by_test_id("tracked-status").inner_text() == "已办结"
        assert parent.get_by_test_id("tracked-outcome").inner_text() == "查实"
        assert parent.get_by_test_id("tracked-reply").inner_text() == REPLY
        assert "核对收费台账" not in parent.content()  # the findings stay internal
        parent.screenshot(path=str(artifacts / "complaint-tracked-phone.png"), full_page=True)
        parent.goto(poster_url)
        assert _count(parent.get_by_test_id("public-substantiated").inner_text()) == before + 1
        parent.screenshot(path=str(artifacts / "complaint-public-page-after-phone.png"), full_page=True)
    finally:
        phone.close()


def test_the_public_search_is_cards_on_a_phone_and_prints_without_the_menu(portal, browser, artifacts):
    from django.urls import reverse

    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        page.goto(f"{portal.url}{reverse('public_search')}")
        cards = page.get_by_test_id("public-cards")
        assert cards.is_visible() and cards.locator(".card").count() > 0
        assert not page.get_by_test_id("public-results").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.get_by_test_id("report-unregistered").is_visible()
        page.screenshot(path=str(artifacts / "complaint-public-search-phone.png"), full_page=True)
        page.emulate_media(media="print")
        assert not page.locator("footer").is_visible()
    finally:
        phone.close()
