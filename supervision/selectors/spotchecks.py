"""What the spot-check pages, the work queue and the public page read. Every read of a plan or
a task goes through the access policy (rule 36); the published results are public on purpose
(一公开) and show concluded tasks only."""

from django.db.models import Count, Q, QuerySet

from accounts import policy
from inspections.models import Area
from registry.models import Institution
from supervision.models import SpotCheckPlan, SpotCheckTask
from supervision.spot_check_draw import draw


def plan_list(*, actor) -> QuerySet:
    return (
        SpotCheckPlan.objects.visible_to(actor)
        .select_related("organiser")
        .annotate(
            task_count=Count("tasks", distinct=True),
            open_count=Count("tasks", filter=Q(tasks__status=SpotCheckTask.Status.OPEN), distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def plan_get(*, actor, pk: int) -> SpotCheckPlan:
    return policy.get_visible_or_404(actor, SpotCheckPlan.objects.select_related("organiser", "drawn_by"), pk=pk)


def plan_tasks(*, plan: SpotCheckPlan) -> QuerySet:
    return (
        plan.tasks.select_related("institution__township", "department", "finding")
        .prefetch_related("inspectors")
        .order_by("institution__township__code", "institution__name", "area")
    )


def plan_draw_reproduces(*, plan: SpotCheckPlan, tasks) -> bool:
    """Re-run the draw from the plan's record: does it give exactly the plan's tasks?"""
    if not plan.seed:
        return False
    replayed = {
        (t["institution"], t["department"], t["area"], tuple(t["inspectors"])) for t in draw(plan.inputs, plan.seed)
    }
    stored = {
        (task.institution_id, task.department_id, task.area, tuple(sorted(user.pk for user in task.inspectors.all())))
        for task in tasks
    }
    return replayed == stored


def task_list(*, actor) -> QuerySet:
    """The tasks of the actor's own departments (their queue), open first (the list's filters
    are ``supervision.lists.SpotCheckTaskFilterSet``)."""
    own = [org.pk for org in policy.organisations_of(actor)]
    queryset = (
        SpotCheckTask.objects.visible_to(actor)
        .filter(department__in=own)
        .select_related("plan", "institution__township", "department")
        .prefetch_related("inspectors")
    )
    return queryset.order_by("-status", "plan__drawn_at", "institution__name", "pk")


def task_get(*, actor, pk: int) -> SpotCheckTask:
    queryset = SpotCheckTask.objects.select_related("plan", "institution", "department", "finding")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def queue_counts(*, actor) -> dict[str, int]:
    """For the work queue, in one query: ``open_tasks`` of the actor's departments and their
    plans not drawn yet (``undrawn``), among the plans the actor sees."""
    own = [org.pk for org in policy.organisations_of(actor)]
    return SpotCheckPlan.objects.visible_to(actor).aggregate(
        open_tasks=Count(
            "tasks", filter=Q(tasks__status=SpotCheckTask.Status.OPEN, tasks__department__in=own), distinct=True
        ),
        undrawn=Count("pk", filter=Q(status=SpotCheckPlan.Status.DRAFT, organiser__in=own), distinct=True),
    )


def spot_check_results_for(institution: Institution) -> list[dict]:
    """The published (一公开) results of spot checks at an institution, newest first: each
    concluded task's plan, department, area, date of inspection and result. Public, for the
    registry's public page; nothing of an open task, an inspector or a note. One query."""
    tasks = (
        SpotCheckTask.objects.filter(institution=institution, status=SpotCheckTask.Status.CONCLUDED)
        .select_related("plan", "department", "finding")
        .order_by("-finding__inspected_on", "-pk")
    )
    labels = dict(Area.choices)
    return [
        {
            "plan": task.plan.title,
            "department": task.department.name,
            "area": str(labels.get(task.area, task.area)),
            "inspected_on": task.finding.inspected_on,
            "passed": task.passed,
        }
        for task in tasks
    ]
