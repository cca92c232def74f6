"""The main menu in a real browser, as the health bureau, a township (simen) and an institution
(nursery1) find their way from the home page, on a desk and on a phone.

Each opens a group of the menu, sees the waiting counts the home page's work queue gives, goes to
a page and finds it marked as the current one. At 390 px the menu folds behind a button. The
menu's links are measured for contrast (WCAG AA: 4.5:1) and the language select's focus ring
on the blue header (3:1). Screenshots of each home page at 1280 px and 390 px go to
test-artifacts/e2e/navigation-<user>-<width>.png."""

import re

import pytest

pytestmark = pytest.mark.e2e

DESK, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}

# Each person: a group they open, a page in it they go to, the groups they must not see.
JOURNEYS = [
    ("health", "institutions", "/registry/filings/", {"system"}),
    ("simen", "institutions", "/registry/institutions/", {"system"}),
    ("nursery1", "review", "/inspections/reviews/", {"system", "targets"}),
]

# The colours of an element and of the first ancestor with an opaque background, as computed.
COLOURS = """element => {
  const rgb = value => value.match(/[\\d.]+/g).map(Number);
  let node = element, background = null;
  while (node && !background) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] === 1) background = colour.slice(0, 3);
    node = node.parentElement;
  }
  return {text: rgb(getComputedStyle(element).color).slice(0, 3), background: background || [255, 255, 255]};
}"""


def _contrast(first, second) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("username, group, target, hidden", JOURNEYS)
def test_the_menu_shows_each_person_their_groups_with_counts_on_a_desk_and_on_a_phone(
    username, group, target, hidden, portal, new_page, log_in, artifacts
):
    from playwright.sync_api import expect

    from accounts.models import User
    from accounts.selectors import work_queue

    page = log_in(new_page(), username)
    menu = page.get_by_test_id("main-menu")
    groups = set(menu.locator("[data-group]").evaluate_all("items => items.map(i => i.dataset.group)"))
    assert group in groups and not groups & hidden, groups
    expect(menu.locator("a[aria-current=page]")).to_have_attribute("href", "/")

    # The counts beside the items: those of the work queue, where it counts a page of the menu.
    counted = {item["url"].split("?")[0] for item in work_queue(actor=User.objects.get(username=username))
               if item.get("count")}  # fmt: skip
    menu_links = set(menu.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    with_count = menu.locator("a:has([data-testid=menu-count])").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert set(with_count) == counted & menu_links

    # Menu links are readable on the menu's background, and the focus ring on the blue header.
    for link in menu.locator("> li > .nav-link").all():
        colours = link.evaluate(COLOURS)
        assert _contrast(colours["text"], colours["background"]) >= 4.5, (link.inner_text(), colours)
    page.locator("#language-select").focus()
    ring = page.locator("#language-select").evaluate(
        "s => ({style: getComputedStyle(s).outlineStyle, width: parseFloat(getComputedStyle(s).outlineWidth),"
        " colour: getComputedStyle(s).outlineColor.match(/\\d+/g).slice(0, 3).map(Number),"
        " header: getComputedStyle(s.closest('.bg-primary')).backgroundColor.match(/\\d+/g).map(Number)})"
    )
    assert ring["style"] != "none" and ring["width"] >= 2
    assert _contrast(ring["colour"], ring["header"]) >= 3, ring
    page.locator("#language-select").blur()

    # On a desk: open the group, screenshot, go to a page of it; it is marked as the current one.
    toggle = menu.locator(f"[data-group={group}] > .dropdown-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    link = menu.locator(f"[data-group={group}] a[href='{target}']")
    expect(link).to_be_visible()
    page.screenshot(path=str(artifacts / f"navigation-{username}-1280.png"))
    with page.expect_navigation():
        link.click()
    expect(menu.locator("a[aria-current=page]")).to_have_attribute("href", target)
    expect(toggle).to_have_class(re.compile(r"\bactive\b"))

    # On a phone: the menu folds behind its button and opens with it.
    page.set_viewport_size(PHONE)
    page.goto(f"{portal.url}/")
    expect(menu).to_be_hidden()
    button = page.locator("button.navbar-toggler")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-menu")).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding
    expect(page.locator("#main-menu")).not_to_have_class(re.compile(r"collapsing"))
    menu.locator(f"[data-group={group}] > .dropdown-toggle").click()
    expect(link).to_be_visible()
    page.screenshot(path=str(artifacts / f"navigation-{username}-390.png"), full_page=True)
