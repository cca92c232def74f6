"""The roster's list (``accounts.lists``): one filter set for the staff page, its Excel export
and the staff API, so the three agree by construction."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.lists import DateRangeFilter, ListFilterSet, ListSpec, SortFilter
from paperwork import bounds
from registry import selectors as registry_selectors
from registry.forms.pickers import InstitutionPickerField
from training import rules, selectors
from training.exports.programmes import PROGRAMME_COLUMNS
from training.exports.staff import DUPLICATE_COLUMN, STAFF_COLUMNS
from training.models import Certificate, StaffMember, TrainingProgramme, WorkforceImportJob

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


# --- Certificates -----------------------------------------------------------------------------

# "Rejected" alone is a filing's decision in the catalogue: a certificate's has a context.
CERTIFICATE_STATUSES = [
    (Certificate.Status.PENDING, Certificate.Status.PENDING.label),
    (Certificate.Status.VERIFIED, Certificate.Status.VERIFIED.label),
    (Certificate.Status.REJECTED, pgettext_lazy("certificate", "Rejected")),
    ("all", _("All")),
]


class CertificateFilterSet(ListFilterSet):
    """The certificates' queue. Every status unless one is asked (the HR bureau's page opens on
    the pending ones by putting ``status=pending`` in its URL)."""

    township = django_filters.ChoiceFilter(label=_("Township"), field_name="staff__institution__township__code")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CERTIFICATE_STATUSES, empty_label=_("All"), method="filter_status"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind of certificate"), field_name="kind__code")
    recorded = DateRangeFilter(label=_("Recorded between"), field_name="created_at")
    expires = DateRangeFilter(label=_("Valid until between"), field_name="expires_on")
    staff = django_filters.NumberFilter(
        label=_("Staff member"), field_name="staff_id", min_value=1, max_value=bounds.ID_MAX, decimal_places=0
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("created_at", "recorded"), ("staff__name", "name"), ("issued_on", "issued"),
            ("expires_on", "expires"), ("status", "status"),
        ),
        field_labels={"created_at": _("Recorded on"), "staff__name": _("Staff member"), "issued_on": _("Issued on"),
                      "expires_on": _("Valid until")},
    )  # fmt: skip
    hidden = frozenset({"sort", "staff"})

    def narrow(self) -> None:
        townships = registry_selectors.institution_township_choices(actor=self.actor)
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        kinds = selectors.certificate_kinds(actor=self.actor, active_only=False).order_by("order", "code")
        self.set_choices("kind", [(k.code, k.name) for k in kinds], empty_label=_("All kinds"))
        if len(townships) < 2:
            self.hidden = self.hidden | {"township"}

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)


def _date(day) -> str:
    return day.strftime("%Y-%m-%d") if day else ""


CERTIFICATE_COLUMNS = [
    ("姓名", 12, lambda c: c.staff.name),
    ("机构名称", 36, lambda c: c.staff.institution.name),
    ("乡镇（街道）", 14, lambda c: c.staff.institution.township.name),
    ("证书类别", 16, lambda c: c.kind.name),
    ("等级", 8, lambda c: c.level),
    ("证书编号", 24, lambda c: c.number),
    ("发证机关", 24, lambda c: c.issuer),
    ("发证日期", 12, lambda c: _date(c.issued_on)),
    ("有效期至", 12, lambda c: _date(c.expires_on)),
    ("登记日期", 12, lambda c: _date(timezone.localtime(c.created_at))),
    ("状态", 10, lambda c: c.get_status_display()),
    ("核验意见", 30, lambda c: c.verification_note),
]


def _certificates(actor):
    return selectors.certificate_queue(actor=actor, status="")


# --- Training programmes ---------------------------------------------------------------------


class ProgrammeFilterSet(ListFilterSet):
    """Programmes are facts every member sees (policy rule 24), and so are the areas they serve:
    every township is a choice, and a programme "in" a township is one serving it or a place in it."""

    township = django_filters.ChoiceFilter(label=_("Township"), field_name="region__code", method="filter_township")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=TrainingProgramme.Kind.choices, empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TrainingProgramme.Status.choices, empty_label=_("All statuses")
    )
    organiser = django_filters.ChoiceFilter(label=_("Organiser"), field_name="organiser_id")
    starts = DateRangeFilter(label=_("Starts between"), field_name="starts_on")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("title", "title"), ("starts_on", "starts"), ("status", "status"),
            ("participant_count", "participants"),
        ),
        field_labels={"title": _("Programme"), "starts_on": _("Starts on"), "participant_count": _("Participants")},
    )  # fmt: skip

    def narrow(self) -> None:
        townships = selectors.programme_township_choices()
        self.set_choices("township", [(t.code, t.name) for t in townships], empty_label=_("All townships"))
        organisers = selectors.programme_organisers(actor=self.actor)
        self.set_choices("organiser", [(str(o.pk), o.name) for o in organisers], empty_label=_("All organisers"))

    def filter_township(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value)


def _programmes(actor):
    # Explicit: a model's default ordering is not applied to a query that aggregates.
    return selectors.programme_list(actor=actor).order_by("-starts_on", "title", "pk")


# --- Workforce import jobs --------------------------------------------------------------------


class ImportJobFilterSet(ListFilterSet):
    """The user's own imports (policy rule 29): each into its own institution or programme, so
    no township to choose."""

    kind = django_filters.ChoiceFilter(label=_("Holds"), choices=WorkforceImportJob.Kind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=WorkforceImportJob.Status.choices, empty_label=_("All statuses")
    )
    uploaded = DateRangeFilter(label=_("Uploaded between"), field_name="created_at")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(("created_at", "uploaded"), ("original_name", "file"), ("kind", "kind"), ("status", "status")),
        field_labels={"created_at": _("Uploaded"), "original_name": _("File"), "kind": _("Holds")},
    )


def _import_target(job) -> str:
    return job.programme.title if job.programme_id else job.institution.name if job.institution_id else ""


IMPORT_JOB_COLUMNS = [
    ("上传时间", 18, lambda j: timezone.localtime(j.created_at).strftime("%Y-%m-%d %H:%M")),
    ("文件名", 36, lambda j: j.original_name),
    ("导入内容", 12, lambda j: j.get_kind_display()),
    ("导入到", 36, _import_target),
    ("状态", 16, lambda j: j.get_status_display()),
    ("已导入行数", 10, lambda j: j.imported_rows),
    ("总行数", 10, lambda j: j.total_rows),
]


def _import_jobs(actor):
    return selectors.import_job_list(actor=actor)


# --- The roster -------------------------------------------------------------------------------


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
    ListSpec(
        name="certificates", title="从业人员证书", list_url="certificate_queue", base=_certificates,
        filterset=CertificateFilterSet, columns=CERTIFICATE_COLUMNS,
    ),
    ListSpec(
        name="programmes", title="培训项目", list_url="programme_list", base=_programmes,
        filterset=ProgrammeFilterSet, columns=PROGRAMME_COLUMNS,
    ),
    ListSpec(
        name="training_imports", title="培训与从业人员导入记录", list_url="training_import_list",
        base=_import_jobs, filterset=ImportJobFilterSet, columns=IMPORT_JOB_COLUMNS,
    ),
]  # fmt: skip
