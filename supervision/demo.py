"""Demo data of daily supervision: two incidents (one reported late), so the health bureau,
the townships and the institutions each find one; and an objection of nursery2's to the fire
brigade's failed ad-hoc fire check, waiting for ``fire``'s answer."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from inspections.models import Area, ChecklistItem
from inspections.services import findings
from registry.models import Institution
from supervision.models import Incident, Objection
from supervision.services import incidents, objections


@transaction.atomic
def load_supervision_demo() -> int:
    if Incident.objects.exists():
        return 0
    users = {
        user.username: user for user in User.objects.filter(username__in=["nursery1", "nursery2", "health", "fire"])
    }
    institutions = {
        institution.organisation.code: institution
        for institution in Institution.objects.filter(
            organisation__code__in=["demo-simen-xingxing", "demo-lizhou-yangguang"]
        ).select_related("organisation")
    }
    if len(users) < 4 or len(institutions) < 2:
        return 0
    now = timezone.now()
    incidents.incident_report(
        actor=users["nursery1"],
        institution=institutions["demo-simen-xingxing"],
        kind=Incident.Kind.INJURY,
        occurred_at=now - timedelta(hours=3),
        children_affected=1,
        description="【演示】一名幼儿户外活动时摔倒，额头擦伤，已送医处理。",
        actions_taken="【演示】已通知家长，陪同就医；已检查户外场地。",
    )
    late = incidents.incident_report(
        actor=users["nursery2"],
        institution=institutions["demo-lizhou-yangguang"],
        kind=Incident.Kind.INFECTIOUS_CLUSTER,
        occurred_at=now - timedelta(hours=40),
        children_affected=4,
        description="【演示】托小班三日内出现4名幼儿发热、出疹，疑似手足口病聚集。",
        actions_taken="【演示】患儿居家隔离，班级停课消毒，已报告社区卫生服务中心。",
    )
    incidents.incident_acknowledge(actor=users["health"], incident=late)
    _objection(users, institutions["demo-lizhou-yangguang"])
    return 3


def _objection(users: dict, institution: Institution) -> Objection:
    results = dict.fromkeys(
        ChecklistItem.objects.filter(template__area=Area.FIRE).values_list("code", flat=True), ("pass", "")
    )
    results["F3"] = ("fail", "【演示】二楼疏散通道堆放床垫")
    finding = findings.finding_record(
        actor=users["fire"], institution=institution, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=results, notes="【演示】日常消防检查",
    )  # fmt: skip
    return objections.objection_submit(
        actor=users["nursery2"],
        subject=Objection.Subject.FINDING,
        contested=finding,
        reasons="【演示】床垫为当日午睡前临时放置，检查后即已移走，附当日监控截图说明。",
    )
