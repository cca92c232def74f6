"""The first journey in a real browser: log in, read the home page in Chinese, switch to
English, log out."""

import re

import pytest

pytestmark = pytest.mark.e2e


def test_health_officer_logs_in_switches_to_english_and_logs_out(portal, page, artifacts):
    from playwright.sync_api import expect

    # Log in.
    page.goto(f"{portal.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.fill("input[name=username]", "health")
    page.fill("input[name=password]", "Yuyao@2026")
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    # The home page, in Chinese: the officer's own organisation and the current user.
    expect(page).to_have_url(f"{portal.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main")).to_contain_text("市卫生健康局")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    expect(page.locator("header form[action='/accounts/logout/'] button")).not_to_have_text("Log out")
    page.screenshot(path=str(artifacts / "home-zh-hans.png"), full_page=True)

    # Switch the language selector to English: the form submits itself on change.
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    expect(page).to_have_url(f"{portal.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")
    expect(page.get_by_role("heading", name="My work queue")).to_be_visible()
    logout = page.locator("header form[action='/accounts/logout/'] button")
    expect(logout).to_have_text("Log out")
    page.screenshot(path=str(artifacts / "home-en.png"), full_page=True)

    # Log out: back on the login page, still in English, no longer signed in.
    with page.expect_navigation():
        logout.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The session is gone: the home page now shows the public page.
    page.goto(f"{portal.url}/")
    expect(page.get_by_test_id("current-user")).to_have_count(0)
