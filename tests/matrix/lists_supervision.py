"""Permission matrix of the exports of daily supervision's and enforcement's lists brought onto
``accounts.lists``: cases, spot-check plans and tasks, the risk list, objections and case
decisions. As with ``lists_more``: an export shows each user the rows of its list's page (its own
sight; the rows are checked in ``tests/test_lists_supervision.py``), and a page that asks for a
duty asks it of its export too, so the export's readers are the page's.
"""

from tests.matrix.inspections_enforcement import CASE_HOLDERS
from tests.permission_matrix import Case


def _list(name):
    return lambda username: {"name": name}


TARGETS = {
    "cases_list": _list("cases"),
}

CASES = [
    # Cases for the holders of ``case.manage`` (the townships and the health bureau).
    Case("list_export", CASE_HOLDERS, target="cases_list", denied=403),
]
