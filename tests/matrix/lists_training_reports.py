"""Permission matrix of the exports of training programmes, periodic reports and the import jobs
(``accounts.lists``), and of the list of one's own workforce imports. As with ``lists_more``: an
export shows each user the rows of its list's page (its own sight; the rows are checked in
``tests/test_lists_training_reports.py``), and a page that asks for a duty asks it of its export.
"""

from tests.matrix.dashboard_reports import REPORT_READERS
from tests.matrix.registry_registrations import IMPORTERS
from tests.permission_matrix import LOGGED_IN, Case


def _list(name):
    return lambda username: {"name": name}


TARGETS = {
    "programmes_list": _list("programmes"),
    "reports_list": _list("reports"),
    "imports_list": _list("imports"),
    "training_imports_list": _list("training_imports"),
}

CASES = [
    # Programmes are facts every member sees (rule 24): as their page.
    Case("list_export", LOGGED_IN, target="programmes_list"),
    # Reports for the townships, the health bureau and the leading group.
    Case("list_export", REPORT_READERS, target="reports_list", denied=403),
    # The registry's imports for the organisations that import.
    Case("list_export", IMPORTERS, target="imports_list", denied=403),
    # One's own workforce imports: every user has the list (empty until they import).
    Case("training_import_list", LOGGED_IN),
    Case("list_export", LOGGED_IN, target="training_imports_list"),
]
