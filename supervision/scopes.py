"""The paths through which the access policy sees the daily supervision models
(``accounts/policy.py``, rules 32–36). Registered as ``SupervisionConfig.scopes``; the rules
themselves are the policy's."""

from functools import partial

from accounts import policy
from registry.scopes import INSTITUTION_PATHS

SCOPES = {
    "complaint": partial(policy.handled_by_own_organisation, handler="handlers__organisation"),
    "complainthandler": policy.follows("complaint"),
    "incident": partial(policy.reported_to_territory_and_holders("incident.receive"), **INSTITUTION_PATHS),
    "banproposal": policy.holders_only("banlist.manage"),
    "objection": partial(policy.objections_visible_to, **INSTITUTION_PATHS, department="department"),
    "riskscore": partial(policy.departments_seeing, organisation="institution__organisation"),
    "spotcheckplan": policy.own_organisations_at("organiser", "departments"),
    "spotchecktask": policy.own_organisations_at("department", "plan__organiser"),
}
