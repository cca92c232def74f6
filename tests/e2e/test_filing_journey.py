"""The filing journey in a real browser, from an unfiled institution to the public registry.

nursery1 (head of 【演示】泗门镇小星星托育园, registered but not filed) starts an initial
filing, uploads a PDF for every required document, signs the commitment and submits; the
health bureau returns it with a reason on the fire-safety document; the institution replaces
that document and resubmits; the bureau accepts it (filing number, printable receipt); an
anonymous visitor then finds the institution in the public registry.

Each person has a browser context of their own. Selectors rest on URLs, field names and
data-testid, and the assertions on data (the institution's name, the filing number, the
reason text); status labels are compared with Django's own Chinese rendering of them, so
the test follows the translation catalogue rather than a copy of it.
"""

import re

import pytest

pytestmark = pytest.mark.e2e

NAME = "【演示】泗门镇小星星托育园"
SIMEN = "330281103"  # 泗门镇
FIRE_REASON = "消防验收意见书已过期，请上传有效期内的文件。"
NUMBER = re.compile(r"余卫托备〔\d{4}〕\d{4}号")


def _zh(label) -> str:
    """A label (a lazy one, or a message id) as the portal renders it for a zh-CN browser."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(str(label))


def _pdf(folder, name: str):
    """A small, real PDF (by its content); each one distinct."""
    path = folder / f"{name}.pdf"
    path.write_bytes(b"%PDF-1.4\n% " + name.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


def _post(page, action: str):
    """Submit the form posting to ``action`` (the page reloads on the redirect that follows)."""
    with page.expect_navigation():
        page.locator(f"form[action='{action}'] button[type=submit]").click()


def _open_from_queue(page, portal_url: str, filing_list: str, name: str) -> None:
    """From the filing list, filter by the institution's name and open its filing."""
    page.goto(f"{portal_url}{filing_list}")
    page.fill("#filter-q", "小星星")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    link = page.get_by_test_id("filing-list").get_by_role("link", name=name, exact=True)
    with page.expect_navigation():
        link.click()


def test_filing_from_start_to_the_public_registry(portal, new_page, log_in, menu_link, tmp_path, artifacts):
    from django.urls import reverse
    from playwright.sync_api import expect

    from registry.models import Filing, FilingAttachment, Institution
    from registry.services.filings import required_attachments

    url = portal.url
    institution = Institution.objects.get(organisation__code="demo-simen-xingxing")
    assert institution.name == NAME and institution.filing_status == Institution.FilingStatus.NOT_FILED
    filing_list = reverse("filing_list")
    submitted = _zh(Filing.Status.SUBMITTED.label)
    returned = _zh(Filing.Status.RETURNED.label)
    accepted = _zh(Filing.Status.ACCEPTED.label)

    # 1. The institution files. Its work queue sends it to its institution page.
    nursery = log_in(new_page(), "nursery1")
    queue_link = nursery.get_by_test_id("work-queue").locator(
        f"a[href='{reverse('institution_detail', args=[institution.pk])}']"
    )
    expect(queue_link).to_have_text(_zh("File your institution with the health bureau"))
    with nursery.expect_navigation():
        queue_link.click()
    expect(nursery.locator("main h1")).to_contain_text(NAME)

    # The filing list offers to start a filing; start the initial one.
    with nursery.expect_navigation():
        menu_link(nursery, filing_list).click()
    start = nursery.locator(f"form[action='{reverse('filing_start')}']")
    expect(nursery.locator("main section").filter(has=start)).to_contain_text(NAME)
    start.locator("select[name=kind]").select_option(Filing.Kind.INITIAL)
    _post(nursery, reverse("filing_start"))
    match = re.search(r"/registry/filings/(\d+)/$", nursery.url)
    assert match, nursery.url
    filing = Filing.objects.get(pk=int(match.group(1)))
    assert filing.institution_id == institution.pk and filing.kind == Filing.Kind.INITIAL
    detail = reverse("filing_detail", args=[filing.pk])
    upload = reverse("filing_attachment_upload", args=[filing.pk])
    required = required_attachments(filing)
    assert FilingAttachment.Kind.FOOD_LICENCE in required  # it serves meals
    expect(nursery.get_by_test_id("filing-status")).to_have_text(_zh(Filing.Status.DRAFT.label))
    rows = nursery.get_by_test_id("checklist").locator("tbody tr")  # one per required document, in order
    expect(rows).to_have_count(len(required))

    # Every required document, through the upload form.
    for kind in required:
        form = nursery.locator(f"form[action='{upload}']")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("input[name=file]").set_input_files(str(_pdf(tmp_path, kind)))
        _post(nursery, upload)
        expect(rows.nth(required.index(kind))).to_contain_text(f"{kind}.pdf")
    assert sorted(filing.attachments.values_list("kind", flat=True)) == sorted(required)

    # Sign the commitment, save, submit.
    nursery.fill("#edit-summary", "首次备案：全日托，乳儿班、托小班、托大班。")
    nursery.fill("input[name=commitment_signed_by]", "演示负责人")
    _post(nursery, reverse("filing_edit", args=[filing.pk]))
    expect(nursery.locator("input[name=commitment_signed_by]")).to_have_value("演示负责人")
    _post(nursery, reverse("filing_submit", args=[filing.pk]))
    expect(nursery.get_by_test_id("filing-status")).to_have_text(submitted)
    expect(nursery.get_by_test_id("filing-submissions")).to_have_text("1")
    expect(nursery.get_by_test_id("institution-forms")).to_have_count(0)  # nothing more to write

    # 2. The health bureau returns it, with a reason on the fire-safety document.
    health = log_in(new_page(), "health")
    _open_from_queue(health, url, filing_list, NAME)
    expect(health).to_have_url(f"{url}{detail}")
    expect(health.get_by_test_id("filing-status")).to_have_text(submitted)
    health.fill("textarea[name=reason_fire_safety]", FIRE_REASON)
    _post(health, reverse("filing_return", args=[filing.pk]))
    expect(health.get_by_test_id("filing-status")).to_have_text(returned)
    expect(health.get_by_test_id("return-reasons")).to_contain_text(FIRE_REASON)

    # 3. The institution reads the reason, replaces the document and resubmits.
    nursery.goto(f"{url}/")
    returned_item = nursery.get_by_test_id("work-queue").locator(f"a[href='{detail}']")
    expect(returned_item).to_have_text(_zh("Your filing was returned: correct and resubmit it"))
    with nursery.expect_navigation():
        returned_item.click()
    expect(nursery.get_by_test_id("filing-status")).to_have_text(returned)
    expect(nursery.get_by_test_id("return-reasons")).to_contain_text(FIRE_REASON)
    fire_row = rows.nth(required.index(FilingAttachment.Kind.FIRE_SAFETY))
    expect(fire_row).to_contain_text(FIRE_REASON)
    old = filing.attachments.get(kind=FilingAttachment.Kind.FIRE_SAFETY)
    _post(nursery, reverse("filing_attachment_delete", args=[old.pk]))
    form = nursery.locator(f"form[action='{upload}']")
    form.locator("select[name=kind]").select_option(FilingAttachment.Kind.FIRE_SAFETY)
    form.locator("input[name=file]").set_input_files(str(_pdf(tmp_path, "fire_safety_2026")))
    _post(nursery, upload)
    expect(fire_row).to_contain_text("fire_safety_2026.pdf")
    expect(fire_row).not_to_contain_text("fire_safety.pdf")
    _post(nursery, reverse("filing_submit", args=[filing.pk]))
    expect(nursery.get_by_test_id("filing-status")).to_have_text(submitted)
    expect(nursery.get_by_test_id("filing-submissions")).to_have_text("2")

    # 4. The health bureau accepts it: a filing number and the receipt.
    _open_from_queue(health, url, filing_list, NAME)
    expect(health.get_by_test_id("filing-submissions")).to_have_text("2")
    _post(health, reverse("filing_accept", args=[filing.pk]))
    expect(health.get_by_test_id("filing-status")).to_have_text(accepted)
    expect(health.get_by_test_id("filing-number")).to_contain_text(NUMBER)
    number = NUMBER.search(health.get_by_test_id("filing-number").inner_text()).group(0)
    filing.refresh_from_db()
    assert filing.number == number
    with health.expect_navigation():
        health.locator(f"a[href='{reverse('filing_receipt', args=[filing.pk])}']").click()
    expect(health.get_by_test_id("receipt-number")).to_have_text(number)
    expect(health.get_by_test_id("receipt")).to_contain_text(NAME)
    health.screenshot(path=str(artifacts / "filing-receipt.png"), full_page=True)

    # 5. Anyone finds it in the public registry, without logging in.
    visitor = new_page()
    visitor.goto(f"{url}{reverse('public_search')}")
    expect(visitor.get_by_test_id("current-user")).to_have_count(0)
    visitor.select_option("select[name=township]", SIMEN)
    visitor.fill("input[name=text]", "小星星")
    with visitor.expect_navigation():
        visitor.locator("form[role=search] button[type=submit]").click()
    results = visitor.get_by_test_id("public-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    result = results.get_by_role("link", name=NAME, exact=True)
    expect(result).to_have_attribute("href", reverse("public_institution_detail", args=[institution.pk]))
    with visitor.expect_navigation():
        result.click()
    expect(visitor.locator("main h1")).to_have_text(NAME)
    expect(visitor.get_by_test_id("public-filing-number")).to_have_text(number)
    visitor.screenshot(path=str(artifacts / "public-registry.png"), full_page=True)
