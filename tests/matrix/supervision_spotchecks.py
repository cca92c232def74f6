"""The spot-check pages in the permission matrix (accounts.policy rule 33, supervision/rules.py).

- plans, a new plan and the task queue: departments holding a ``check.<area>`` duty or
  ``review.lead`` (health, fire, amr, edu); everyone else 403;
- a plan: its organiser and the departments taking part; everyone else 404. The demo's joint
  plan is organised by the health bureau with the fire brigade and market supervision; plan F is
  the fire brigade's own, nobody else's;
- drawing: the organiser's officers; the participants get 403 (a drawn plan without a reason is
  refused with a message, still a redirect);
- concluding a task: an officer of the task's department; the plan's organiser sees it (403);
  another participating department does not (404).
"""

from accounts.models import Organisation, User
from supervision.models import SpotCheckPlan, SpotCheckTask
from tests.permission_matrix import LOGGED_IN, Case, _api

PLANNERS = frozenset({"health", "fire", "amr", "edu"})
JOINT = frozenset({"health", "fire", "amr"})
FIRE_PLAN_TITLE = "【矩阵】消防救援大队双随机抽查"


def _joint_plan(username):
    return {"pk": SpotCheckPlan.objects.get(title__startswith="【演示】").pk}


def _fire_plan(username):
    plan = SpotCheckPlan.objects.filter(title=FIRE_PLAN_TITLE).first()
    if plan is None:
        fire = Organisation.objects.get(code="fire")
        plan = SpotCheckPlan.objects.create(
            title=FIRE_PLAN_TITLE, organiser=fire, created_by=User.objects.get(username="fire"),
            percent_low=10, percent_medium=30, percent_high=100, inspectors_per_department=1,
        )  # fmt: skip
        plan.departments.set([fire])
    return {"pk": plan.pk}


def _fire_task(username):
    task = SpotCheckTask.objects.filter(plan__title__startswith="【演示】", area="fire", status="open").first()
    return {"pk": task.pk}


TARGETS = {"joint_plan": _joint_plan, "fire_plan": _fire_plan, "fire_task": _fire_task}

CASES = [
    Case("spot_check_plan_list", PLANNERS, denied=403),
    Case("spot_check_plan_create", PLANNERS, denied=403),
    # An empty form comes back with its errors (200) to whoever may plan.
    Case("spot_check_plan_create", PLANNERS, method="post", denied=403),
    Case("spot_check_task_list", PLANNERS, denied=403),
    Case("spot_check_plan_detail", JOINT, target="joint_plan"),
    Case("spot_check_plan_detail", frozenset({"fire"}), target="fire_plan"),
    Case("spot_check_plan_draw", frozenset({"health"}), target="joint_plan", method="post", ok=302,
         visible=JOINT - {"health"}),
    Case("spot_check_plan_draw", frozenset({"fire"}), target="fire_plan", method="post", ok=302),
    Case("spot_check_task_conclude", frozenset({"fire"}), target="fire_task", method="post", ok=302,
         visible=frozenset({"health"})),
]  # fmt: skip

# --- API ------------------------------------------------------------------------------------
CASES += [
    _api("api_spot_check_plan_list", LOGGED_IN),
    _api("api_spot_check_task_list", LOGGED_IN),
    _api("api_spot_check_plan_detail", JOINT, target="joint_plan"),
    _api("api_spot_check_plan_detail", frozenset({"fire"}), target="fire_plan"),
    # The demo's joint plan has a concluded task: its draw is final (400 with the reason given).
    _api("api_spot_check_plan_draw", frozenset({"health"}), target="joint_plan", method="post", ok=400,
         visible=JOINT - {"health"}, data={"reason": "【矩阵】回避"}),
    _api("api_spot_check_plan_draw", frozenset({"fire"}), target="fire_plan", method="post"),
    # No finding recorded yet: the department is told so (400); the organiser sees the task (403).
    _api("api_spot_check_task_conclude", frozenset({"fire"}), target="fire_task", method="post", ok=400,
         visible=frozenset({"health"})),
]  # fmt: skip
