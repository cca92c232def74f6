"""The spot-check pages (双随机): the plans in sight, a new plan, a plan with its draw and tasks
(the draw and a redraw with its reason), a department's tasks, and concluding a task from the
finding recorded on the existing checklist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists
from accounts.errors import ApplicationError
from inspections.models import Area
from registry import parameters
from supervision import rules, selectors, services
from supervision.forms.spotchecks import DrawForm, PlanForm
from supervision.services.spotchecks import REASON_MAX

PAGE_SIZE = 25
TEMPLATES = "supervision/spotchecks"


def _require_planner_sight(request) -> None:
    if not rules.can_create_plan(request.user):
        raise PermissionDenied("spot_check.view")


@login_required
@require_GET
def spot_check_plan_list(request):
    """The plans in sight (``supervision.lists``: the same filter set as the export and the API)."""
    _require_planner_sight(request)
    context = lists.page_context(request, lists.spec_get("spot_check_plans"), page_size=PAGE_SIZE)
    return render(request, f"{TEMPLATES}/plan_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def spot_check_plan_create(request):
    _require_planner_sight(request)
    departments = services.spotchecks.plan_department_choices(actor=request.user)
    if request.method == "POST":
        form = PlanForm(request.POST, departments=departments)
        if form.is_valid():
            try:
                plan = services.spotchecks.plan_create(actor=request.user, **{
                    name: list(value) if name in ("departments", "townships") else value
                    for name, value in form.cleaned_data.items()
                })  # fmt: skip
            except ApplicationError as error:
                form.add_error(None, error.message)
                for name, errors in error.fields.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, _("The plan was saved; draw it when ready."))
                return redirect("spot_check_plan_detail", pk=plan.pk)
    else:
        params = parameters.load()
        form = PlanForm(
            departments=departments,
            initial={
                "departments": departments if len(departments) == 1 else [],
                "percent_low": int(params.get("spotcheck.percent.low") or 10),
                "percent_medium": int(params.get("spotcheck.percent.medium") or 30),
                "percent_high": int(params.get("spotcheck.percent.high") or 100),
                "inspectors_per_department": int(params.get("spotcheck.inspectors_per_department") or 2),
            },
        )
    return render(request, f"{TEMPLATES}/plan_form.html", {"form": form})


@login_required
@require_GET
def spot_check_plan_detail(request, pk: int):
    plan = selectors.spotchecks.plan_get(actor=request.user, pk=pk)
    tasks = list(selectors.spotchecks.plan_tasks(plan=plan))
    context = {
        "plan": plan,
        "tasks": tasks,
        "areas": dict(Area.choices),
        "departments": plan.departments.order_by("code"),
        "townships": plan.townships.order_by("code"),
        "reproduces": selectors.spotchecks.plan_draw_reproduces(plan=plan, tasks=tasks),
        "can_draw": rules.can_draw_plan(request.user, plan),
        "draw_form": DrawForm(),
    }
    return render(request, f"{TEMPLATES}/plan_detail.html", context)


@login_required
@require_POST
def spot_check_plan_draw(request, pk: int):
    plan = selectors.spotchecks.plan_get(actor=request.user, pk=pk)
    if not rules.can_draw_plan(request.user, plan):
        raise PermissionDenied("spot_check.draw")
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason may be at most %(max)d characters.") % {"max": REASON_MAX})
        return redirect("spot_check_plan_detail", pk=pk)
    try:
        plan = services.spotchecks.plan_draw(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Drawn: %(n)d tasks, with the seed recorded.") % {"n": plan.tasks.count()})
    return redirect("spot_check_plan_detail", pk=pk)


@login_required
@require_GET
def spot_check_task_list(request):
    """The tasks of the user's departments (``supervision.lists``: the same filter set as the
    export and the API)."""
    _require_planner_sight(request)
    context = lists.page_context(request, lists.spec_get("spot_check_tasks"), page_size=PAGE_SIZE)
    context["areas"] = dict(Area.choices)
    return render(request, f"{TEMPLATES}/task_list.html", context)


@login_required
@require_POST
def spot_check_task_conclude(request, pk: int):
    task = selectors.spotchecks.task_get(actor=request.user, pk=pk)
    if not rules.can_conclude_task(request.user, task):
        raise PermissionDenied("spot_check.conclude")
    try:
        task = services.spotchecks.task_conclude(actor=request.user, task=task)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        outcome = _("passed") if task.passed else _("failed")
        messages.success(request, _("Concluded (%(outcome)s); the result is published.") % {"outcome": outcome})
    return redirect("spot_check_task_list")


urlpatterns = [
    path("spot-checks/", spot_check_plan_list, name="spot_check_plan_list"),
    path("spot-checks/new/", spot_check_plan_create, name="spot_check_plan_create"),
    path("spot-checks/tasks/", spot_check_task_list, name="spot_check_task_list"),
    path("spot-checks/tasks/<int:pk>/conclude/", spot_check_task_conclude, name="spot_check_task_conclude"),
    path("spot-checks/<int:pk>/", spot_check_plan_detail, name="spot_check_plan_detail"),
    path("spot-checks/<int:pk>/draw/", spot_check_plan_draw, name="spot_check_plan_draw"),
]
