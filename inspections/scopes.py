"""The paths through which the access policy sees the models of the annual review and
enforcement (``accounts/policy.py``, rules 16–22). Registered as ``InspectionsConfig.scopes``;
the rules themselves are the policy's."""

from functools import partial

from django.db.models import Q

from accounts import policy
from registry.models import Institution
from registry.scopes import INSTITUTION_PATHS

SCOPES = {
    "reviewcycle": policy.public_facts_visible_to,
    "checklisttemplate": policy.public_facts_visible_to,
    "checklistitem": policy.public_facts_visible_to,
    "annualreview": partial(
        policy.reviews_visible_to,
        **INSTITUTION_PATHS,
        education_covers=Q(institution__provider_type=Institution.ProviderType.KINDERGARTEN_CLASS),
    ),
    "selfreport": policy.follows("review"),
    "finding": partial(policy.findings_visible_to, **INSTITUTION_PATHS, department="department", area="area"),
    "findingitem": policy.follows("finding"),
    "areaexemption": policy.follows("review"),
    "rectificationorder": partial(
        policy.orders_visible_to,
        **INSTITUTION_PATHS,
        finding_department="review__findings__department",
        # ``name_area`` is registered on the items field by inspections.models.
        names_area="items__name_area",
    ),
    "revocationreferral": partial(policy.referrals_visible_to, **INSTITUTION_PATHS, authority="authority"),
    "case": partial(policy.within_case_jurisdiction, township="township"),
    "banentry": policy.holders_only("banlist.manage"),
    "inspectionfile": policy.follows("finding", "order"),
}
