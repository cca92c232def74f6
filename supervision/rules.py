"""Who may act in daily supervision: every "may this user do that" of the app.

The *see* rules are in ``accounts/policy.py`` (rule 32, with the scopes this app registers in
``supervision/scopes.py``); these are the *act* rules (rule 30). Pages, the API and the
selectors ask them to show or hide an action; the services ask them again before they write.

Incidents
    ``can_report_incident``   the institution's own officers and heads (``institution.self``)
    ``can_handle_incident``   ``incident.receive`` (the health bureau): acknowledge, close
    ``can_propose_ban``       ``banlist.manage``, on a suspected-abuse incident
    ``can_decide_ban_proposal``  ``banlist.manage``, a pending proposal of someone else
Objections
    ``can_object``            the institution's own officers and heads (``institution.self``)
    ``can_answer_objection``  officers and heads of the department that made the decision,
                              while the objection waits
"""

from accounts import policy
from accounts.models import Membership
from supervision.models import BanProposal, Incident, Objection

SELF_DUTY = "institution.self"
INCIDENT_DUTY = "incident.receive"
BAN_DUTY = "banlist.manage"


def reporting_organisations(user) -> list:
    """The institutions' organisations the user reports incidents for."""
    return [org for org in policy.organisations_of(user) if policy.acts_for(user, org, SELF_DUTY)]


def can_report_incident(user, institution=None) -> bool:
    if institution is None:
        return bool(reporting_organisations(user))
    return policy.acts_for(user, institution.organisation, SELF_DUTY)


def can_handle_incident(user, incident: Incident | None = None) -> bool:
    if not policy.has_duty(user, INCIDENT_DUTY):
        return False
    return incident is None or incident.status != Incident.Status.CLOSED


def can_propose_ban(user, incident: Incident) -> bool:
    return incident.kind == Incident.Kind.SUSPECTED_ABUSE and policy.has_duty(user, BAN_DUTY)


def can_decide_ban_proposal(user, proposal: BanProposal) -> bool:
    """The second keeper: anyone keeping the list but the one who proposed."""
    return (
        proposal.status == BanProposal.Status.PENDING
        and proposal.proposed_by_id != user.pk
        and policy.has_duty(user, BAN_DUTY)
    )


def can_object(user, institution) -> bool:
    return policy.acts_for(user, institution.organisation, SELF_DUTY)


def can_answer_objection(user, objection: Objection) -> bool:
    """The deciding department answers for its own decision, through its acting members."""
    return objection.status == Objection.Status.PENDING and any(
        membership.organisation_id == objection.department_id and membership.role in Membership.ACTING_ROLES
        for membership in policy.memberships(user)
    )
