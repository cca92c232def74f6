"""Daily supervision's lists (``accounts.lists``): complaints and incidents, one filter set each
for the page, its Excel export and the API, so the three agree by construction.

Township choices are the townships of the rows the user sees, so a foreign township is a bad
value (a message on the page, 400 on the API), not an empty list.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.lists import DateRangeFilter, FlagFilter, ListFilterSet, ListSpec, SortFilter
from paperwork import bounds
from registry import selectors as registry_selectors
from registry.models import Region
from supervision import rules
from supervision.models import Complaint, Incident
from supervision.selectors import complaints as complaint_selectors
from supervision.selectors import incidents as incident_selectors


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


LISTS = [
    ListSpec(
        name="complaints", title="投诉举报", list_url="complaint_list", base=_complaints,
        filterset=ComplaintFilterSet, columns=COMPLAINT_COLUMNS,
    ),
    ListSpec(
        name="incidents", title="突发事件报告", list_url="incident_list", base=_incidents,
        filterset=IncidentFilterSet, columns=INCIDENT_COLUMNS,
    ),
]  # fmt: skip
