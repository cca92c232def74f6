"""Demo data of daily supervision, so that each demo account concerned has work:

- complaints in every state: market supervision (fees, food), the fire brigade (fire,
  overdue), the health bureau (abuse, other), the townships 泗门镇 and 梨洲街道 (unregistered
  providers), one referred, one escalated. Sent and handled through the services (routing,
  deadlines, the audit trail as in real use); dates are then moved back where a state needs
  an earlier start;
- two incidents (one reported late), so the health bureau, the townships and the institutions
  each find one; an objection of nursery2's to the fire brigade's failed ad-hoc fire check,
  waiting for ``fire``'s answer; and 泗门镇's penalty on nursery1's institution, notified, with
  nursery1's objection waiting for ``simen``'s answer;
- the risk scores computed from the other apps' demo data (findings, orders, rosters,
  self-reports), and a joint spot-check plan of the health bureau with the fire brigade and
  market supervision in three townships, drawn, so that health, fire and amr each find tasks in
  their queue. The fire brigade has inspected the family care point with an overdue order and
  found its extinguishers wanting: the task is concluded (so published) and the recomputed
  score puts the point in the high band, beside medium and low ones.

A second run adds nothing."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Region, User
from inspections.models import Area, Case, ChecklistItem
from inspections.services import enforcement, findings
from registry import workdays
from registry.demo import DEMO_PDF
from registry.models import Institution
from supervision.models import Complaint, Incident, Objection, RiskScore, SpotCheckPlan
from supervision.services import complaints as services
from supervision.services import incidents, objections, risk, spotchecks

PLAN_TITLE = "【演示】托育机构“双随机、一公开”联合抽查"
DEMO_TOWNSHIPS = ["330281103", "330281001", "330281004"]  # 泗门镇, 梨洲街道, 阳明街道
INSPECTED = "【演示】泗门镇童趣家庭托育点"


@transaction.atomic
def _load_risk_and_spot_checks() -> int:
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


C = Complaint.Category


def _filed(name: str) -> Institution:
    return Institution.objects.get(name=f"【演示】{name}")


def _backdate(complaint: Complaint, working_days: int) -> Complaint:
    """As if received ``working_days`` working days earlier (its deadlines follow)."""
    today = timezone.localdate()
    day = today
    while workdays.working_days_between(day, today) < working_days:
        day -= timedelta(days=1)
    acknowledge, conclude = services.deadlines(day)
    Complaint.objects.filter(pk=complaint.pk).update(
        submitted_at=timezone.now() - (today - day), acknowledge_due=acknowledge, conclude_due=conclude
    )
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def _load_complaints() -> int:
    if Complaint.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["health", "amr", "fire", "simen", "lizhou"])}
    kindergarten, qihang = _filed("泗门镇中心幼儿园托班"), _filed("梨洲街道启航托育园")
    beibei, model = _filed("凤山街道贝贝托育园"), _filed("阳明街道示范托育中心")
    simen, lizhou = Region.objects.get(code="330281103"), Region.objects.get(code="330281001")
    made = []

    def send(**fields):
        complaint = services.complaint_submit(**fields)
        made.append(complaint)
        return complaint

    # Market supervision: a fee complaint waiting to be acknowledged, a food one under investigation,
    # one concluded as not substantiated, one substantiated with its rectification order.
    send(category=C.FEES, institution=qihang, description="入托时额外收取3000元“赞助费”，没有收据。",
         contact_name="陈女士", contact_phone="13900001111")  # fmt: skip
    food = _backdate(send(category=C.FOOD, institution=beibei, description="午餐的牛奶已过保质期。"), 1)
    services.complaint_acknowledge(actor=users["amr"], complaint=food)
    fees_no = _backdate(send(category=C.FEES, institution=model, description="伙食费比公示的高。"), 6)
    services.complaint_conclude(actor=users["amr"], complaint=fees_no, outcome=Complaint.Outcome.NOT_SUBSTANTIATED,
                                findings="核对收费台账，伙食费与公示一致（每月300元）。",
                                reply="经核查，伙食费与公示标准一致，未发现违规收费。")  # fmt: skip
    fees_yes = _backdate(send(category=C.FEES, institution=kindergarten, description="托班收取了公示以外的兴趣班费用。",
                              contact_phone="13900002222"), 8)  # fmt: skip
    services.complaint_conclude(actor=users["amr"], complaint=fees_yes, outcome=Complaint.Outcome.SUBSTANTIATED,
                                findings="查实另收兴趣班费用每月400元，未公示。",
                                reply="经查属实，已责令该机构限期整改并退还费用。")  # fmt: skip
    services.complaint_order_open(actor=users["amr"], complaint=fees_yes, text="停止收取未公示的兴趣班费用并退还。",
                                  deadline=workdays.add_working_days(timezone.localdate(), 10))  # fmt: skip
    # The fire brigade: an overdue complaint, never acknowledged (escalated to the health bureau).
    fire = _backdate(send(category=C.FIRE, institution=beibei, description="楼梯间堆放杂物，安全出口被堵。"), 20)
    services.complaint_escalate(complaint=fire)
    # The health bureau (with public security): suspected abuse under investigation; "other" concluded.
    abuse = send(category=C.ABUSE, institution=qihang, description="孩子回家后手臂有掐痕，老师说不清原因。",
                 contact_name="王先生", contact_phone="13900003333")  # fmt: skip
    services.complaint_acknowledge(actor=users["health"], complaint=abuse)
    other = _backdate(send(category=C.OTHER, institution=model, description="开放时间与公示不一致。"), 5)
    services.complaint_conclude(actor=users["health"], complaint=other, outcome=Complaint.Outcome.SUBSTANTIATED,
                                findings="机构调整了开放时间未更新公示。",
                                reply="已要求机构更新公示的开放时间。")  # fmt: skip
    # Townships: an unregistered provider in 泗门镇 waiting, one in 梨洲街道 substantiated with a case.
    send(category=C.UNREGISTERED, township=simen, provider_name="无名家庭看护点", provider_address="泗门镇某小区5幢",
         description="一户人家同时看护七八个幼儿，没有任何公示。", contact_phone="13900004444")  # fmt: skip
    case = _backdate(send(category=C.UNREGISTERED, township=lizhou, provider_name="小蜜蜂看护班",
                          provider_address="梨洲街道某路88号",
                          description="未登记的看护班，约十名幼儿。"), 3)  # fmt: skip
    services.complaint_conclude(actor=users["lizhou"], complaint=case, outcome=Complaint.Outcome.SUBSTANTIATED,
                                findings="现场核实：未登记，收托幼儿11名。",
                                reply="经查属实，已立案处理。")  # fmt: skip
    services.complaint_case_open(actor=users["lizhou"], complaint=case)
    # A referral: a complaint about fire routed to the fire brigade, which hands it to 泗门镇.
    referred = send(category=C.FIRE, institution=kindergarten, description="门口电动车充电，存在隐患。")
    services.complaint_refer(actor=users["fire"], complaint=referred, organisation=Organisation.objects.get(
        code="township-330281103"), reason="属室外公共区域电动车充电，转属地乡镇处理。")  # fmt: skip
    return len(made)


@transaction.atomic
def _load_incidents_and_objection() -> int:
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
    _case_decision_objection(institutions["demo-simen-xingxing"])
    return 3


def _case_decision_objection(institution: Institution) -> Objection | None:
    """泗门镇's penalty on nursery1's institution for taking more children than its places,
    notified, with nursery1's objection waiting for ``simen``'s answer (the decision not yet in
    force)."""
    simen, nursery1 = User.objects.filter(username="simen").first(), User.objects.filter(username="nursery1").first()
    township = Organisation.objects.filter(code=f"township-{institution.township.code}").first()
    if simen is None or nursery1 is None or township is None:
        return None
    case = enforcement.case_record(
        actor=simen, provider_name=institution.name, place=institution.address or institution.township.name,
        township=institution.township, found="【演示】日常巡查发现实际收托23名，超过备案托位20个；家长反映午睡室拥挤。",
        found_on=timezone.localdate() - timedelta(days=10),
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(institution=institution)
    enforcement.case_order(
        actor=simen, case=Case.objects.get(pk=case.pk), order_text="【演示】限期将收托人数降至备案托位以内",
        deadline=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    case = enforcement.case_close(
        actor=simen, case=Case.objects.get(pk=case.pk), outcome=Case.Status.PENALISED,
        note="【演示】超出备案托位收托，存在安全隐患，予以警告并处罚款。",
        decision_number="【演示】余泗综执罚〔2026〕3号", decision_date=timezone.localdate(),
        decision_department=township,
        scan=SimpleUploadedFile("处罚决定书.pdf", DEMO_PDF, content_type="application/pdf"),
        immediate_reason="【演示】超员收托危及婴幼儿安全，不待整改期满。",
        facts="【演示】该机构备案托位20个，巡查当日实际收托23名。",
        basis="【演示】《托育机构设置标准（试行）》《托育机构管理规范（试行）》",
    )  # fmt: skip
    return objections.objection_submit(
        actor=nursery1, subject=Objection.Subject.CASE, contested=case,
        reasons="【演示】超收3名为同胞兄弟姐妹临时托管，已于次日退托，现收托20名，附名册。",
    )  # fmt: skip


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


def load_supervision_demo() -> int:
    # The risk scores last: they read what the others left (findings, orders).
    return _load_complaints() + _load_incidents_and_objection() + _load_risk_and_spot_checks()
