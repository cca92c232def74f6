"""The paths through which the access policy sees the daily supervision models
(``accounts/policy.py``, rule 32). Registered as ``SupervisionConfig.scopes``."""

from functools import partial

from accounts import policy

SCOPES = {
    "complaint": partial(policy.handled_by_own_organisation, handler="handlers__organisation"),
    "complainthandler": policy.follows("complaint"),
}
