"""A change filing (变更备案) in a real browser: a filed institution adds a class, and the public
registry shows the new slots only once the health bureau accepts the change.

nursery1's institution (【演示】泗门镇小星星托育园, 45 places) is filed first, as the filing
journey leaves it (written directly: that journey is tested on its own). nursery1 proposes
one more class of 20 places on its institution page; the page it lands on shows the change
before → after; it adds the document and submits. An anonymous visitor still reads 45 slots
on the public page. The health bureau opens the change from its queue, reads the same rows
and accepts; the visitor now reads 65, and the receipt says 变更备案回执 with the filing number
unchanged.
"""

import pytest

pytestmark = pytest.mark.e2e

NAME = "【演示】泗门镇小星星托育园"
NUMBER = "余卫托备〔2026〕0042号"


def _zh(label) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(str(label))


def _post(page, action: str):
    with page.expect_navigation():
        page.locator(f"form[action='{action}'] button[type=submit]").first.click()


def _file_nursery1():
    from django.utils import timezone

    from registry.models import Filing, Institution

    institution = Institution.objects.get(organisation__code="demo-simen-xingxing")
    Filing.objects.create(
        institution=institution, kind=Filing.Kind.INITIAL, status=Filing.Status.ACCEPTED, number=NUMBER,
        decided_at=timezone.now(),
    )  # fmt: skip
    Institution.objects.filter(pk=institution.pk).update(
        filing_status=Institution.FilingStatus.FILED, filing_number=NUMBER, status=Institution.Status.OPERATING
    )
    return Institution.objects.get(pk=institution.pk)


def _public_slots(page, portal_url: str, pk: int) -> str:
    from django.urls import reverse

    page.goto(f"{portal_url}{reverse('public_institution_detail', args=[pk])}")
    term = page.locator("main dt", has_text=_zh("Slots"))
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def test_a_new_class_reaches_the_public_page_only_when_health_accepts_the_change(
    portal, new_page, log_in, tmp_path, artifacts
):
    from django.urls import reverse
    from playwright.sync_api import expect

    from registry.models import Filing

    url = portal.url
    institution = _file_nursery1()
    visitor = new_page()
    assert _public_slots(visitor, url, institution.pk) == "45"

    # 1. nursery1 adds a class on its institution page: it is proposed, not saved.
    nursery = log_in(new_page(), "nursery1")
    nursery.goto(f"{url}{reverse('institution_detail', args=[institution.pk])}")
    expect(nursery.get_by_test_id("change-note")).to_be_visible()
    add = reverse("class_group_add", args=[institution.pk])
    nursery.locator("#classes details summary").click()
    form = nursery.locator(f"form[action='{add}']")
    form.locator("input[name=name]").fill("托大班二班")
    form.locator("select[name=age_band]").select_option("older")
    form.locator("input[name=places]").fill("20")
    form.locator("input[name=enrolled]").fill("0")
    form.locator("input[name=caregivers]").fill("3")
    _post(nursery, add)
    change = Filing.objects.get(institution=institution, kind=Filing.Kind.CHANGE)
    expect(nursery).to_have_url(f"{url}{reverse('filing_detail', args=[change.pk])}")
    expect(nursery.get_by_test_id("filing-status")).to_have_text(_zh(Filing.Status.DRAFT.label))
    rows = nursery.get_by_test_id("change-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("change-after")).to_contain_text("托大班二班")
    expect(rows.first.get_by_test_id("change-after")).to_contain_text("20")

    # The document, then submit.
    upload = reverse("filing_attachment_upload", args=[change.pk])
    paper = tmp_path / "增班说明.pdf"
    paper.write_bytes(b"%PDF-1.4\n% change\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    upload_form = nursery.locator(f"form[action='{upload}']")
    upload_form.locator("select[name=kind]").select_option("other")
    upload_form.locator("input[name=file]").set_input_files(str(paper))
    _post(nursery, upload)
    nursery.fill("#edit-summary", "新增托大班一个，20个托位。")
    _post(nursery, reverse("filing_edit", args=[change.pk]))
    _post(nursery, reverse("filing_submit", args=[change.pk]))
    expect(nursery.get_by_test_id("filing-status")).to_have_text(_zh(Filing.Status.SUBMITTED.label))
    nursery.screenshot(path=str(artifacts / "change-filing-proposed.png"), full_page=True)

    # 2. The public page still shows the filed slots.
    assert _public_slots(visitor, url, institution.pk) == "45"

    # 3. The health bureau opens it from its queue, reads before → after, and accepts.
    health = log_in(new_page(), "health")
    health.goto(f"{url}{reverse('filing_list')}")
    health.fill("#filter-q", "小星星")
    with health.expect_navigation():
        health.locator("form[role=search] button[type=submit]").click()
    # The change sits in the queue beside the institution's accepted initial filing.
    queue = health.get_by_test_id("filing-list")
    expect(queue.get_by_role("link", name=NAME, exact=True)).to_have_count(2)
    link = queue.locator(f"a[href='{reverse('filing_detail', args=[change.pk])}']")
    with health.expect_navigation():
        link.click()
    expect(health.get_by_test_id("change-row")).to_have_count(1)
    expect(health.get_by_test_id("change-after")).to_contain_text("托大班二班")
    health.screenshot(path=str(artifacts / "change-filing-review.png"), full_page=True)
    _post(health, reverse("filing_accept", args=[change.pk]))
    expect(health.get_by_test_id("filing-status")).to_have_text(_zh(Filing.Status.ACCEPTED.label))
    expect(health.get_by_test_id("filing-number")).to_contain_text(NUMBER)

    # 4. The public page shows the new slots; the receipt is a change filing's.
    assert _public_slots(visitor, url, institution.pk) == "65"
    expect(visitor.locator("main")).to_contain_text(NUMBER)
    visitor.screenshot(path=str(artifacts / "change-filing-public.png"), full_page=True)
    with health.expect_navigation():
        health.locator(f"a[href='{reverse('filing_receipt', args=[change.pk])}']").click()
    expect(health.locator("main h1")).to_have_text(_zh("Change filing receipt"))
    expect(health.get_by_test_id("receipt-number")).to_have_text(NUMBER)
    expect(health.get_by_test_id("receipt-changes")).to_contain_text("托大班二班")
    health.screenshot(path=str(artifacts / "change-filing-receipt.png"), full_page=True)
