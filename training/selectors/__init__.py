"""What the workforce pages, the API and the dashboard read. Every list goes through the access
policy; the rates and checks are computed from live data in a fixed number of queries.

One module per subject; every selector is also reachable as ``training.selectors.<name>``."""

from training.selectors.certificates import (
    ExpiryItem,
    certificate_get,
    certificate_kind_get,
    certificate_kinds,
    certificate_numbers_recorded,
    certificate_queue,
    expired_querysets,
    expiry_list,
)
from training.selectors.imports import import_job_get, import_job_list
from training.selectors.programmes import (
    participant_get,
    participant_list,
    programme_area_choices,
    programme_get,
    programme_list,
    programme_organisers,
    programme_sessions,
    programme_township_choices,
    programme_villages,
    session_get,
    trained,
)
from training.selectors.rates import (
    Rate,
    certification_rates,
    city_rate,
    institution_rate,
    institution_rates,
    rate_definition,
    staff_summary,
    township_rates,
    township_rates_stored,
)
from training.selectors.roster import (
    RosterCheck,
    RosterReport,
    roster_checks,
)
from training.selectors.staff import (
    duplicate_employment_list,
    roster_institutions,
    roster_townships,
    staff_get,
    staff_list,
    staff_text_condition,
)
from training.selectors.villages import (
    VillageCoverage,
    village_coverage,
    village_coverage_for,
    village_coverage_total,
)

__all__ = [
    "ExpiryItem",
    "import_job_get",
    "import_job_list",
    "Rate",
    "RosterCheck",
    "RosterReport",
    "VillageCoverage",
    "certificate_get",
    "certificate_kind_get",
    "certificate_kinds",
    "certificate_numbers_recorded",
    "certificate_queue",
    "certification_rates",
    "city_rate",
    "duplicate_employment_list",
    "expired_querysets",
    "expiry_list",
    "institution_rate",
    "institution_rates",
    "participant_get",
    "participant_list",
    "programme_area_choices",
    "programme_get",
    "programme_list",
    "programme_organisers",
    "programme_sessions",
    "programme_township_choices",
    "programme_villages",
    "rate_definition",
    "roster_checks",
    "roster_institutions",
    "roster_townships",
    "session_get",
    "staff_get",
    "staff_list",
    "staff_text_condition",
    "staff_summary",
    "township_rates",
    "township_rates_stored",
    "trained",
    "village_coverage",
    "village_coverage_for",
    "village_coverage_total",
]
