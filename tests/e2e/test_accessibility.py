"""Accessibility (WCAG 2.1 AA, which GB/T 37668 asks of government sites too), measured with
axe-core in a real browser over each role's main pages, at desk width and at 390 px.

axe-core is a development dependency from npm (``package.json``), served to the tests only: it is
injected from ``node_modules/axe-core/axe.min.js`` by path and never named by a page. Any
violation of a WCAG 2.0 or 2.1 rule of level A or AA fails the test, with the rule, the
page, the width and the first elements it names."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _pages():
    """Each role's main pages (None: the anonymous visitor)."""
    return {
        "health": ["/", reverse("filing_list"), reverse("institution_list"), reverse("city_dashboard")],
        "simen": ["/", reverse("institution_list"), reverse("complaint_list")],
        "nursery1": ["/", reverse("review_list"), reverse("staff_list")],
        "auditor": ["/", reverse("audit_event_list"), reverse("security_event_list")],
        "secadmin": ["/", reverse("membership_assign"), reverse("api_token_list")],
        None: ["/", reverse("public_search"), reverse("login"), reverse("complaint_track")],
    }


def _violations(page) -> list[dict]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '')"
        ".slice(0, 200)), count: v.nodes.length})))",
        TAGS,
    )
    return result


def test_every_main_page_of_every_role_has_no_wcag_a_or_aa_violation(portal, browser, log_in):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm install` (axe-core is a development dependency in package.json)")
    found = []
    for username, paths in _pages().items():
        # The pages' Content-Security-Policy refuses inline scripts, as it should: the context
        # lets the test inject axe (the pages themselves are unchanged).
        page = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
        page.set_default_timeout(15_000)
        if username:
            log_in(page, username)
        for label, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            for path in paths:
                page.goto(f"{portal.url}{path}")
                page.add_script_tag(path=str(AXE))
                for violation in _violations(page):
                    found.append({"user": username or "anonymous", "width": label, "path": path, **violation})
        page.context.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
