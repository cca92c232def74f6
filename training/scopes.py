"""The paths through which the access policy sees the workforce and training models
(``accounts/policy.py``, rules 23–25). Registered as ``TrainingConfig.scopes``; the rules
themselves are the policy's."""

from functools import partial

from accounts import policy
from registry.scopes import INSTITUTION_PATHS

SCOPES = {
    "staffmember": partial(policy.staff_visible_to, **INSTITUTION_PATHS),
    "certificate": policy.follows("staff"),
    "certificatekind": policy.public_facts_visible_to,
    "trainingprogramme": policy.public_facts_visible_to,
    "trainingsession": policy.public_facts_visible_to,
    "participant": partial(
        policy.participants_visible_to,
        organiser="programme__organiser",
        staff_organisation="staff__institution__organisation",
        programme_region="programme__region",
        township="township",
    ),
    # Rule 29: a workforce import job is its uploader's only.
    "workforceimportjob": partial(policy.asked_by_user, requested_by="created_by"),
}
