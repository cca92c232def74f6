"""The rectification orders' list (``accounts.lists``): one filter set for the page, its Excel
export and the API, so the three agree by construction."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.lists import DateRangeFilter, FlagFilter, ListFilterSet, ListSpec, SortFilter
from inspections import selectors
from inspections.exports.enforcement import ORDER_COLUMNS
from inspections.models import RectificationOrder
from inspections.selectors.enforcement import order_overdue_condition
from registry import selectors as registry_selectors


class OrderFilterSet(ListFilterSet):
    auto_id = "filter-%s"  # the ids the order page has always had
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RectificationOrder.Status.choices, empty_label=_("All statuses")
    )
    overdue = FlagFilter(label=_("Only orders past their deadline"), method="filter_overdue")
    issued = DateRangeFilter(label=_("Issued between"), field_name="issued_at")
    deadline = DateRangeFilter(label=_("Deadline between"), field_name="deadline")
    q = django_filters.CharFilter(label=_("Institution or order number"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("issued_at", "issued"), ("deadline", "deadline"), ("status", "status")),
        field_labels={"issued_at": _("Issued"), "deadline": _("Deadline")},
    )

    def narrow(self) -> None:
        townships = registry_selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(order_overdue_condition(today=timezone.localdate())) if value else queryset

    def filter_text(self, queryset, name, value):
        return queryset.filter(selectors.order_text_condition(value.strip())) if value.strip() else queryset


def _orders(actor):
    return selectors.order_list(actor=actor)


LISTS = [
    ListSpec(
        name="orders", title="整改通知书", list_url="order_list", base=_orders, filterset=OrderFilterSet,
        columns=ORDER_COLUMNS,
    ),
]  # fmt: skip
