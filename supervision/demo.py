"""Demo daily supervision: the risk scores computed from the other apps' demo data (findings,
orders, rosters, self-reports), and a joint spot-check plan of the health bureau with the fire
brigade and market supervision in three townships, drawn, so that health, fire and amr each
find tasks in their queue. The fire brigade has inspected the family care point with an
overdue order and found its extinguishers wanting: the task is concluded (so published) and
the recomputed score puts the point in the high band, beside medium and low ones.

Written through the services with the demo accounts; the plan is skipped when it exists."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Region, User
from inspections.models import ChecklistItem
from inspections.services import findings
from supervision.models import RiskScore, SpotCheckPlan
from supervision.services import risk, spotchecks

PLAN_TITLE = "【演示】托育机构“双随机、一公开”联合抽查"
DEMO_TOWNSHIPS = ["330281103", "330281001", "330281004"]  # 泗门镇, 梨洲街道, 阳明街道
INSPECTED = "【演示】泗门镇童趣家庭托育点"


@transaction.atomic
def load_supervision_demo() -> int:
    result = risk.risk_scores_recompute()
    if SpotCheckPlan.objects.filter(title=PLAN_TITLE).exists():
        return result["created"]
    users = {user.username: user for user in User.objects.filter(username__in=["health", "fire", "amr"])}
    _override_one(users["health"])
    plan = spotchecks.plan_create(
        actor=users["health"],
        title=PLAN_TITLE,
        departments=list(Organisation.objects.filter(code__in=["health", "fire", "amr"]).order_by("code")),
        townships=list(Region.objects.filter(code__in=DEMO_TOWNSHIPS)),
        percent_low=10,
        percent_medium=100,
        percent_high=100,
        inspectors_per_department=2,
    )
    spotchecks.plan_draw(actor=users["health"], plan=plan)
    task = plan.tasks.filter(area="fire", institution__name=INSPECTED).select_related("institution").first()
    if task is not None:
        codes = ChecklistItem.objects.filter(template__area="fire").values_list("code", flat=True)
        results = dict.fromkeys(codes, ("pass", ""))
        results["F4"] = ("fail", "【演示】灭火器过期未更换")
        findings.finding_record(
            actor=users["fire"], institution=task.institution, area="fire", inspected_on=timezone.localdate(),
            results=results, notes="【演示】双随机抽查",
        )  # fmt: skip
        spotchecks.task_conclude(actor=users["fire"], task=task)
        risk.risk_scores_recompute()
    return result["created"]


def _override_one(health) -> None:
    """The bureau raised one low-risk institution by hand, with its reason (shown on its page)."""
    score = RiskScore.objects.filter(computed_band="low", institution__name__contains="阳光宝贝").first()
    if score is not None:
        risk.risk_band_override(
            actor=health, score=score, band="medium", reason="【演示】群众反映近期更换负责人，提高检查频次"
        )
