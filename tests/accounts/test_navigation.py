"""The main menu: grouped by task, only what the user's duties open, with the work queue's counts
and the current page marked, at a fixed query cost."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from tests.factories import CertificateFactory, InstitutionFactory, StaffMemberFactory
from tests.helpers import queries_of


@pytest.fixture(autouse=True)
def _fresh_counts():
    """The menu's counts are cached per user id, and ids come back in the next test."""
    cache.clear()
    yield
    cache.clear()


class _Menu(HTMLParser):
    """The rendered menu: groups by key with their links, top links, aria-current and counts."""

    def __init__(self):
        super().__init__()
        self.groups, self.top, self.current, self.counts = {}, [], {}, {}
        self._in_nav = self._group = self._href = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and attrs.get("data-testid") == "main-menu":
            self._in_nav = True
        elif self._in_nav and tag == "li" and "data-group" in attrs:
            self._group = attrs["data-group"]
            self.groups[self._group] = []
        elif self._in_nav and tag == "a":
            self._href = attrs["href"]
            (self.groups[self._group] if self._group else self.top).append(self._href)
            if "aria-current" in attrs:
                self.current[self._href] = attrs["aria-current"]
        elif self._href and attrs.get("data-testid") == "menu-count":
            self.counts[self._href] = ""

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None
        elif tag == "nav":
            self._in_nav = False

    def handle_data(self, data):
        if self._href in self.counts and self.counts[self._href] == "":
            self.counts[self._href] = data.strip()

    def close(self):
        super().close()
        return self


def menu_of(response) -> _Menu:
    assert response.status_code == 200
    parser = _Menu()
    parser.feed(response.content.decode())
    return parser.close()


def test_health_bureau_sees_its_five_business_groups_but_not_the_system_group(client_as):
    menu = menu_of(client_as("health").get("/"))
    assert list(menu.groups) == ["institutions", "review", "supervision", "workforce", "targets"]
    assert menu.top == ["/", "/notifications/"]
    assert {"/registry/filings/", "/organisations/"} <= set(menu.groups["institutions"])
    assert {"/inspections/reviews/", "/inspections/cases/", "/inspections/bans/"} <= set(menu.groups["review"])
    assert {"/dashboard/", "/registry/parameters/"} <= set(menu.groups["targets"])
    assert {"/supervision/incidents/", "/supervision/objections/"} <= set(menu.groups["supervision"])


def test_institution_sees_no_system_and_none_of_the_departments_review_pages(client_as):
    menu = menu_of(client_as("nursery1").get("/"))
    assert "system" not in menu.groups
    assert "targets" not in menu.groups
    assert menu.groups["review"] == [
        "/inspections/reviews/",
        "/inspections/orders/",
        "/inspections/referrals/",
        "/inspections/bans/check/",
    ]  # not findings, checklists, cases or the ban list itself


@pytest.mark.parametrize(
    "username, links",
    [
        ("auditor", ["/audit/", "/audit/security/"]),
        ("sysadmin", ["/admin/"]),
        ("secadmin", ["/security/memberships/", "/admin/"]),
    ],
)
def test_an_operator_sees_only_the_system_group(username, links, client_as):
    menu = menu_of(client_as(username).get("/"))
    assert menu.groups == {"system": links}
    assert menu.top == ["/"]


def test_the_current_page_and_its_section_are_marked(client_as):
    client = client_as("health")
    assert menu_of(client.get("/registry/filings/")).current == {"/registry/filings/": "page"}
    institution = InstitutionFactory()
    on_detail = menu_of(client.get(f"/registry/institutions/{institution.pk}/"))
    assert on_detail.current == {"/registry/institutions/": "true"}  # within the section, not the list itself
    assert menu_of(client.get("/")).current == {"/": "page"}


def _queue_count(response, url: str) -> int:
    return sum(item.get("count", 0) for item in response.context["queue"] if item["url"] == url)


def test_the_menu_counts_what_the_work_queue_counts_and_follows_it(client_as):
    client = client_as("hrss")
    home = client.get("/")
    waiting = _queue_count(home, "/training/certificates/")
    assert menu_of(home).counts == {"/training/certificates/": str(waiting)}
    CertificateFactory(staff=StaffMemberFactory())
    assert menu_of(client.get("/")).counts == {"/training/certificates/": str(waiting + 1)}
    # A list page shows the same count, from what the home page counted.
    assert menu_of(client.get("/registry/filings/")).counts == {"/training/certificates/": str(waiting + 1)}


def test_overdue_filings_are_not_counted_twice_beside_the_filings(client_as):
    home = client_as("health").get("/")
    waiting = _queue_count(home, "/registry/filings/?status=submitted")
    assert waiting and _queue_count(home, "/registry/filings/?overdue=1")  # the demo has both
    assert menu_of(home).counts["/registry/filings/"] == str(waiting)


def test_a_page_other_than_home_shows_the_counts_the_home_page_made_and_asks_nothing_for_them(client_as):
    client = client_as("simen")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("accounts.selectors.work_queue", lambda **kwargs: pytest.fail("the queue was computed"))
        assert menu_of(client.get("/organisations/")).counts == {}  # before any visit to the home page
    counted = menu_of(client.get("/")).counts
    assert counted
    assert menu_of(client.get("/organisations/")).counts == counted


# Queries of the home page and of a list page as before the grouped menu (the list page after the
# home page, which leaves the counts for the menu in the cache). Daily supervision adds its
# waiting queues: one aggregate of complaints for a handler (health, simen), and the health
# bureau's incidents, ban-list proposals, objections to its decisions and spot checks; for an
# institution, one count of the case decisions about it it may still object to; for a township
# handling cases, one count of the objections to its case decisions. Each app's counts are now
# one query (``accounts.counts.count_each``). The filing list's filter set adds the townships
# in sight for its choices and the user's model permissions (two queries, once per request).
@pytest.mark.parametrize(
    "username, home, filings", [("health", 15, 10), ("simen", 15, 10), ("nursery1", 15, 11), ("hrss", 7, 9)]
)
def test_the_menu_adds_no_query_to_the_home_page_or_a_list_page(username, home, filings, client_as):
    InstitutionFactory.create_batch(3)
    client = client_as(username)
    assert queries_of(client, "/") <= home
    assert queries_of(client, "/registry/filings/") <= filings
