"""Daily supervision's lists (``accounts.lists``): complaints, incidents, spot-check plans and
tasks, the risk list, objections and the case decisions about an institution, one filter set each
for the page, its Excel export and the API (where there is one), so they agree by construction.

Township choices are the townships of the rows the user sees, so a foreign township is a bad
value (a message on the page, 400 on the API), not an empty list.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import policy
from accounts.lists import DateRangeFilter, FlagFilter, ListFilterSet, ListSpec, SortFilter
from inspections.models import Area, Case
from paperwork import bounds
from registry import selectors as registry_selectors
from registry.models import Region
from supervision import rules
from supervision.models import Complaint, Incident, Objection, RiskBand, SpotCheckPlan, SpotCheckTask
from supervision.selectors import complaints as complaint_selectors
from supervision.selectors import incidents as incident_selectors
from supervision.selectors import objections as objection_selectors
from supervision.selectors import risk as risk_selectors
from supervision.selectors import spotchecks as spot_check_selectors


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _townships(queryset, path: str) -> list:
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP, pk__in=queryset.values(path)).order_by("code"))


# --- Complaints -----------------------------------------------------------------------------------


class ComplaintFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Complaint.Status.choices, empty_label=_("All statuses")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Complaint.Category.choices, empty_label=_("All")
    )
    overdue = FlagFilter(label=_("Only complaints past their deadline"), method="filter_overdue")
    received = DateRangeFilter(label=_("Received between"), field_name="submitted_at")
    q = django_filters.CharFilter(label=_("Tracking code or provider"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("submitted_at", "received"), ("conclude_due", "due"), ("status", "status")),
        field_labels={"submitted_at": _("Received on"), "conclude_due": _("Conclude by")},
    )

    def narrow(self) -> None:
        townships = _townships(Complaint.objects.visible_to(self.actor), "township")
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        if len(townships) < 2:
            self.hidden = self.hidden | {"township"}

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(complaint_selectors.overdue_condition(timezone.localdate())) if value else queryset

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(tracking_code__icontains=text) | Q(institution__name__icontains=text) | Q(provider_name__icontains=text)
        )


def _handlers(complaint) -> str:
    return "、".join(handler.organisation.name for handler in complaint.handlers.all() if handler.active)


COMPLAINT_COLUMNS = [
    ("查询码", 14, lambda c: c.tracking_code),
    ("类别", 16, lambda c: c.get_category_display()),
    ("被投诉对象", 36, lambda c: c.subject),
    ("乡镇（街道）", 14, lambda c: c.township.name),
    ("收到时间", 18, lambda c: _local(c.submitted_at)),
    ("受理期限", 12, lambda c: c.acknowledge_due),
    ("办结期限", 12, lambda c: c.conclude_due),
    ("状态", 20, lambda c: c.get_status_display()),
    ("结论", 12, lambda c: c.get_outcome_display() if c.outcome else ""),
    ("办结时间", 18, lambda c: _local(c.concluded_at)),
    ("承办单位", 30, _handlers),
]


def _complaints(actor):
    if not rules.may_see_complaints(actor):
        raise PermissionDenied("complaint.handle")
    return complaint_selectors.complaint_list(actor=actor)


# --- Incidents ------------------------------------------------------------------------------------

# Who opens the incident list: the institution, the township, the health bureau (and the ban list's keeper).
INCIDENT_LIST_DUTIES = (rules.SELF_DUTY, rules.INCIDENT_DUTY, "township.supervise", rules.BAN_DUTY)


class IncidentFilterSet(ListFilterSet):
    """Townships are those in the user's sight (a township's own code from its dashboard is
    always one of them)."""

    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Incident.Status.choices, empty_label=_("All statuses")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of incident"), choices=Incident.Kind.choices, empty_label=_("All kinds")
    )
    late = FlagFilter(label=_("Only late reports"), field_name="late", method="filter_late")
    occurred = DateRangeFilter(label=_("Happened between"), field_name="occurred_at")
    # Kept for the links and API clients that ask "since a day" (the range's first day).
    since = django_filters.DateFilter(
        label=_("Happened since"), field_name="occurred_at__date", lookup_expr="gte", validators=[bounds.HAPPENED]
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("occurred_at", "occurred"), ("reported_at", "reported"), ("status", "status"), ("kind", "kind")),
        field_labels={"occurred_at": _("When it happened"), "reported_at": _("Reported at")},
    )
    hidden = frozenset({"sort", "since"})

    def narrow(self) -> None:
        townships = registry_selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        if len(townships) < 2:
            self.hidden = self.hidden | {"township"}

    def filter_late(self, queryset, name, value):
        return queryset.filter(late=True) if value else queryset


INCIDENT_COLUMNS = [
    ("机构名称", 36, lambda i: i.institution.name),
    ("乡镇（街道）", 14, lambda i: i.institution.township.name),
    ("事件类别", 20, lambda i: i.get_kind_display()),
    ("发生时间", 18, lambda i: _local(i.occurred_at)),
    ("报告时间", 18, lambda i: _local(i.reported_at)),
    ("迟报", 6, lambda i: "是" if i.late else "否"),
    ("涉及婴幼儿数", 10, lambda i: i.children_affected),
    ("状态", 12, lambda i: i.get_status_display()),
    ("处置时间", 18, lambda i: _local(i.closed_at)),
]


def _incidents(actor):
    if not any(policy.holds(actor, duty) for duty in INCIDENT_LIST_DUTIES):
        raise PermissionDenied
    return incident_selectors.incident_list(actor=actor)


# --- Spot-check plans and tasks ------------------------------------------------------------------


def _township_choices(filterset: ListFilterSet, townships: list) -> None:
    filterset.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
    if len(townships) < 2:
        filterset.hidden = filterset.hidden | {"township"}


def _spot_check_sight(actor) -> None:
    """The spot-check pages and their exports are for the departments that plan or inspect."""
    if not rules.can_create_plan(actor):
        raise PermissionDenied("spot_check.view")


class SpotCheckPlanFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), method="filter_township")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SpotCheckPlan.Status.choices, empty_label=_("All statuses")
    )
    created = DateRangeFilter(label=_("Created between"), field_name="created_at")
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="icontains", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("created_at", "created"), ("drawn_at", "drawn"), ("title", "title"), ("status", "status")),
        field_labels={"created_at": _("Created at"), "drawn_at": _("Drawn at"), "title": _("Title")},
    )

    def narrow(self) -> None:
        _township_choices(self, registry_selectors.institution_township_choices(actor=self.actor))

    def filter_township(self, queryset, name, value: str):
        # A plan covers the townships it names, or the whole city when it names none.
        named = SpotCheckPlan.townships.through.objects.filter(spotcheckplan=OuterRef("pk"))
        return queryset.filter(Exists(named.filter(region__code=value)) | ~Exists(named))


SPOT_CHECK_PLAN_COLUMNS = [
    ("计划名称", 36, lambda p: p.title),
    ("组织部门", 20, lambda p: p.organiser.name),
    ("状态", 10, lambda p: p.get_status_display()),
    ("创建时间", 18, lambda p: _local(p.created_at)),
    ("抽取时间", 18, lambda p: _local(p.drawn_at)),
    ("抽取次数", 8, lambda p: p.draws),
    ("任务数", 8, lambda p: p.task_count),
    ("未办结任务数", 10, lambda p: p.open_count),
]


def _spot_check_plans(actor):
    _spot_check_sight(actor)
    return spot_check_selectors.plan_list(actor=actor)


class SpotCheckTaskFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SpotCheckTask.Status.choices, empty_label=_("All statuses")
    )
    band = django_filters.ChoiceFilter(
        label=_("Risk band when drawn"), choices=RiskBand.choices, empty_label=_("All bands")
    )
    area = django_filters.ChoiceFilter(label=_("Area"), choices=Area.choices, empty_label=_("All areas"))
    drawn = DateRangeFilter(label=_("Drawn between"), field_name="plan__drawn_at")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("institution__name", "institution"), ("institution__township__code", "township"),
            ("plan__drawn_at", "drawn"), ("status", "status"),
        ),
        field_labels={"institution__name": _("Institution"), "institution__township__code": _("Township"),
                      "plan__drawn_at": _("Drawn at")},
    )  # fmt: skip

    def narrow(self) -> None:
        _township_choices(self, registry_selectors.institution_township_choices(actor=self.actor))


def _task_result(task) -> str:
    if task.status != SpotCheckTask.Status.CONCLUDED:
        return ""
    return "合格" if task.passed else "不合格"


SPOT_CHECK_TASK_COLUMNS = [
    ("机构名称", 36, lambda t: t.institution.name),
    ("乡镇（街道）", 14, lambda t: t.institution.township.name),
    ("检查领域", 14, lambda t: str(Area(t.area).label) if t.area in Area.values else t.area),
    ("抽取时风险等级", 12, lambda t: t.get_band_display()),
    ("抽查计划", 30, lambda t: t.plan.title),
    ("检查人员", 24, lambda t: "、".join(user.real_name for user in t.inspectors.all())),
    ("状态", 10, lambda t: t.get_status_display()),
    ("结果", 8, _task_result),
    ("办结时间", 18, lambda t: _local(t.concluded_at)),
]


def _spot_check_tasks(actor):
    _spot_check_sight(actor)
    return spot_check_selectors.task_list(actor=actor)


# --- Risk -----------------------------------------------------------------------------------------


class RiskFilterSet(ListFilterSet):
    auto_id = "filter-%s"  # the ids the risk page has always had
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    band = django_filters.ChoiceFilter(
        label=_("Risk band"), choices=RiskBand.choices, empty_label=_("All bands"), method="filter_band"
    )
    overridden = FlagFilter(label=_("Only bands set by the health bureau"), method="filter_overridden")
    computed = DateRangeFilter(label=_("Computed between"), field_name="computed_at")
    q = django_filters.CharFilter(
        label=_("Institution"), field_name="institution__name", lookup_expr="icontains", max_length=100
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("score", "score"), ("institution__name", "institution"), ("institution__township__code", "township")),
        field_labels={"score": pgettext_lazy("risk", "Score"), "institution__name": _("Institution"),
                      "institution__township__code": _("Township")},
    )  # fmt: skip

    def narrow(self) -> None:
        _township_choices(self, list(risk_selectors.risk_townships(actor=self.actor)))

    def filter_band(self, queryset, name, value):
        return queryset.filter(risk_selectors.band_condition(value))

    def filter_overridden(self, queryset, name, value):
        return queryset.exclude(override_band="") if value else queryset


RISK_COLUMNS = [
    ("机构名称", 36, lambda r: r.institution.name),
    ("乡镇（街道）", 14, lambda r: r.institution.township.name),
    ("风险分值", 10, lambda r: r.score),
    ("风险等级", 10, lambda r: r.get_band_display()),
    ("卫健局调整", 10, lambda r: "是" if r.override_band else "否"),
    ("调整理由", 36, lambda r: r.override_reason),
    ("计算时间", 18, lambda r: _local(r.computed_at)),
]


def _risk_scores(actor):
    if not rules.is_department_member(actor):  # rule 35: departments only
        raise PermissionDenied("risk.view")
    return risk_selectors.risk_list(actor=actor)


# --- Objections -----------------------------------------------------------------------------------


class ObjectionFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Objection.Status.choices, empty_label=_("All statuses")
    )
    subject = django_filters.ChoiceFilter(
        label=_("What is contested"), choices=Objection.Subject.choices, empty_label=_("All")
    )
    lodged = DateRangeFilter(label=_("Lodged between"), field_name="submitted_at")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("submitted_at", "lodged"), ("status", "status"), ("institution__name", "institution")),
        field_labels={"submitted_at": _("Lodged"), "institution__name": _("Institution")},
    )

    def narrow(self) -> None:
        _township_choices(self, _townships(Objection.objects.visible_to(self.actor), "institution__township"))


OBJECTION_COLUMNS = [
    ("机构名称", 36, lambda o: o.institution.name),
    ("乡镇（街道）", 14, lambda o: o.institution.township.name),
    ("申辩事项", 24, lambda o: o.get_subject_display()),
    ("年审年度", 10, lambda o: o.review.cycle.year if o.review_id else ""),
    ("提出时间", 18, lambda o: _local(o.submitted_at)),
    ("答复部门", 20, lambda o: o.department.name),
    ("状态", 14, lambda o: o.get_status_display()),
    ("答复时间", 18, lambda o: _local(o.answered_at)),
]


def _objections(actor):
    # Departments open it too: each answers the objections to its own decisions.
    if not policy.organisations_of(actor):
        raise PermissionDenied
    return objection_selectors.objection_list(actor=actor)


# --- Case decisions about the institution ---------------------------------------------------------


class CaseDecisionFilterSet(ListFilterSet):
    """Decisions about the user's own institutions: the notice's fields only (rule 37)."""

    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    status = django_filters.ChoiceFilter(
        label=_("Decision"), choices=[(s.value, s.label) for s in Case.SANCTIONS], empty_label=_("All decisions")
    )
    decided = DateRangeFilter(label=_("Decided between"), field_name="decision_date")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("decision_date", "decided"), ("objection_deadline", "deadline"), ("status", "status")),
        field_labels={"decision_date": _("Date of the decision"), "objection_deadline": _("Last day to object")},
    )

    def narrow(self) -> None:
        _township_choices(
            self, _townships(objection_selectors.case_notice_list(actor=self.actor), "institution__township")
        )


CASE_DECISION_COLUMNS = [
    ("决定", 10, lambda c: c.get_status_display()),
    ("文书编号", 24, lambda c: c.decision_number),
    ("机构名称", 36, lambda c: c.institution.name),
    ("作出决定部门", 20, lambda c: c.decision_department.name if c.decision_department_id else ""),
    ("决定日期", 12, lambda c: c.decision_date or ""),
    ("申辩截止日期", 12, lambda c: c.objection_deadline or ""),
    ("生效时间", 18, lambda c: _local(c.in_force_at)),
]


def _case_decisions(actor):
    if not rules.is_institution_member(actor):
        raise PermissionDenied
    return objection_selectors.case_notice_list(actor=actor)


LISTS = [
    ListSpec(
        name="complaints", title="投诉举报", list_url="complaint_list", base=_complaints,
        filterset=ComplaintFilterSet, columns=COMPLAINT_COLUMNS,
    ),
    ListSpec(
        name="incidents", title="突发事件报告", list_url="incident_list", base=_incidents,
        filterset=IncidentFilterSet, columns=INCIDENT_COLUMNS,
    ),
    ListSpec(
        name="spot_check_plans", title="双随机抽查计划", list_url="spot_check_plan_list", base=_spot_check_plans,
        filterset=SpotCheckPlanFilterSet, columns=SPOT_CHECK_PLAN_COLUMNS,
    ),
    ListSpec(
        name="spot_check_tasks", title="双随机抽查任务", list_url="spot_check_task_list", base=_spot_check_tasks,
        filterset=SpotCheckTaskFilterSet, columns=SPOT_CHECK_TASK_COLUMNS,
    ),
    ListSpec(
        name="risk", title="机构风险等级", list_url="risk_list", base=_risk_scores, filterset=RiskFilterSet,
        columns=RISK_COLUMNS,
    ),
    ListSpec(
        name="objections", title="陈述申辩", list_url="objection_list", base=_objections,
        filterset=ObjectionFilterSet, columns=OBJECTION_COLUMNS,
    ),
    ListSpec(
        name="case_decisions", title="处罚决定", list_url="case_decision_list", base=_case_decisions,
        filterset=CaseDecisionFilterSet, columns=CASE_DECISION_COLUMNS,
    ),
]  # fmt: skip
