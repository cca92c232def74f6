"""Who may act on the workforce and training: every "may this user do that" of the app.

The *see* rules are in ``accounts/policy.py`` (rules 23–25, with the scopes this app
registers in ``training/scopes.py``); these are the *act* rules (rule 30). Pages, the API,
the panels and the selectors ask them; the services ask them again before they write.

Rosters and certificates
    ``may_see_roster``          one institution's roster (rule 23, no query beyond memberships)
    ``may_keep_roster``         the institution's own officers and heads (``institution.self``)
    ``may_reveal``              ``staff.reveal``: unmask one ID number, with a reason
    ``may_see_duplicates``      the duplicate-employment flag: holders of ``staff.oversee``
    ``may_verify``              ``certificate.verify``: verify or reject certificates
    ``is_certificate_reviewer`` the HR and health bureaus, who read the whole queue
    ``sees_rates_by_township``  a township or a city-wide bureau: rates by township mean something
Training programmes
    ``running_organisation``    the organisation through which the actor runs a kind
    ``runnable_kinds``          the kinds the actor may start
    ``can_run``                 the organiser's officers, under a duty the kind names
Villages
    ``may_see_village_coverage`` members of a government organisation
"""

from accounts import policy
from accounts.models import Organisation
from registry.models import Institution
from training.models import TrainingProgramme

SELF_DUTY = "institution.self"
REVEAL_DUTY = "staff.reveal"
OVERSEE_DUTY = "staff.oversee"
VERIFY_DUTY = "certificate.verify"


# --- Rosters and certificates -------------------------------------------------------------


def may_see_roster(actor, institution: Institution) -> bool:
    """Policy rule 23 for one institution, without a query beyond the user's memberships."""
    if policy.holds(actor, OVERSEE_DUTY) or policy.holds(actor, VERIFY_DUTY):
        return True
    own = {org.pk for org in policy.organisations_of(actor)}
    return institution.organisation_id in own or institution.township.code in policy.township_codes(actor)


def may_keep_roster(actor, institution: Institution) -> bool:
    return policy.acts_for(actor, institution.organisation, SELF_DUTY)


def may_reveal(actor) -> bool:
    return policy.has_duty(actor, REVEAL_DUTY)


def may_see_duplicates(actor) -> bool:
    """The duplicate-employment flag is for the health bureau, not for institutions."""
    return policy.holds(actor, OVERSEE_DUTY)


def may_verify(actor) -> bool:
    return policy.has_duty(actor, VERIFY_DUTY)


def is_certificate_reviewer(actor) -> bool:
    """The HR bureau, which verifies, and the health bureau, which oversees, whatever their role."""
    return policy.holds(actor, VERIFY_DUTY) or policy.holds(actor, OVERSEE_DUTY)


def sees_rates_by_township(actor) -> bool:
    """A township or a city-wide bureau: the rows by township mean something. An institution
    sees only its own staff, so it gets its own figure and no township rows."""
    return bool(policy.township_codes(actor)) or may_see_duplicates(actor) or may_verify(actor)


# --- Training programmes ------------------------------------------------------------------


def running_organisation(actor, kind: str) -> Organisation | None:
    """The organisation through which the actor may run a programme of this kind."""
    for duty in sorted(TrainingProgramme.RUNNING_DUTIES[kind]):
        organisation = policy.acting_organisation(actor, duty)
        if organisation is not None:
            return organisation
    return None


def runnable_kinds(actor) -> list[str]:
    return [kind for kind in TrainingProgramme.Kind.values if running_organisation(actor, kind) is not None]


def can_run(actor, programme: TrainingProgramme) -> bool:
    return any(
        policy.acts_for(actor, programme.organiser, duty) for duty in TrainingProgramme.RUNNING_DUTIES[programme.kind]
    )


# --- Villages -----------------------------------------------------------------------------


def may_see_village_coverage(actor) -> bool:
    """Village coverage steers the guidance network: members of a government organisation
    (leadership, department, township). An institution's members are refused rather than shown
    an empty page that would read as "no village covered"."""
    return any(org.kind != Organisation.Kind.INSTITUTION for org in policy.organisations_of(actor))
