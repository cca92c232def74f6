"""The paths through which the access policy sees the dashboard's models (``accounts/policy.py``,
rules 26–29). Registered as ``DashboardConfig.scopes``; the rules themselves are the policy's."""

from functools import partial

from accounts import policy

SCOPES = {
    "indicator": policy.public_facts_visible_to,
    "target": policy.public_facts_visible_to,
    "snapshot": partial(policy.dashboard_regions_visible_to, region="region"),
    "periodicreport": partial(policy.periodic_reports_visible_to, organisation="organisation", region="region"),
    "exportjob": partial(policy.asked_by_user, requested_by="requested_by"),
}
