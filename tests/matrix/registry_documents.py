"""A filing's documents read in place in the permission matrix: the reading view (first
document, and one named document) and a document served to be shown in the page.

Sight is the filing's (see registry_filings): the institution's own members, the township
around it and the health bureau read its documents; everyone else gets 404, departments with
city-wide sight of institutions included. A document of another filing named through this
filing's reading view is 404 for everyone.
"""

from tests.matrix.registry_filings import INSTITUTION_A, INSTITUTION_B, _attach, _per_institution, open_filing
from tests.permission_matrix import Case


def _document(code: str) -> dict:
    filing = open_filing(code)
    return {"pk": filing.pk, "attachment": _attach(filing, "premises").pk}


def _crossed(username) -> dict:
    """Filing A's reading view naming a document of filing B."""
    return {"pk": open_filing(INSTITUTION_A).pk, "attachment": _document(INSTITUTION_B)["attachment"]}


TARGETS = {
    "reading_a": lambda username: _document(INSTITUTION_A),
    "reading_b": lambda username: _document(INSTITUTION_B),
    "reading_crossed": _crossed,
}

CASES = [
    *_per_institution("filing_documents", "filing_?"),
    *_per_institution("filing_document", "reading_?"),
    Case("filing_document", frozenset(), target="reading_crossed"),
    *_per_institution("filing_attachment_view", "attachment_?"),
]
