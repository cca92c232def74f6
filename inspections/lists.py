"""The inspections' lists (``accounts.lists``): the rectification orders, the annual reviews, the
cases against unregistered or unsafe providers, the findings and the revocation referrals, one
filter set each for the page, its Excel export and the API, so the three agree by construction."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.lists import DateRangeFilter, FlagFilter, ListFilterSet, ListSpec, SortFilter
from inspections import rules, selectors
from inspections.exports.enforcement import CASE_COLUMNS, ORDER_COLUMNS, REFERRAL_COLUMNS
from inspections.exports.findings import FINDING_COLUMNS
from inspections.exports.reviews import REVIEW_COLUMNS
from inspections.forms.findings import SUPERVISION_LABEL
from inspections.forms.reviews import RESULT_CHOICES, REVIEW_STATUS_LABELS, SELF_REPORT_CHOICES
from inspections.models import Area, Case, Finding, RectificationOrder, RevocationReferral
from inspections.selectors.enforcement import case_overdue_condition, order_overdue_condition
from registry import selectors as registry_selectors
from registry.models import Institution


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


# --- Annual reviews ------------------------------------------------------------------------------


class ReviewFilterSet(ListFilterSet):
    """Years and townships are those of the reviews the user sees, so a foreign township is a
    bad value, not an empty list."""

    year = django_filters.ChoiceFilter(label=_("Year"), field_name="cycle__year")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=list(REVIEW_STATUS_LABELS.items()), empty_label=_("All statuses")
    )
    result = django_filters.ChoiceFilter(
        label=_("Decision"), choices=RESULT_CHOICES[1:], empty_label=RESULT_CHOICES[0][1], method="filter_result"
    )
    self_report = django_filters.ChoiceFilter(
        label=_("Self-report"), choices=SELF_REPORT_CHOICES[1:], empty_label=SELF_REPORT_CHOICES[0][1],
        method="filter_self_report",
    )  # fmt: skip
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    provider_type = django_filters.ChoiceFilter(
        label=_("Provider type"),
        field_name="institution__provider_type",
        empty_label=_("All"),
        choices=Institution.ProviderType.choices,
    )
    decided = DateRangeFilter(label=_("Decided between"), field_name="decided_at")
    q = django_filters.CharFilter(label=_("Institution name or credit code"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("institution__name", "institution"), ("institution__township__code", "township"),
            ("cycle__year", "year"), ("status", "status"), ("decided_at", "decided"),
        ),
        field_labels={"institution__name": _("Institution"), "institution__township__code": _("Township"),
                      "cycle__year": _("Year"), "decided_at": _("Decided on")},
    )  # fmt: skip

    def narrow(self) -> None:
        years = selectors.cycle_years(actor=self.actor)
        self.set_choices("year", [(str(year), str(year)) for year in years], empty_label=_("All years"))
        townships = selectors.review_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_result(self, queryset, name, value):
        return selectors.reviews_with_result(queryset, value)

    def filter_self_report(self, queryset, name, value):
        return selectors.reviews_with_self_report(queryset, value)

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(institution__name__icontains=text) | Q(institution__credit_code__icontains=text))


# --- Cases against unregistered or unsafe providers ---------------------------------------------


class CaseFilterSet(ListFilterSet):
    """Townships are those where the user handles cases (its own, or every one for the health
    bureau), so a foreign township is a bad value, not an empty list."""

    auto_id = "filter-%s"  # the ids the case page has always had
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="township__code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices, empty_label=_("All statuses"))
    overdue = FlagFilter(label=_("Only cases past their deadline"), method="filter_overdue")
    found = DateRangeFilter(label=_("Found between"), field_name="found_on")
    q = django_filters.CharFilter(label=_("Provider or place"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("found_on", "found"), ("deadline", "deadline"), ("status", "status"), ("township__code", "township")),
        field_labels={"found_on": _("Found on"), "deadline": _("Deadline"), "township__code": _("Township")},
    )

    def narrow(self) -> None:
        townships = list(selectors.case_townships(actor=self.actor))
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        if len(townships) < 2:
            self.hidden = self.hidden | {"township"}

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(case_overdue_condition(today=timezone.localdate())) if value else queryset

    def filter_text(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(provider_name__icontains=text) | Q(place__icontains=text)) if text else queryset


# --- Findings ------------------------------------------------------------------------------------


class FindingFilterSet(ListFilterSet):
    """Townships are those of the institutions the user sees, so a foreign township is a bad
    value, not an empty list. ``passed`` reads yes/no as the page has always sent it, and
    true/false as the API has."""

    auto_id = "filter-%s"  # the ids the finding page has always had
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    area = django_filters.ChoiceFilter(
        label=_("Area"), choices=[*Area.choices, (Finding.SUPERVISION, SUPERVISION_LABEL)], empty_label=_("All areas")
    )
    passed = FlagFilter(
        label=_("Result"),
        field_name="passed",
        widget=forms.Select(choices=[("", _("All results")), ("yes", _("Passed")), ("no", _("Failed"))]),
    )
    inspected = DateRangeFilter(label=_("Inspected between"), field_name="inspected_on")
    q = django_filters.CharFilter(label=_("Institution"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("institution__name", "institution"), ("institution__township__code", "township"), ("area", "area"),
            ("inspected_on", "inspected"), ("passed", "passed"),
        ),
        field_labels={"institution__name": _("Institution"), "institution__township__code": _("Township"),
                      "area": _("Area"), "inspected_on": _("Date of inspection"), "passed": _("Result")},
    )  # fmt: skip

    def narrow(self) -> None:
        townships = registry_selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(institution__name__icontains=text) | Q(institution__credit_code__icontains=text))


def _findings(actor):
    return selectors.finding_list(actor=actor)


# --- Revocation referrals ------------------------------------------------------------------------


class ReferralFilterSet(ListFilterSet):
    """Townships and authorities are those of the referrals the user sees, so a foreign one is a
    bad value, not an empty list; a filter with a single choice is not offered."""

    auto_id = "filter-%s"  # the ids the referral page has always had
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    authority = django_filters.ChoiceFilter(label=_("Registration authority"), field_name="authority__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RevocationReferral.Status.choices, empty_label=_("All statuses")
    )
    raised = DateRangeFilter(label=_("Referred between"), field_name="raised_at")
    q = django_filters.CharFilter(label=_("Institution"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("institution__name", "institution"), ("institution__township__code", "township"),
            ("authority__code", "authority"), ("raised_at", "raised"), ("status", "status"),
        ),
        field_labels={"institution__name": _("Institution"), "institution__township__code": _("Township"),
                      "authority__code": _("Registration authority"), "raised_at": _("Referred")},
    )  # fmt: skip

    def narrow(self) -> None:
        townships = selectors.referral_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        authorities = selectors.referral_authority_choices(actor=self.actor)
        self.set_choices("authority", [(a.code, a.name) for a in authorities], empty_label=_("All authorities"))
        self.hidden = self.hidden | {name for name, few in (("township", townships), ("authority", authorities))
                                     if len(few) < 2}  # fmt: skip

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(institution__name__icontains=text) | Q(institution__credit_code__icontains=text))


def _referrals(actor):
    return selectors.referral_list(actor=actor)


def _cases(actor):
    if not rules.can_see_cases(actor):  # rule 21: cases are for holders of ``case.manage``
        raise PermissionDenied(rules.CASE_DUTY)
    return selectors.case_list(actor=actor)


def _reviews(actor):
    return selectors.review_list(actor=actor)


def _orders(actor):
    return selectors.order_list(actor=actor)


LISTS = [
    ListSpec(
        name="orders", title="整改通知书", list_url="order_list", base=_orders, filterset=OrderFilterSet,
        columns=ORDER_COLUMNS,
    ),
    ListSpec(
        name="reviews", title="年审名单", list_url="review_list", base=_reviews, filterset=ReviewFilterSet,
        columns=REVIEW_COLUMNS,
    ),
    ListSpec(
        name="cases", title="无证及不安全托育点查处", list_url="case_list", base=_cases, filterset=CaseFilterSet,
        columns=CASE_COLUMNS,
    ),
    ListSpec(
        name="findings", title="检查结果", list_url="finding_list", base=_findings, filterset=FindingFilterSet,
        columns=FINDING_COLUMNS,
    ),
    ListSpec(
        name="referrals", title="收回登记建议", list_url="referral_list", base=_referrals,
        filterset=ReferralFilterSet, columns=REFERRAL_COLUMNS,
    ),
]  # fmt: skip
