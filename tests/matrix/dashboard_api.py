"""The dashboard API in the permission matrix: indicators, a region's values, targets and
periodic reports (the same rules as the pages: tests/matrix/dashboard_reports.py).

Values follow the dashboards' scope (policy rule 27): the holders of ``dashboard.view`` through
a city-wide organisation (health, leader, hrss, edu among the cast) read the city and every
township; a township government reads its own township only (404 for another one and for the
city); everyone else has no dashboard (403).
"""

from tests.matrix.dashboard_reports import (
    APPROVER,
    REPORT_READERS,
    REPORT_SIGHT,
    REPORTER,
    REPORTERS,
    TARGET_KEEPER,
    TOWNSHIP,
)
from tests.permission_matrix import LOGGED_IN, MEMBERS, TOWNSHIPS, _api

CITY = "330281"
CITY_VIEWERS = frozenset({"health", "leader", "hrss", "edu"})
# Everyone logged in without a dashboard at all: 403 (a township asking elsewhere: 404).
NO_DASHBOARD = LOGGED_IN - CITY_VIEWERS - TOWNSHIPS


def _values(region: str, allowed: frozenset) -> list:
    return [_api("api_dashboard_values", allowed, data={"region": region}, visible=NO_DASHBOARD)]


def _sides(url_name: str, status: str, allowed: dict | None = None, **kwargs) -> list:
    cases = []
    for side in ("a", "b"):
        ok = allowed[side] if allowed is not None else REPORT_SIGHT[side]
        cases.append(_api(url_name, ok, target=f"report_{side}_{status}", visible=REPORT_SIGHT[side] - ok, **kwargs))
    return cases


FIGURES_FORM = {"figures.population": "52100", "figures.children_under_3": "1041", "source": "【矩阵】统计年报"}

CASES = [
    # --- indicators and values ---------------------------------------------------------
    _api("api_indicator_list", LOGGED_IN),
    *_values(CITY, CITY_VIEWERS),
    *_values(TOWNSHIP["a"], CITY_VIEWERS | {"simen"}),
    *_values(TOWNSHIP["b"], CITY_VIEWERS | {"lizhou"}),
    # --- targets -----------------------------------------------------------------------
    _api("api_target_list", LOGGED_IN),
    _api(
        "api_target_set",
        TARGET_KEEPER,
        method="post",
        denied=403,
        data={"indicator": "slots_per_1000", "region": TOWNSHIP["a"], "year": "2026", "value": "6.5"},
    ),
    _api("api_target_detail", MEMBERS, target="dashboard_target"),
    _api(
        "api_target_delete",
        TARGET_KEEPER,
        target="dashboard_target",
        method="delete",
        ok=204,
        visible=MEMBERS - TARGET_KEEPER,
    ),
    # --- periodic reports --------------------------------------------------------------
    _api("api_report_list", REPORT_READERS, denied=403),
    _api("api_report_create", REPORTERS, method="post", ok=201, denied=403, data={**FIGURES_FORM, "year": "2020"}),
    _api("api_report_approve_many", APPROVER, method="post", denied=403, data={"ids": ["999999999"]}),
    *_sides("api_report_detail", "approved"),
    # An empty body changes nothing: the test client sends a PATCH body as raw bytes.
    *_sides("api_report_update", "draft", REPORTER, method="patch", data=""),
    *_sides("api_report_submit", "draft", REPORTER, method="post"),
    *_sides("api_report_approve", "submitted", {"a": APPROVER, "b": APPROVER}, method="post"),
    *_sides("api_report_return", "submitted", {"a": APPROVER, "b": APPROVER}, method="post", data={"reason": "请核实"}),
    *_sides("api_report_correct", "approved", REPORTER, method="post", ok=201, data=FIGURES_FORM),
]
