"""The periodic report and target pages in the permission matrix.

Who sees what (accounts.policy rules 26 and 28):
- a periodic report: the organisation that wrote it and the township it is about (report A is
  泗门镇's, seen by ``simen``; report B is 梨洲街道's, seen by ``lizhou``), the health bureau
  (``reports.approve``) and the leading group (``leader``) — nobody else (404);
- the report pages open for reporters, the approver and the leading group (others 403);
- only the region's reporter changes, submits and corrects (simen for A, lizhou for B; the
  health bureau and the leader who see the report get 403); only the health bureau approves
  and returns;
- targets are facts every member reads; only the health bureau (``targets.manage``) sets and
  deletes them; operators and the stranger do not see a target (404).

The demo has 泗门镇's current-year report submitted and 梨洲街道's returned; reports in the
state a case needs are made afresh per requesting user, inside the test's transaction, in years
no demo report uses, so that each user finds them in their starting state.
"""

import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, Region
from dashboard.models import Indicator, PeriodicReport, Target
from tests.permission_matrix import LOGGED_IN, MEMBERS, Case

TOWNSHIP = {"a": "330281103", "b": "330281001"}
REPORT_SIGHT = {"a": frozenset({"health", "leader", "simen"}), "b": frozenset({"health", "leader", "lizhou"})}
REPORTER = {"a": frozenset({"simen"}), "b": frozenset({"lizhou"})}
APPROVER = frozenset({"health"})
# The report pages open for reporters, the approver and the leading group.
REPORT_READERS = frozenset({"health", "leader", "simen", "lizhou"})
# Who reports for a region: the townships for theirs, the health bureau for the city.
REPORTERS = frozenset({"health", "simen", "lizhou"})
TARGET_KEEPER = frozenset({"health"})

_sequence = itertools.count()
FIGURES = {
    "population": 52000,
    "children_under_3": 1040,
    "children_health_managed": 950,
    "parents_surveyed": 200,
    "parents_knowing": 170,
    "kindergartens": 4,
}


def report(side: str, status: str) -> PeriodicReport:
    """A new report of township A or B in ``status``. Years 2000-2020 (the demo starts in 2021),
    each a different year within a test, and versions that never collide (a correction adds 1)."""
    n = next(_sequence)
    region = Region.objects.get(code=TOWNSHIP[side])
    decided = status in (PeriodicReport.Status.APPROVED, PeriodicReport.Status.RETURNED)
    return PeriodicReport.objects.create(
        region=region, year=2000 + n % 21, version=1000 + 2 * n, figures=dict(FIGURES), status=status,
        source="【矩阵】统计年报", organisation=Organisation.objects.get(jurisdiction=region, kind="township"),
        return_reason="【矩阵】请核实" if status == PeriodicReport.Status.RETURNED else "",
        decided_at=timezone.now() if decided else None,
    )  # fmt: skip


def target(username) -> Target:
    """A new target of 泗门镇 for a year no reference target uses."""
    n = next(_sequence)
    return Target.objects.create(
        indicator=Indicator.objects.get(code="slots_per_1000"), region=Region.objects.get(code=TOWNSHIP["a"]),
        year=1900 + n % 100, value=Decimal("6"), source="【矩阵】",
    )  # fmt: skip


TARGETS = {
    **{
        f"report_{side}_{status}": (lambda username, side=side, status=status: {"pk": report(side, status).pk})
        for side in ("a", "b")
        for status in ("draft", "submitted", "approved")
    },
    "report_a_demo": lambda username: {
        "pk": PeriodicReport.objects.filter(region__code=TOWNSHIP["a"]).order_by("-year").first().pk
    },
    "dashboard_target": lambda username: {"pk": target(username).pk},
}

REPORT_FORM = {
    "figure_population": "52100",
    "figure_children_under_3": "1041",
    "figure_children_health_managed": "951",
    "source": "【矩阵】统计年报",
}


def _sides(url_name: str, status: str, allowed: dict | None = None, **kwargs) -> list[Case]:
    """The same case on a report of A and of B in ``status``: ``allowed`` (by default the
    report's sight) get ``ok``, the rest of the sight 403, everyone else 404."""
    cases = []
    for side in ("a", "b"):
        ok = allowed[side] if allowed is not None else REPORT_SIGHT[side]
        cases.append(Case(url_name, ok, target=f"report_{side}_{status}", visible=REPORT_SIGHT[side] - ok, **kwargs))
    return cases


CASES = [
    # --- periodic reports --------------------------------------------------------------
    Case("report_list", REPORT_READERS, denied=403),
    Case("report_bulk_approve", APPROVER, method="post", ok=302, denied=403, data={"ids": ["999999999"]}),
    Case("report_create", REPORTERS, denied=403),
    # A year no demo report uses: each reporter creates one for its own region.
    Case("report_create", REPORTERS, method="post", ok=302, denied=403, data={**REPORT_FORM, "year": "2020"}),
    Case("report_detail", REPORT_SIGHT["a"], target="report_a_demo"),
    *_sides("report_detail", "approved"),
    *_sides("report_edit", "draft", REPORTER),
    *_sides("report_edit", "draft", REPORTER, method="post", ok=302, data=REPORT_FORM),
    *_sides("report_submit", "draft", REPORTER, method="post", ok=302),
    *_sides("report_approve", "submitted", {"a": APPROVER, "b": APPROVER}, method="post", ok=302),
    *_sides(
        "report_return", "submitted", {"a": APPROVER, "b": APPROVER}, method="post", ok=302, data={"reason": "请核实"}
    ),
    *_sides("report_correct", "approved", REPORTER),
    *_sides("report_correct", "approved", REPORTER, method="post", ok=302, data=REPORT_FORM),
    # --- targets -----------------------------------------------------------------------
    # Facts every member reads; operators and the stranger find an empty list.
    Case("target_list", LOGGED_IN),
    Case(
        "target_set",
        TARGET_KEEPER,
        method="post",
        ok=302,
        denied=403,
        data={"indicator": "slots_per_1000", "region": TOWNSHIP["a"], "year": "2026", "value": "6.5"},
    ),
    Case(
        "target_delete",
        TARGET_KEEPER,
        target="dashboard_target",
        method="post",
        ok=302,
        visible=MEMBERS - TARGET_KEEPER,
    ),
]
