"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

No browser is ever downloaded: the tests use /usr/bin/chromium and skip when it is missing.
Screenshots go to test-artifacts/e2e/ (git-ignored).
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module of browser tests.

    Playwright's sync API keeps an asyncio event loop running in the test thread for as long as
    it is open, and Django refuses ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE
    says this is deliberate. The variable is set here, for exactly that span (module scope, so
    that later tests run with Django's async safety check on and no loop around)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def portal(live_server):
    """The live portal with the fixed cast loaded.

    live_server makes the test transactional: the flush after it empties the tables, and the
    snapshot of the cast is put back after it (tests/conftest.py), ready for the next one."""
    return live_server


@pytest.fixture
def new_page(browser):
    """Pages on demand, each in a browser context of its own (its own cookies: one person
    each, or an anonymous visitor). All are closed after the test."""
    contexts = []
    violations = []  # what the Content-Security-Policy refused: a script the policy breaks

    def make():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    try:
        yield make
    finally:
        for context in contexts:
            context.close()
    assert not violations, violations


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in(portal):
    """Log a page in as one of the cast through the login form; the home page follows."""
    from accounts.demo import DEMO_PASSWORD

    def log_in(page, username: str):
        page.goto(f"{portal.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        if page.url != f"{portal.url}/":
            raise AssertionError(f"{username} did not reach the home page after logging in: {page.url}")
        return page

    return log_in


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def menu_link():
    """The main menu's link to a page, made visible: its group's dropdown opened first (and,
    at phone width, the folded menu)."""

    def menu_link(page, href: str):
        from playwright.sync_api import expect

        toggler = page.locator("header button.navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(page.locator("#main-menu")).to_have_class(re.compile(r"\bshow\b"))
        link = page.locator(f"header nav a[href='{href}']")
        group = page.locator("header nav [data-group]").filter(has=page.locator(f"a[href='{href}']"))
        if group.count():
            group.locator("> .dropdown-toggle").click()
        expect(link).to_be_visible()
        return link

    return menu_link
