"""Spot-check plans (双随机、一公开): created by a department (or the health bureau for a joint
plan), drawn once, redrawn only with a reason, each task concluded from the finding recorded
on the existing checklist.

The draw is a pure function of its recorded inputs and seed (``draw``): the inputs (each
stratum's institutions, each department's pool) are frozen on the plan at the moment of the
draw, so re-running ``draw(plan.inputs, plan.seed)`` gives the plan's tasks again, whatever
changed in the registry since."""

import secrets
from collections import Counter
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.errors import ApplicationError
from accounts.models import Membership, Organisation, Region, User
from accounts.services import notification_send
from inspections.models import Area, Finding
from registry.models import Institution
from supervision import rules
from supervision.models import RiskBand, SpotCheckPlan, SpotCheckTask
from supervision.services.risk import scored_institutions
from supervision.spot_check_draw import draw

TITLE_MAX = SpotCheckPlan._meta.get_field("title").max_length
REASON_MAX = 2000
BAND_ORDER = [RiskBand.HIGH, RiskBand.MEDIUM, RiskBand.LOW]


def department_areas(organisation: Organisation) -> list[str]:
    """The areas a department inspects: those of its ``check.<area>`` duties."""
    codes = {duty.code for duty in organisation.duties.all()}
    return [area for area in Area.values if Area.duty(area) in codes]


def plan_department_choices(*, actor) -> list[Organisation]:
    """The departments the actor may name in a plan: every inspecting department for the
    health bureau (a joint plan), else the actor's own department."""
    if rules.can_plan_jointly(actor):
        departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True).prefetch_related(
            "duties"
        )
        return [org for org in departments.order_by("code") if department_areas(org)]
    own = rules.acting_planner(actor)
    return [own] if own is not None and department_areas(own) else []


@transaction.atomic
def plan_create(
    *,
    actor,
    title: str,
    departments: list[Organisation],
    townships: list[Region],
    percent_low: int,
    percent_medium: int,
    percent_high: int,
    inspectors_per_department: int,
) -> SpotCheckPlan:
    if not rules.can_create_plan(actor):
        raise PermissionDenied("spot_check.plan")
    organiser = rules.acting_planner(actor)
    title = (title or "").strip()
    errors = {}
    if not title or len(title) > TITLE_MAX:
        errors["title"] = [_("A title of at most %(max)d characters is required.") % {"max": TITLE_MAX}]
    allowed = {org.pk for org in plan_department_choices(actor=actor)}
    if not departments:
        errors["departments"] = [_("Choose at least one department.")]
    elif any(org.pk not in allowed for org in departments):
        errors["departments"] = [
            _("A department may plan only its own inspections; a joint plan is the health bureau's.")
        ]
    percents = {"percent_low": percent_low, "percent_medium": percent_medium, "percent_high": percent_high}
    for name, value in percents.items():
        if value is None or not 0 <= value <= 100:
            errors[name] = [_("A percentage from 0 to 100.")]
    if not errors and not any(percents.values()):
        errors["percent_high"] = [_("At least one band must be drawn from.")]
    if inspectors_per_department is None or not 1 <= inspectors_per_department <= 10:
        errors["inspectors_per_department"] = [_("From 1 to 10.")]
    if any(region.level != Region.Level.TOWNSHIP for region in townships):
        errors["townships"] = [_("Choose townships only.")]
    if errors:
        raise ApplicationError(_("The plan was not saved: please correct the fields marked."), fields=errors)
    plan = SpotCheckPlan.objects.create(
        title=title, organiser=organiser, created_by=actor, inspectors_per_department=inspectors_per_department,
        **percents,
    )  # fmt: skip
    plan.departments.set(departments)
    plan.townships.set(townships)
    audit.record(
        actor=actor,
        event="spot_check.plan_created",
        obj=plan,
        details={"departments": [org.code for org in departments], "townships": [t.code for t in townships]},
    )
    return plan


def draw_inputs(*, plan: SpotCheckPlan, today: date) -> dict:
    """The frozen inputs of a draw: each stratum (band × township) with its operating
    institutions (one preparing has no children to check yet) in id order and the percent drawn
    from it; each department's pool of inspectors (its officers and
    heads) in id order with its areas; the kindergarten nursery classes (only they have an
    education area). Four queries."""
    institutions = scored_institutions().filter(status=Institution.Status.OPERATING)
    townships = [region.code for region in plan.townships.all()]
    if townships:
        institutions = institutions.filter(township__code__in=townships)
    rows = institutions.values_list(
        "pk", "township__code", "provider_type", "risk_score__override_band", "risk_score__computed_band"
    ).order_by("pk")
    percent = {RiskBand.LOW: plan.percent_low, RiskBand.MEDIUM: plan.percent_medium, RiskBand.HIGH: plan.percent_high}
    strata, kindergartens = {}, []
    for pk, township, provider_type, override_band, computed_band in rows:
        band = override_band or computed_band or RiskBand.LOW
        strata.setdefault((band, township), []).append(pk)
        if provider_type == Institution.ProviderType.KINDERGARTEN_CLASS:
            kindergartens.append(pk)
    ordered = sorted(strata, key=lambda key: (BAND_ORDER.index(key[0]), key[1]))
    pools = []
    for department in plan.departments.prefetch_related("duties").order_by("pk"):
        users = Membership.objects.filter(
            organisation=department, role__in=Membership.ACTING_ROLES, user__is_active=True
        ).values_list("user_id", flat=True)
        pools.append({"department": department.pk, "areas": department_areas(department), "users": sorted(users)})
    return {
        "day": today.isoformat(),
        "strata": [
            {"band": band, "township": township, "percent": percent[band], "institutions": strata[(band, township)]}
            for band, township in ordered
        ],
        "kindergarten_classes": kindergartens,
        "pools": pools,
        "inspectors_per_department": plan.inspectors_per_department,
    }


@transaction.atomic
def plan_draw(*, actor, plan: SpotCheckPlan, reason: str = "") -> SpotCheckPlan:
    """Draw the plan; a plan already drawn is drawn again only with a reason (audited, the
    earlier seed kept in the trail), and not once a task of it has been concluded. Locked:
    of two people drawing at once, the second finds the plan drawn."""
    plan = SpotCheckPlan.objects.select_for_update().get(pk=plan.pk)
    rules.require_draw_plan(actor, plan)
    reason = (reason or "").strip()
    redraw = plan.status == SpotCheckPlan.Status.DRAWN
    if redraw and not reason:
        raise ApplicationError(
            _("This plan has already been drawn; drawing it again needs a reason, which is recorded."),
            fields={"reason": [_("A reason is required to draw again.")]},
        )
    if len(reason) > REASON_MAX:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": REASON_MAX},
            fields={"reason": [_("Too long.")]},
        )
    if redraw and plan.tasks.filter(status=SpotCheckTask.Status.CONCLUDED).exists():
        raise ApplicationError(_("A task of this plan has been concluded: the draw can no longer change."))
    inputs = draw_inputs(plan=plan, today=timezone.localdate())
    empty = [pool["department"] for pool in inputs["pools"] if not pool["users"]]
    if empty:
        names = Organisation.objects.filter(pk__in=empty).values_list("name", flat=True)
        raise ApplicationError(
            _("No inspector to draw from in: %(names)s (officers of the department).") % {"names": "、".join(names)}
        )
    seed = secrets.token_hex(16)
    drawn = draw(inputs, seed)
    if not drawn:
        raise ApplicationError(_("No institution falls within this plan: nothing was drawn."))
    previous = {"seed": plan.seed, "tasks": plan.tasks.count()} if redraw else None
    plan.tasks.all().delete()
    for item in drawn:
        task = SpotCheckTask.objects.create(
            plan=plan, institution_id=item["institution"], department_id=item["department"], band=item["band"],
            area=item["area"],
        )  # fmt: skip
        task.inspectors.set(item["inspectors"])
    plan.status, plan.seed, plan.inputs = SpotCheckPlan.Status.DRAWN, seed, inputs
    plan.draws += 1
    plan.redraw_reason = reason if redraw else ""
    plan.drawn_by, plan.drawn_at = actor, timezone.now()
    plan.save(update_fields=["status", "seed", "inputs", "draws", "redraw_reason", "drawn_by", "drawn_at"])
    _notify_inspectors(plan=plan, drawn=drawn)
    audit.record(
        actor=actor,
        event="spot_check.redrawn" if redraw else "spot_check.drawn",
        obj=plan,
        details={"seed": seed, "tasks": len(drawn), "reason": reason, "previous": previous},
    )
    return plan


def _notify_inspectors(*, plan: SpotCheckPlan, drawn: list[dict]) -> None:
    """Each drawn inspector is told how many tasks the draw gave them, with the way to them."""
    per_inspector = Counter(user for item in drawn for user in item["inspectors"])
    link = reverse("spot_check_task_list")
    for user in User.objects.filter(pk__in=per_inspector):
        notification_send(
            recipient=user,
            title=_("Drawn for a spot check: %(title)s") % {"title": plan.title},
            body=_("%(n)d inspection tasks are yours in this draw.") % {"n": per_inspector[user.pk]},
            link=link,
        )


def task_finding(*, task: SpotCheckTask) -> Finding | None:
    """The finding the task's department recorded for its area at the institution since the
    draw (an ad-hoc inspection on the existing checklist), the latest first."""
    return (
        Finding.objects.filter(
            institution=task.institution_id,
            area=task.area,
            department=task.department_id,
            review__isnull=True,
            inspected_on__gte=timezone.localtime(task.plan.drawn_at).date(),
        )
        .order_by("-inspected_on", "-id")
        .first()
    )


@transaction.atomic
def task_conclude(*, actor, task: SpotCheckTask) -> SpotCheckTask:
    """Conclude a task from its finding: the result becomes public. Locked: of two people
    concluding at once, the second is told it is done."""
    task = SpotCheckTask.objects.select_for_update().select_related("plan").get(pk=task.pk)
    rules.require_conclude_task(actor, task)
    if task.status != SpotCheckTask.Status.OPEN:
        raise ApplicationError(_("This task has already been concluded."))
    finding = task_finding(task=task)
    if finding is None:
        raise ApplicationError(
            _("No finding has been recorded for this area since the draw: record it on the checklist first.")
        )
    task.finding, task.passed = finding, finding.passed
    task.status, task.concluded_by, task.concluded_at = SpotCheckTask.Status.CONCLUDED, actor, timezone.now()
    task.save(update_fields=["finding", "passed", "status", "concluded_by", "concluded_at"])
    details = {"finding": finding.pk, "passed": finding.passed}
    audit.record(actor=actor, event="spot_check.task_concluded", obj=task, details=details)
    return task
