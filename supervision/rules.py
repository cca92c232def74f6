"""Who may act in daily supervision: every "may this user do that" of the app.

The *see* rules are the policy's (``accounts/policy.py`` rules 32–36, with the scopes in
``supervision/scopes.py``): a complaint is seen by the organisations it was routed or referred
to, an incident by its institution, township and the health bureau, an objection also by the
department that answers it, risk scores by departments only, spot-check plans and tasks by
the departments taking part. These are the *act* rules (rule 30); pages and the API ask them to
show an action, the services ask them again before they write.

Complaints
    ``handling_organisation``   the active handler through which the actor acts (officer or head)
    ``can_handle_complaint``    acknowledge, conclude or refer: an active handler's officers
    ``can_reveal_contact``      unmask the complainant's name and phone: the same, audited
    ``can_open_case``           a handler holding ``case.manage``, on a substantiated complaint
                                about an unregistered provider with no case yet
    ``may_see_complaints``      the complaint list: members of an organisation that handles
                                complaints of some category
QR poster
    ``can_download_poster``     the institution's own members and the health bureau
Incidents
    ``can_report_incident``   the institution's own officers and heads (``institution.self``)
    ``can_handle_incident``   ``incident.receive`` (the health bureau): acknowledge, close
    ``can_propose_ban``       ``banlist.manage``, on a suspected-abuse incident
    ``can_decide_ban_proposal``  ``banlist.manage``, a pending proposal of someone else
Objections
    ``can_object``            the institution's own officers and heads (``institution.self``)
    ``can_answer_objection``  officers and heads of the department that made the decision,
                              while the objection waits (a case decision: the office handling
                              the case, ``supervision.services.objections._case_answerer``)
Case decision notices
    the institution's own members read the notices of case decisions about it (policy rule 37,
    ``selectors.objections.case_notice_list``); its officers and heads object (``can_object``)
Risk
    ``is_department_member``    a member of a department: only departments see risk scores
    ``can_override_band``       ``review.lead`` (the health bureau)
Spot checks
    ``plan_duties``             the duties through which a plan is organised
    ``can_create_plan``         an officer of a department holding a ``check.<area>`` duty (a plan
                                of its own department) or ``review.lead`` (a joint plan)
    ``can_plan_jointly``        ``review.lead``: may name other departments in a plan
    ``can_draw_plan``           an officer of the plan's organiser
    ``can_conclude_task``       an officer of the task's department holding the area's duty
"""

from django.core.exceptions import PermissionDenied

from accounts import policy
from accounts.models import Membership, Organisation
from inspections.models import Area
from registry.models import Institution
from supervision import routing
from supervision.models import BanProposal, Incident, Objection

POSTER_DUTY = "filing.review"
CASE_DUTY = "case.manage"


def handling_organisation(actor, complaint) -> Organisation | None:
    """The active handler of this complaint that the actor is an officer or head of."""
    acting = {
        membership.organisation_id
        for membership in policy.memberships(actor)
        if membership.role in membership.ACTING_ROLES
    }
    for handler in complaint.handlers.all():
        if handler.active and handler.organisation_id in acting:
            return handler.organisation
    return None


def can_handle_complaint(actor, complaint) -> bool:
    return complaint.is_open and handling_organisation(actor, complaint) is not None


def can_reveal_contact(actor, complaint) -> bool:
    return handling_organisation(actor, complaint) is not None


def can_open_case(actor, complaint) -> bool:
    return (
        complaint.outcome == complaint.Outcome.SUBSTANTIATED
        and not complaint.institution_id
        and not complaint.case_id
        and handling_organisation(actor, complaint) is not None
        and policy.has_duty(actor, CASE_DUTY)
    )


def may_see_complaints(actor) -> bool:
    """Departments and townships that complaints are routed to, whatever the role."""
    return any(policy.holds(actor, duty) for duty in routing.handling_duties())


def can_download_poster(actor, institution: Institution) -> bool:
    own = {org.pk for org in policy.organisations_of(actor)}
    return institution.organisation_id in own or policy.holds(actor, POSTER_DUTY)


# --- Incidents and objections ---

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


# --- Risk and spot checks ---

LEAD_DUTY = "review.lead"
CHECK_DUTIES = frozenset(Area.duty(area) for area in Area.values)


def is_department_member(actor) -> bool:
    return any(org.kind == Organisation.Kind.DEPARTMENT for org in policy.organisations_of(actor))


def is_institution_member(actor) -> bool:
    return any(org.kind == Organisation.Kind.INSTITUTION for org in policy.organisations_of(actor))


def can_override_band(actor) -> bool:
    return policy.has_duty(actor, LEAD_DUTY)


def require_override_band(actor) -> None:
    if not can_override_band(actor):
        raise PermissionDenied(LEAD_DUTY)


def plan_duties() -> frozenset[str]:
    return CHECK_DUTIES | {LEAD_DUTY}


def can_create_plan(actor) -> bool:
    return policy.has_any_duty(actor, plan_duties())


def can_plan_jointly(actor) -> bool:
    return policy.has_duty(actor, LEAD_DUTY)


def acting_planner(actor) -> Organisation | None:
    """The department through which the actor organises a plan: the health bureau for a
    joint plan, else the actor's inspecting department."""
    for code in (LEAD_DUTY, *sorted(CHECK_DUTIES)):
        organisation = policy.acting_organisation(actor, code)
        if organisation is not None:
            return organisation
    return None


def can_draw_plan(actor, plan) -> bool:
    return any(policy.acts_for(actor, plan.organiser, code) for code in plan_duties())


def require_draw_plan(actor, plan) -> None:
    if not can_draw_plan(actor, plan):
        raise PermissionDenied("spot_check.draw")


def can_conclude_task(actor, task) -> bool:
    return policy.acts_for(actor, task.department, Area.duty(task.area))


def require_conclude_task(actor, task) -> None:
    if not can_conclude_task(actor, task):
        raise PermissionDenied(Area.duty(task.area))
