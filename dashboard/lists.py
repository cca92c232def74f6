"""The periodic reports' list (``accounts.lists``): one filter set for the report page, its
Excel export and the report API, so the three agree by construction.

Region choices are the city and the townships in the user's sight, so a foreign township is a
bad value (a message on the page, 400 on the API), not an empty list.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.lists import DateRangeFilter, ListFilterSet, ListSpec, SortFilter
from dashboard import rules, selectors
from dashboard.models import PeriodicReport


class ReportFilterSet(ListFilterSet):
    region = django_filters.ChoiceFilter(label=_("Region"), field_name="region__code")
    # The dashboards' click-through names the township (``?township=<code>``): the same choices.
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="region__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PeriodicReport.Status.choices, empty_label=_("All statuses")
    )
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100, decimal_places=0)
    submitted = DateRangeFilter(label=_("Submitted between"), field_name="submitted_at")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("year", "year"), ("region__code", "region"), ("status", "status"), ("submitted_at", "submitted")),
        field_labels={"region__code": _("Region"), "submitted_at": _("Submitted")},
    )
    hidden = frozenset({"sort", "township"})

    def narrow(self) -> None:
        regions = [(r.code, r.name) for r in selectors.report_region_choices(actor=self.actor)]
        self.set_choices("region", regions, empty_label=_("All regions"))
        self.set_choices("township", regions, empty_label=_("All regions"))


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


REPORT_COLUMNS = [
    ("区域", 16, lambda r: r.region.name),
    ("年度", 8, lambda r: r.year),
    ("版本", 6, lambda r: r.version),
    ("状态", 14, lambda r: r.get_status_display()),
    ("填报单位", 28, lambda r: r.organisation.name),
    ("数据来源", 30, lambda r: r.source),
    ("提交时间", 18, lambda r: _local(r.submitted_at)),
    ("审核时间", 18, lambda r: _local(r.decided_at)),
    ("审核人", 12, lambda r: str(r.decided_by) if r.decided_by_id else ""),
]


def _reports(actor):
    if not rules.may_read_reports(actor):
        raise PermissionDenied(rules.SUBMIT_DUTY)
    return selectors.report_list(actor=actor).order_by("-year", "region__code", "-version", "-pk")


LISTS = [
    ListSpec(
        name="reports", title="指标报表", list_url="report_list", base=_reports, filterset=ReportFilterSet,
        columns=REPORT_COLUMNS,
    ),
]  # fmt: skip
