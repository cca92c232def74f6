"""What the dashboards read: a region's snapshot turned into rows with targets and status,
the township ranking, and a township's villages and residential areas. A dashboard costs a
fixed handful of queries whatever the number of institutions (it reads the snapshots).

One module per subject; every selector is also reachable as ``dashboard.selectors.<name>``."""

from dashboard.selectors.dashboards import (
    RANKED,
    RATE_UNITS,
    Dashboard,
    Row,
    dashboard,
    dashboard_region,
    dashboard_values,
    home_region,
    pick_target,
    require_city,
    township_places,
    township_ranking,
)
from dashboard.selectors.export_jobs import (
    export_job_get,
    export_job_lock,
)
from dashboard.selectors.institutions import InstitutionRow, township_institutions
from dashboard.selectors.lateness import Lateness, ReportState, lateness, report_due, report_period
from dashboard.selectors.reports import (
    report_get,
    report_list,
    report_region_choices,
    report_versions,
    reports_for_approval,
)
from dashboard.selectors.targets import (
    indicator_list,
    target_get,
    target_list,
    target_region_choices,
)

__all__ = [
    "Dashboard",
    "RANKED",
    "RATE_UNITS",
    "Row",
    "dashboard",
    "dashboard_region",
    "dashboard_values",
    "export_job_get",
    "export_job_lock",
    "home_region",
    "InstitutionRow",
    "Lateness",
    "ReportState",
    "lateness",
    "report_due",
    "report_period",
    "indicator_list",
    "pick_target",
    "report_get",
    "report_list",
    "report_region_choices",
    "report_versions",
    "reports_for_approval",
    "require_city",
    "target_get",
    "target_list",
    "target_region_choices",
    "township_institutions",
    "township_places",
    "township_ranking",
]
