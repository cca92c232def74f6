"""Permission matrix of the exports of daily supervision's and enforcement's lists brought onto
``accounts.lists``: cases, spot-check plans and tasks, the risk list, objections and case
decisions. As with ``lists_more``: an export shows each user the rows of its list's page (its own
sight; the rows are checked in ``tests/test_lists_supervision.py``), and a page that asks for a
duty asks it of its export too, so the export's readers are the page's.
"""

from tests.matrix.inspections_enforcement import CASE_HOLDERS
from tests.matrix.supervision_risk import DEPARTMENTS
from tests.matrix.supervision_spotchecks import PLANNERS
from tests.permission_matrix import INSTITUTIONS, MEMBERS, Case


def _list(name):
    return lambda username: {"name": name}


TARGETS = {
    "cases_list": _list("cases"),
    "spot_check_plans_list": _list("spot_check_plans"),
    "spot_check_tasks_list": _list("spot_check_tasks"),
    "risk_scores_list": _list("risk"),
    "objections_list": _list("objections"),
    "case_decisions_list": _list("case_decisions"),
}

CASES = [
    # Cases for the holders of ``case.manage`` (the townships and the health bureau).
    Case("list_export", CASE_HOLDERS, target="cases_list", denied=403),
    # Spot checks for the departments that plan or inspect.
    Case("list_export", PLANNERS, target="spot_check_plans_list", denied=403),
    Case("list_export", PLANNERS, target="spot_check_tasks_list", denied=403),
    # Risk for departments only (rule 35).
    Case("list_export", DEPARTMENTS, target="risk_scores_list", denied=403),
    # Objections for every member of an organisation (each sees its own, rule 34).
    Case("list_export", MEMBERS, target="objections_list", denied=403),
    # Decisions about the institution for its own members (rule 37).
    Case("list_export", INSTITUTIONS, target="case_decisions_list", denied=403),
]
