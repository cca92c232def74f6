"""Who may act in daily supervision: the risk score and the spot checks (rule 30).

The *see* rules are in ``accounts/policy.py`` (rules 32–33, with the scopes this app registers
in ``supervision/scopes.py``); these are the *act* rules. Pages ask them to show an action; the
services ask them again before they write.

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
from accounts.models import Organisation
from inspections.models import Area

LEAD_DUTY = "review.lead"
CHECK_DUTIES = frozenset(Area.duty(area) for area in Area.values)


def is_department_member(actor) -> bool:
    return any(org.kind == Organisation.Kind.DEPARTMENT for org in policy.organisations_of(actor))


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
