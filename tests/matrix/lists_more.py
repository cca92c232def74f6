"""Permission matrix of the exports of the lists brought onto ``accounts.lists`` after the first
seven (the certificates' queue, the annual reviews…). As with ``lists_exports``: an export shows each user the rows
of its list's page (its own sight; the rows are checked in ``tests/test_lists_more.py``), and a
page that asks for a duty asks it of its export too.
"""

from tests.permission_matrix import LOGGED_IN, Case


def _list(name):
    return lambda username: {"name": name}


TARGETS = {
    "certificates_list": _list("certificates"),
    "reviews_list": _list("reviews"),
}

CASES = [
    Case("list_export", LOGGED_IN, target="certificates_list"),
    Case("list_export", LOGGED_IN, target="reviews_list"),
]
