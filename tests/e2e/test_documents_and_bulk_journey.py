"""Reading a filing's documents in place, and deciding certificates in bulk, in a real browser.

The health bureau opens a filing waiting for review, goes to the reading view and through the
documents one after another: each PDF is framed in the page (the document answers with its own
sandboxing policy and lets only the portal frame it), with no policy violation and no refused
frame. The HR bureau chooses every pending certificate of its queue with the select-all box
(static/js/bulk.js counts them and enables the button) and verifies them in one go.
"""

import pytest

from registry.models import Filing
from training.models import Certificate

pytestmark = pytest.mark.e2e


def _click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_the_health_bureau_reads_a_filing_s_documents_one_after_another(portal, new_page, log_in, artifacts):
    from playwright.sync_api import expect

    filing = Filing.objects.filter(status=Filing.Status.SUBMITTED, attachments__isnull=False).order_by("pk").first()
    count = filing.attachments.count()
    assert count >= 2
    page = new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" and "frame" in m.text.lower() else None)
    log_in(page, "health")
    page.goto(f"{portal.url}/registry/filings/{filing.pk}/")
    _click(page, page.locator("[data-testid=read-documents]"))
    expect(page.locator("[data-testid=document-list] li")).to_have_count(count)
    frame = page.locator("[data-testid=document-frame]")
    expect(frame).to_be_visible()
    with page.expect_response(lambda r: "/view/" in r.url) as answer:
        page.reload()
    headers = answer.value.headers
    assert headers["content-type"] == "application/pdf" and headers["x-frame-options"] == "SAMEORIGIN"
    # Chromium keeps only frame-ancestors of a PDF's policy (its own viewer renders it; the
    # portal's answer carries the whole sandbox, tests/registry/test_documents_in_place.py).
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    page.screenshot(path=str(artifacts / "filing-documents-reading-view.png"), full_page=True)
    seen = 1
    while page.locator("[data-testid=next]").count():
        _click(page, page.locator("[data-testid=next]"))
        seen += 1
        expect(page.locator("[data-testid=document-list] li.active")).to_have_count(1)
    assert seen == count
    expect(page.locator("[data-testid=previous]")).to_be_visible()
    assert not refused, refused


def test_the_hr_bureau_verifies_every_pending_certificate_at_once(portal, new_page, log_in, artifacts):
    from playwright.sync_api import expect

    pending = list(Certificate.objects.filter(status=Certificate.Status.PENDING).values_list("pk", flat=True))
    assert pending
    page = new_page()
    log_in(page, "hrss")
    page.goto(f"{portal.url}/training/certificates/")
    bar = page.locator("[data-testid=bulk-bar]")
    expect(bar.locator("[data-bulk-count]")).to_have_text("0")
    expect(bar.locator("[data-testid=bulk-submit]")).to_be_disabled()
    page.locator("[data-bulk-all=bulk-certificates]").check()
    expect(bar.locator("[data-bulk-count]")).to_have_text(str(min(len(pending), 25)))
    expect(bar.locator("[data-testid=bulk-submit]")).to_be_enabled()
    bar.locator("#bulk-note").fill("批量核验")
    page.screenshot(path=str(artifacts / "certificate-queue-bulk-bar.png"), full_page=True)
    _click(page, bar.locator("[data-testid=bulk-submit]"))
    expect(page.locator("main div[role=status]").first).to_contain_text("核验通过")
    statuses = set(Certificate.objects.filter(pk__in=pending[:25]).values_list("status", flat=True))
    assert statuses == {Certificate.Status.VERIFIED}


def test_a_department_sees_the_review_queue_s_action_bar(portal, new_page, log_in, artifacts):
    from playwright.sync_api import expect

    page = new_page()
    log_in(page, "fire")
    page.goto(f"{portal.url}/inspections/reviews/?status=inspecting")
    bar = page.locator("[data-testid=bulk-bar]")
    expect(bar.locator("[data-testid=bulk-pass]")).to_be_disabled()
    page.locator("input[name=ids][form=bulk-reviews]").first.check()
    expect(bar.locator("[data-bulk-count]")).to_have_text("1")
    expect(bar.locator("[data-testid=bulk-pass]")).to_be_enabled()
    page.screenshot(path=str(artifacts / "review-queue-bulk-bar.png"), full_page=True)
