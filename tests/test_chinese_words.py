"""Every word Chinese on Chinese pages (issue 17, point 8): the demo is crawled in Chinese as
each member of the cast and as the anonymous visitor, following the links of each page (GET
only, within the portal), and the words a reader sees — text, and the titles, labels and
placeholders of elements — are scanned for Latin-letter words outside an allow-list of names,
codes and units.

What is allowed: text inside ``<code>`` (a code shown as a code, to operators), the cast's
user names (names), tokens with a digit (certificate numbers, credit codes, ``A1``), and the
short list below (units, file formats, abbreviations Chinese offices write in Latin letters).
Everything else is an untranslated word a Chinese reader should not meet."""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.ci_share import share
from tests.conftest import CAST

ALLOWED = {
    # file formats, systems and abbreviations written in Latin letters in Chinese offices
    "PDF", "Excel", "API", "ID", "QR", "IP", "CSV", "DOCX", "XLSX", "XLS", "PNG", "JPG", "JPEG", "Word",
    "OpenAPI", "Token", "URL", "Email", "E", "mail", "App", "TOTP", "UTC", "GB", "T", "WCAG", "AA",
    # units
    "km", "m", "kg", "cm", "MB", "KB",
    # the language switch names each language in itself
    "English",
    # keys named in help texts (Django's own "按住 Control 键或 Mac 上的 Command 键")
    "Ctrl", "Control", "Command", "Mac",
    # a system named in Django's own help text ("单一登入或LDAP")
    "LDAP",
    # the check character of an ID number ("17位数字加1位数字或X")
    "X",
}  # fmt: skip
# Paths not crawled: the API and its documentation (a developer's page), files, logging out.
SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/accounts/logout/", "/i18n/", "/jsi18n/")
PER_PATTERN = 2  # instances of one URL pattern visited per person (/registry/institutions/<pk>/)
PER_PERSON = 70  # pages per person at most, to keep the crawl short
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# A tracking code (HKJ-UWMC-VNAM): capitals in groups, a code rather than a word.
CODE = re.compile(r"[A-Z]{2,}(-[A-Z]{2,})+")
# The name of a stored file (commitment.pdf): a name, as the uploader gave it.
FILE_NAME = re.compile(r"[\w.\-]+\.(pdf|docx?|xlsx?|png|jpe?g)|xlsx|pdf", re.IGNORECASE)


# Not words: scripts, styles, codes shown as codes, and <bdi> (Django's admin isolates a value
# such as a password hash's masked salt in one).
SKIPPED = ("script", "style", "code", "template", "bdi")


class _Page(HTMLParser):
    """The words a reader meets on a page, and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.links: list[str] = []
        self._skip = 0  # inside <script>, <style> or <code>

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in SKIPPED:
            self._skip += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if not self._skip:
            self.words += [attributes[name] for name in ATTRIBUTES if attributes.get(name)]
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.words.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.words.append(data)


def _latin_words(texts: list[str], names: set[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in WORD.findall(text):
            word = word.strip(".-_")
            if not word or any(c.isdigit() for c in word) or word in ALLOWED or word in names:
                continue
            if CODE.fullmatch(word) or FILE_NAME.fullmatch(word):
                continue
            found.add(word)
    return found


def _crawl(client, names: set[str]) -> tuple[dict[str, set[str]], int]:
    """Pages of one person: {path: Latin words}, and how many pages were read."""
    seen, per_pattern, found, read = {"/"}, Counter(), {}, 0
    queue = deque(["/"])
    while queue and read < PER_PERSON:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        parser = _Page()
        parser.feed(response.content.decode())
        words = _latin_words(parser.words, names)
        if words:
            found[path] = words
        for href in parser.links:
            parts = urlsplit(urljoin(path, href))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or parts.path.startswith(SKIP_PREFIXES) or parts.query.startswith("page="):
                continue
            try:
                pattern = resolve(parts.path).route
            except Resolver404:
                continue
            key = (pattern, bool(parts.query))
            if per_pattern[key] >= PER_PATTERN:
                continue
            per_pattern[key] += 1
            seen.add(target)
            queue.append(target)
    return found, read


# The least a person's crawl reads, so that a crawl stopped at the home page fails: the cast's
# members reach their menus and lists (40 to 70 pages each); the auditor has the audit trail
# only, and the anonymous visitor and the account with no organisation the public pages.
LEAST_READ = {"auditor": 3, None: 5, "stranger": 5}


@pytest.mark.crawl
@pytest.mark.parametrize("username", share([*CAST, None]))
def test_no_latin_word_on_any_page_of_the_demo_in_chinese(username, client_as, cast):
    names = set(CAST) | {user.get_username() for user in cast.values()}
    found, read = _crawl(client_as(username), names)
    assert read >= LEAST_READ.get(username, 30), f"the crawl read only {read} pages"
    problems = [f"{path}: {' '.join(sorted(words))}" for path, words in sorted(found.items())]
    assert not problems, "\n".join(problems)
