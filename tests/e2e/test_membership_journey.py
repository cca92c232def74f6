"""The security administrator grants a membership in a browser, by name: types part of a
person's name and of an organisation's, picks each from the matches the portal sends (no id is
typed, nothing is listed beforehand), saves, and the new member is listed; the
Content-Security-Policy lets the pickers run (``new_page`` fails the test on any refusal)."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_security_administrator_adds_a_member_by_typing_names(portal, page, log_in):
    from accounts.models import Membership, User

    log_in(page, "secadmin")
    page.goto(f"{portal.url}/security/memberships/")
    form = page.get_by_test_id("membership-form")
    assert form.locator("select#id_user option").count() == 1  # only the empty choice
    page.locator("#id_user-ts-control").fill("无单位")
    page.locator(".ts-dropdown .option", has_text="无单位用户（stranger）").click()
    page.locator("#id_organisation-ts-control").fill("泗门镇人民")
    page.locator(".ts-dropdown .option", has_text="泗门镇人民政府").click()
    form.locator("select[name=role]").select_option("viewer")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "无单位用户已加入泗门镇人民政府" in page.locator("main").inner_text()
    stranger = User.objects.get(username="stranger")
    assert Membership.objects.filter(user=stranger, organisation__name="泗门镇人民政府", role="viewer").exists()
