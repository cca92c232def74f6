"""The paths through which the access policy sees the registry's models (``accounts/policy.py``,
rules 11–15). Registered as ``RegistryConfig.scopes``; the rules themselves are the policy's."""

from functools import partial

from django.db.models import Q

from accounts import policy
from registry.models import ResidentialArea

# From a row that belongs to an institution: its tenant organisation and its township.
INSTITUTION_PATHS = {"organisation": "institution__organisation", "township": "institution__township"}

SCOPES = {
    "institution": partial(policy.seen_with_organisation, organisation="organisation"),
    "classgroup": policy.follows("institution"),
    "registration": policy.follows("institution"),
    "feeschedule": policy.follows("institution"),
    "filing": partial(policy.filings_visible_to, **INSTITUTION_PATHS),
    "filingattachment": policy.follows("filing"),
    "residentialarea": partial(
        policy.residential_areas_visible_to, township="township", new=Q(kind=ResidentialArea.Kind.NEW)
    ),
    "guidancesite": policy.public_facts_visible_to,
    "guidanceactivity": policy.public_facts_visible_to,
    "pricingguidance": policy.public_facts_visible_to,
    "importjob": partial(policy.started_by_own_organisation, organisation="organisation"),
}
