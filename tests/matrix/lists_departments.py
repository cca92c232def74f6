"""Permission matrix of the exports of the departments' last lists brought onto
``accounts.lists``: the inspection findings, the revocation referrals and the education bureau's
nursery-class approvals. As with ``lists_supervision``: an export shows each user the rows of its
list's page (its own sight; the rows are checked in ``tests/test_lists_departments.py``), and a
page that asks for a duty asks it of its export too, so the export's readers are the page's.
"""

from tests.permission_matrix import LOGGED_IN, Case


def _list(name):
    return lambda username: {"name": name}


TARGETS = {
    "findings_list": _list("findings"),
    "referrals_list": _list("referrals"),
    "nursery_classes_list": _list("nursery_classes"),
}

CASES = [
    # Findings for every member (each sees those in its sight, rule 18), as the page.
    Case("list_export", LOGGED_IN, target="findings_list"),
    # Referrals for every member (each sees those in its sight, rule 20), as the page.
    Case("list_export", LOGGED_IN, target="referrals_list"),
    # Nursery-class approvals for the education bureau only, as its queue.
    Case("list_export", frozenset({"edu"}), target="nursery_classes_list", denied=403),
]
