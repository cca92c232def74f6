"""The paths through which the access policy sees the supervision models (``accounts/policy.py``,
rules 32 and 33). Registered as ``SupervisionConfig.scopes``; the rules themselves are the policy's."""

from functools import partial

from accounts import policy
from registry.scopes import INSTITUTION_PATHS

SCOPES = {
    "incident": partial(policy.reported_to_territory_and_holders("incident.receive"), **INSTITUTION_PATHS),
    "banproposal": policy.holders_only("banlist.manage"),
    "objection": partial(policy.objections_visible_to, **INSTITUTION_PATHS, department="department"),
}
