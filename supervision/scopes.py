"""The paths through which the access policy sees the supervision models (``accounts/policy.py``,
rules 32–33). Registered as ``SupervisionConfig.scopes``; the rules themselves are the policy's."""

from functools import partial

from accounts import policy

SCOPES = {
    "riskscore": partial(policy.departments_seeing, organisation="institution__organisation"),
    "spotcheckplan": policy.own_organisations_at("organiser", "departments"),
    "spotchecktask": policy.own_organisations_at("department", "plan__organiser"),
}
