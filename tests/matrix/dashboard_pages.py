"""The dashboard pages, their exports and the printable report in the permission matrix.

Who opens what (accounts.policy rules 27 and 29):
- the city and every township: holders of ``dashboard.view`` through a city-wide organisation
  (health, leader, hrss, edu);
- a township government (simen, lizhou) its own township only: the city's page sends it there
  (302), another township or the city's export and report answer 404;
- everyone else (no ``dashboard.view``: institutions, departments without it, operators, the
  stranger) 403;
- recomputing the snapshots: the health bureau only (``targets.manage``); the leading group,
  read-only, gets 403 like everyone else;
- a background export's file: its requester only; anyone else 404.
"""

from accounts.models import Region, User
from dashboard.models import ExportJob
from tests.permission_matrix import LOGGED_IN, Case

CITY, TOWNSHIP_A, TOWNSHIP_B = "330281", "330281103", "330281001"  # 余姚市, 泗门镇 (simen), 梨洲街道 (lizhou)
CITY_VIEWERS = frozenset({"health", "leader", "hrss", "edu"})
TOWNSHIP_VIEWER = {"a": frozenset({"simen"}), "b": frozenset({"lizhou"})}
DASHBOARD = CITY_VIEWERS | {"simen", "lizhou"}
NO_DASHBOARD = LOGGED_IN - DASHBOARD


def _health_export_job(username):
    """A job of the health bureau's (waiting: its page answers 200 to the requester)."""
    return {
        "pk": ExportJob.objects.create(
            region=Region.objects.get(code=CITY), requested_by=User.objects.get(username="health")
        ).pk
    }


TARGETS = {
    "dashboard_city": lambda username: {"code": CITY},
    "dashboard_township_a": lambda username: {"code": TOWNSHIP_A},
    "dashboard_township_b": lambda username: {"code": TOWNSHIP_B},
    "health_export_job": _health_export_job,
}


def _regions(url_name: str, **kwargs) -> list[Case]:
    """The case on the city and on each township: who sees the region gets ``ok``, those
    without ``dashboard.view`` 403, a township official out of their township 404."""
    return [
        Case(url_name, CITY_VIEWERS, target="dashboard_city", visible=NO_DASHBOARD, **kwargs),
        Case(url_name, CITY_VIEWERS | TOWNSHIP_VIEWER["a"], target="dashboard_township_a", visible=NO_DASHBOARD,
             **kwargs),
        Case(url_name, CITY_VIEWERS | TOWNSHIP_VIEWER["b"], target="dashboard_township_b", visible=NO_DASHBOARD,
             **kwargs),
    ]  # fmt: skip


CASES = [
    # The city's dashboard: a township official is sent to their own (302, as ``ok``); the city
    # viewers read it (200, as ``denied``: the rest of the cast); those without the duty 403.
    Case("city_dashboard", frozenset({"simen", "lizhou"}), ok=302, denied=200, visible=NO_DASHBOARD),
    Case("dashboard_refresh", frozenset({"health"}), method="post", ok=302, denied=403),
    # The township page on the city's own code sends city viewers to the city page.
    Case("township_dashboard", CITY_VIEWERS, target="dashboard_city", ok=302, visible=NO_DASHBOARD),
    *[case for case in _regions("township_dashboard") if case.target != "dashboard_city"],
    *_regions("dashboard_print"),
    *_regions("dashboard_export"),
    *_regions("dashboard_export_start", method="post", ok=302),
    Case("export_job_download", frozenset({"health"}), target="health_export_job"),
]
