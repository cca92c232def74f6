"""The roster's list (``accounts.lists``): one filter set for the staff page, its Excel export
and the staff API, so the three agree by construction."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.lists import DateRangeFilter, ListFilterSet, ListSpec, SortFilter
from registry.forms.pickers import InstitutionPickerField
from training import rules, selectors
from training.exports.staff import DUPLICATE_COLUMN, STAFF_COLUMNS
from training.models import StaffMember

STAFF_STATUSES = [("active", _("Active")), ("left", _("Left")), ("all", _("All"))]


class InstitutionFilter(django_filters.Filter):
    """An institution id among those whose roster the user sees (else an error)."""

    field_class = InstitutionPickerField


class StaffFilterSet(ListFilterSet):
    institution = InstitutionFilter(label=_("Institution"), empty_label=_("All institutions"))
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=StaffMember.Role.choices, empty_label=_("All roles"))
    # Employed today unless asked otherwise (an empty value too): applied in ``filter_queryset``.
    status = django_filters.ChoiceFilter(
        label=_("Employment"), choices=STAFF_STATUSES, empty_label=None, method="filter_nothing"
    )
    hired = DateRangeFilter(label=_("Hired between"), field_name="hired_on")
    q = django_filters.CharFilter(label=_("Full name"), method="filter_text", max_length=64)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("hired_on", "hired"), ("role", "role")),
        field_labels={"name": _("Full name"), "hired_on": _("Hired on"), "role": _("Role")},
    )

    def narrow(self) -> None:
        institutions = selectors.roster_institutions(actor=self.actor)
        self.filters["institution"].extra["queryset"] = institutions
        townships = selectors.roster_townships(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        # Only what narrows something is offered: one institution needs no institution filter.
        hidden = {"sort"}
        if len(institutions.values_list("pk", flat=True)[:2]) < 2:
            hidden.add("institution")
        if len(townships) < 2:
            hidden.add("township")
        self.hidden = frozenset(hidden)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        return queryset.filter(selectors.staff_text_condition(value.strip())) if value.strip() else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status") or "active"
        active = StaffMember.active_q(timezone.localdate())
        if status == "active":
            return queryset.filter(active)
        if status == "left":
            return queryset.exclude(active)
        return queryset


def _staff(actor):
    return selectors.staff_list(actor=actor, active=None)


def _columns(actor):
    """The duplicate-employment column only for those who may see the flag (the health bureau)."""
    return [*STAFF_COLUMNS, DUPLICATE_COLUMN] if rules.may_see_duplicates(actor) else STAFF_COLUMNS


LISTS = [
    ListSpec(
        name="staff", title="从业人员名册", list_url="staff_list", base=_staff, filterset=StaffFilterSet,
        columns=_columns,
    ),
]  # fmt: skip
