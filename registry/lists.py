"""The registry's lists (``accounts.lists``): one filter set each for the page, the Excel export
and the API, so the three agree by construction.

Township choices are the townships in the user's sight, so a foreign township is a bad value
(a message on the page, 400 on the API), not an empty list. Sorting offers the list's columns;
the default order is the selector's.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.lists import FILTER_DATES, DateRangeFilter, FlagFilter, ListFilterSet, ListSpec, SortFilter
from registry import rules, selectors, slots
from registry.exports.institutions import INSTITUTION_COLUMNS
from registry.models import Filing, GuidanceSite, ImportJob, Institution, Registration, ResidentialArea
from registry.selectors.filings import filing_late_condition, filing_overdue_condition

YES_NO_WIDGET = forms.Select(choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))])


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --- Filings ----------------------------------------------------------------------------------


class FilingFilterSet(ListFilterSet):
    auto_id = "filter-%s"  # the ids the filing page has always had
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    provider_type = django_filters.ChoiceFilter(
        label=_("Provider type"), field_name="institution__provider_type", choices=Institution.ProviderType.choices,
        empty_label=_("All"),
    )  # fmt: skip
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Filing.Kind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Filing.Status.choices, empty_label=_("All statuses")
    )
    submitted = DateRangeFilter(label=_("Submitted between"), field_name="submitted_at")
    overdue = FlagFilter(label=_("Only reviews past the time limit"), method="filter_overdue")
    # The dashboard's 备案按时办结率 links here: decided late this year or waiting past the limit.
    late = FlagFilter(
        label=_("Only filings decided late this year or waiting past the time limit"), method="filter_late"
    )
    q = django_filters.CharFilter(
        label=_("Institution name"), field_name="institution__name", lookup_expr="icontains", max_length=100
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("submitted_at", "submitted"), ("due_on", "due"), ("created_at", "created"), ("status", "status")),
        field_labels={"submitted_at": _("Submitted"), "due_on": _("Review due by"), "created_at": _("Created")},
    )

    def narrow(self) -> None:
        townships = selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(filing_overdue_condition(today=timezone.localdate())) if value else queryset

    def filter_late(self, queryset, name, value):
        return queryset.filter(filing_late_condition(day=timezone.localdate())) if value else queryset


FILING_COLUMNS = [
    ("机构名称", 36, lambda f: f.institution.name),
    ("统一社会信用代码", 22, lambda f: f.institution.credit_code),
    ("乡镇（街道）", 14, lambda f: f.institution.township.name),
    ("机构类型", 16, lambda f: f.institution.get_provider_type_display()),
    ("备案类型", 12, lambda f: f.get_kind_display()),
    ("状态", 14, lambda f: f.get_status_display()),
    ("提交次数", 8, lambda f: f.submissions),
    ("提交时间", 18, lambda f: _local(f.submitted_at)),
    ("审核期限", 12, lambda f: f.due_on or ""),
    ("办结时间", 18, lambda f: _local(f.decided_at)),
    ("备案号", 24, lambda f: f.number),
]


# --- Institutions -----------------------------------------------------------------------------


class InstitutionFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="township__code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Institution.Status.choices, empty_label=_("All"))
    filing_status = django_filters.ChoiceFilter(
        label=_("Filing status"), choices=Institution.FilingStatus.choices, empty_label=_("All")
    )
    provider_type = django_filters.ChoiceFilter(
        label=_("Provider type"), choices=Institution.ProviderType.choices, empty_label=_("All")
    )
    inclusive = FlagFilter(label=_("Inclusive (普惠)"), widget=YES_NO_WIDGET)
    demonstration = FlagFilter(label=_("Demonstration (示范)"), widget=YES_NO_WIDGET)
    # The dashboard's "new" figures link here with their baseline (opened on or after it).
    opened_since = django_filters.DateFilter(
        label=_("Opened on or after"), field_name="opened_on", lookup_expr="gte", validators=[FILTER_DATES],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    opened = DateRangeFilter(label=_("Opened between"), field_name="opened_on")
    text = django_filters.CharFilter(label=_("Name, credit code or address"), method="filter_text", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("opened_on", "opened"), ("status", "status"), ("filing_status", "filing_status")),
        field_labels={"name": _("Name"), "opened_on": _("Opened on"), "filing_status": _("Filing status")},
    )

    def narrow(self) -> None:
        townships = selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_text(self, queryset, name, value):
        return queryset.filter(selectors.institution_text_condition(value.strip())) if value.strip() else queryset


# --- Registrations and the unfiled queue -------------------------------------------------------


class RegistrationFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="institution__township__code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Registration.Status.choices, empty_label=_("All"))
    legal_form = django_filters.ChoiceFilter(
        label=_("Legal form"), choices=Institution.LegalForm.choices, empty_label=_("All")
    )
    registered = DateRangeFilter(label=_("Registered between"), field_name="registered_on")
    text = django_filters.CharFilter(
        label=_("Name, credit code or certificate number"), method="filter_text", max_length=100
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("registered_on", "registered"), ("status", "status")),
        field_labels={"registered_on": _("Registration date")},
    )

    def narrow(self) -> None:
        townships = selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_text(self, queryset, name, value):
        return queryset.filter(selectors.registration_text_condition(value.strip())) if value.strip() else queryset


REGISTRATION_COLUMNS = [
    ("机构名称", 36, lambda r: r.institution.name),
    ("统一社会信用代码", 22, lambda r: r.institution.credit_code),
    ("乡镇（街道）", 14, lambda r: r.institution.township.name),
    ("法人类型", 16, lambda r: r.get_legal_form_display()),
    ("登记机关", 20, lambda r: r.authority.name),
    ("登记证号", 24, lambda r: r.certificate_number),
    ("登记日期", 12, lambda r: r.registered_on),
    ("状态", 10, lambda r: r.get_status_display()),
    ("撤销日期", 12, lambda r: r.revoked_on or ""),
    ("来源", 10, lambda r: r.get_source_display()),
]


class UnfiledFilterSet(ListFilterSet):
    township = django_filters.ChoiceFilter(label=_("Township"), field_name="township__code")
    provider_type = django_filters.ChoiceFilter(
        label=_("Provider type"), choices=Institution.ProviderType.choices, empty_label=_("All")
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("Legal form"), choices=Institution.LegalForm.choices, empty_label=_("All")
    )
    registered = DateRangeFilter(label=_("Registered between"), field_name="registered_on")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("registered_on", "registered"), ("name", "name")),
        field_labels={"registered_on": _("Registration date"), "name": _("Name")},
    )

    def narrow(self) -> None:
        townships = selectors.township_list(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))


UNFILED_COLUMNS = [
    ("机构名称", 36, lambda i: i.name),
    ("统一社会信用代码", 22, lambda i: i.credit_code),
    ("乡镇（街道）", 14, lambda i: i.township.name),
    ("法人类型", 16, lambda i: i.get_legal_form_display()),
    ("机构类型", 16, lambda i: i.get_provider_type_display()),
    ("登记日期", 12, lambda i: i.registered_on),
    ("登记后天数", 10, lambda i: (timezone.localdate() - i.registered_on).days),
]


# --- The guidance network ---------------------------------------------------------------------

SITE_STATES = [("open", _("Site in service")), ("closed", _("Site closed"))]


class GuidanceSiteFilterSet(ListFilterSet):
    level = django_filters.ChoiceFilter(label=_("Level"), choices=GuidanceSite.Level.choices, empty_label=_("All"))
    township = django_filters.ChoiceFilter(label=_("Township"), method="filter_township")
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=SITE_STATES, empty_label=_("All"), method="filter_state"
    )
    opened = DateRangeFilter(label=_("Opened between"), field_name="opened_on")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("opened_on", "opened")),
        field_labels={"name": _("Name"), "opened_on": _("Opening date")},
    )
    # The level has its own pills above the table.
    hidden = frozenset({"sort", "level"})

    def narrow(self) -> None:
        townships = selectors.guidance_site_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))

    def filter_township(self, queryset, name, value: str):
        return queryset.filter(selectors.guidance_site_township_condition(value))

    def filter_state(self, queryset, name, value):
        return queryset.filter(closed_on__isnull=value == "open")


GUIDANCE_SITE_COLUMNS = [
    ("名称", 36, lambda s: s.name),
    ("层级", 16, lambda s: s.get_level_display()),
    ("所在乡镇（街道）", 16, lambda s: s.region.parent.name if s.region.level == "village" else s.region.name),
    ("所在村（社区）", 16, lambda s: s.region.name if s.region.level == "village" else ""),
    ("地址", 36, lambda s: s.address),
    ("覆盖村（社区）数", 10, lambda s: s.villages_covered),
    ("设立日期", 12, lambda s: s.opened_on or ""),
    ("联系人", 12, lambda s: s.contact_name),
    ("联系电话", 16, lambda s: s.contact_phone),
    ("撤销日期", 12, lambda s: s.closed_on or ""),
]


# --- Residential areas and their care slots ----------------------------------------------------


class ResidentialAreaFilterSet(ListFilterSet):
    """Townships are those in the user's sight; the page's totals by township are made over the
    same filtered rows."""

    township = django_filters.ChoiceFilter(label=_("Township"), field_name="township__code")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of area"), choices=ResidentialArea.Kind.choices, empty_label=_("All")
    )
    recorded = DateRangeFilter(label=_("Recorded between"), field_name="created_at")
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"), ("township__code", "township"), ("population", "population"),
            ("planned_slots", "planned"),
        ),
        field_labels={"name": _("Name"), "township__code": _("Township"), "population": _("Population"),
                      "planned_slots": _("Planned slots")},
    )  # fmt: skip

    def narrow(self) -> None:
        townships = list(selectors.residential_area_township_choices(actor=self.actor))
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        if len(townships) < 2:
            self.hidden = self.hidden | {"township"}


def _area_slots(getter):
    """A column computed from the care-slot standard (the parameters read once per export)."""
    cache = {}

    def value(area):
        if "params" not in cache:
            cache["params"] = slots.slot_parameters()
        result = getter(area, cache["params"])
        return "" if result is None else result

    return value


def _residential_area_columns(actor):
    return [
        ("名称", 30, lambda a: a.name),
        ("乡镇（街道）", 14, lambda a: a.township.name),
        ("村（社区）", 16, lambda a: a.village.name),
        ("类型", 16, lambda a: a.get_kind_display()),
        ("人口", 10, lambda a: a.population),
        ("应配托位", 10, _area_slots(slots.required_slots)),
        ("规划托位", 10, lambda a: a.planned_slots),
        ("缺口", 10, _area_slots(slots.slot_gap)),
        ("备注", 30, lambda a: a.note),
    ]


def _residential_areas(actor):
    if not rules.can_view_residential_areas(actor):
        raise PermissionDenied(rules.PLANNING_DUTY)
    return selectors.residential_area_list(actor=actor)


def _guidance_sites(actor):
    return selectors.guidance_site_network(actor=actor, with_villages=True)


def _registrations(actor):
    rules.require_registration_sight(actor)
    return selectors.registration_list(actor=actor)


def _unfiled(actor):
    policy.require_duty(actor, "filing.review")
    return selectors.unfiled_institution_list(actor=actor)


def _filings(actor):
    return selectors.filing_queue(actor=actor).select_related("institution__township")


def _institutions(actor):
    return selectors.institution_list(actor=actor)


# --- Import jobs ------------------------------------------------------------------------------


class ImportJobFilterSet(ListFilterSet):
    """The organisation's imports (policy rule 15): no township, the jobs are the organisation's."""

    auto_id = "filter-%s"  # the upload form on the same page has its own ``kind``
    kind = django_filters.ChoiceFilter(label=_("Holds"), choices=ImportJob.Kind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ImportJob.Status.choices, empty_label=_("All statuses")
    )
    uploaded = DateRangeFilter(label=_("Uploaded between"), field_name="created_at")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("created_at", "uploaded"), ("original_name", "file"), ("kind", "kind"), ("status", "status")),
        field_labels={"created_at": _("Uploaded"), "original_name": _("File"), "kind": _("Holds")},
    )


IMPORT_JOB_COLUMNS = [
    ("上传时间", 18, lambda j: _local(j.created_at)),
    ("文件名", 36, lambda j: j.original_name),
    ("导入内容", 12, lambda j: j.get_kind_display()),
    ("上传人", 14, lambda j: str(j.created_by)),
    ("状态", 16, lambda j: j.get_status_display()),
    ("已导入行数", 10, lambda j: j.imported_rows),
    ("总行数", 10, lambda j: j.total_rows),
]


def _import_jobs(actor):
    if not rules.may_see_imports(actor):
        raise PermissionDenied("import.list")
    return selectors.import_job_list(actor=actor).order_by("-created_at", "-pk")


# --- The education bureau's approval of nursery classes -------------------------------------------


class NurseryClassFilterSet(ListFilterSet):
    """The queue opens on the classes waiting (the page's default status, kept in the URL)."""

    township = django_filters.ChoiceFilter(label=_("Township"), field_name="township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), field_name="education_approval", choices=Institution.EducationApproval.choices,
        empty_label=_("All statuses"),
    )  # fmt: skip
    created = DateRangeFilter(label=_("Created between"), field_name="created_at")
    q = django_filters.CharFilter(label=_("Institution"), field_name="name", lookup_expr="icontains", max_length=100)
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("name", "institution"), ("township__code", "township"), ("created_at", "created"),
                ("education_approval", "status")),
        field_labels={"name": _("Institution"), "township__code": _("Township"), "created_at": _("Created"),
                      "education_approval": _("Status")},
    )  # fmt: skip

    def narrow(self) -> None:
        townships = selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))


def _nursery_classes(actor):
    if not rules.can_approve_nursery_classes(actor=actor):
        raise PermissionDenied(rules.NURSERY_CLASS_DUTY)
    return selectors.nursery_class_list(actor=actor)


NURSERY_CLASS_COLUMNS = [
    ("机构名称", 36, lambda i: i.name),
    ("乡镇（街道）", 14, lambda i: i.township.name),
    ("村（社区）", 16, lambda i: i.village.name if i.village_id else ""),
    ("审批状态", 16, lambda i: i.get_education_approval_display()),
    ("创建时间", 16, lambda i: _local(i.created_at)),
]


LISTS = [
    ListSpec(
        name="filings", title="备案列表", list_url="filing_list", base=_filings, filterset=FilingFilterSet,
        columns=FILING_COLUMNS,
    ),
    ListSpec(
        name="institutions", title="托育机构名录", list_url="institution_list", base=_institutions,
        filterset=InstitutionFilterSet, columns=INSTITUTION_COLUMNS,
    ),
    ListSpec(
        name="registrations", title="登记信息", list_url="registration_list", base=_registrations,
        filterset=RegistrationFilterSet, columns=REGISTRATION_COLUMNS,
    ),
    ListSpec(
        name="unfiled", title="已登记未备案机构", list_url="unfiled_list", base=_unfiled,
        filterset=UnfiledFilterSet, columns=UNFILED_COLUMNS,
    ),
    ListSpec(
        name="guidance_sites", title="照护指导网络", list_url="guidance_site_list", base=_guidance_sites,
        filterset=GuidanceSiteFilterSet, columns=GUIDANCE_SITE_COLUMNS,
    ),
    ListSpec(
        name="residential_areas", title="居住区托位配置", list_url="residential_area_list",
        base=_residential_areas, filterset=ResidentialAreaFilterSet, columns=_residential_area_columns,
    ),
    ListSpec(
        name="imports", title="Excel导入记录", list_url="import_list", base=_import_jobs,
        filterset=ImportJobFilterSet, columns=IMPORT_JOB_COLUMNS,
    ),
    ListSpec(
        name="nursery_classes", title="托幼一体化审批", list_url="nursery_class_queue", base=_nursery_classes,
        filterset=NurseryClassFilterSet, columns=NURSERY_CLASS_COLUMNS,
    ),
]  # fmt: skip
