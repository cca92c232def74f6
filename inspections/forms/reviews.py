"""Input shapes of the annual-review pages: cycles, the review list's filters, the
institution's self-report (one form per section), the return of a report and the decision.

Business rules stay in ``inspections.services.cycles`` and ``inspections.services.decisions``:
these forms say what a well-formed request looks like and which words explain a bad one. The
self-report's sections are stored as plain JSON (``SelfReport.data``); each section form turns
its fields into that JSON and back, and says how to show it readably.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import style
from accounts.widgets import DateInput
from inspections.models import (
    AnnualReview,
    Area,
    ChecklistItem,
    Finding,
    RectificationOrder,
    ReviewCycle,
    SelfReport,
)
from inspections.services.cycles import SECTIONS
from paperwork import bounds, bulk
from registry.models import ClassGroup, FeeSchedule

TEXT_MAX = 2000
REASON_MAX = 4000
EXTRA_ITEMS = 5  # rows for items to rectify beyond the failed checklist items


# Status labels of the review pages. The models' "Open", "Closed", "Decided" and "Submitted" share
# their msgids with other meanings in the catalogue (查看, 已停办, 办结时间, 提交时间), so these
# pages say them with a context.
CYCLE_STATUS_LABELS = {
    ReviewCycle.Status.OPEN: pgettext_lazy("review cycle", "Open"),
    ReviewCycle.Status.CLOSED: pgettext_lazy("review cycle", "Closed"),
}
REVIEW_STATUS_LABELS = {
    **dict(AnnualReview.Status.choices),
    AnnualReview.Status.DECIDED: pgettext_lazy("annual review", "Decided"),
    AnnualReview.Status.CLOSED: pgettext_lazy("annual review", "Closed"),
}
REPORT_STATUS_LABELS = {
    **dict(SelfReport.Status.choices),
    SelfReport.Status.SUBMITTED: pgettext_lazy("self-report", "Submitted"),
}


def _count(label, help_text=""):
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=100000, help_text=help_text)


def _text(label, max_length=TEXT_MAX):
    return forms.CharField(label=label, required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": 2}))


def _date(label):
    return forms.DateField(label=label, required=False, widget=DateInput(), validators=[bounds.HAPPENED])


def _yes_no(value) -> str:
    return str(_("Yes") if value else _("No"))


def _shown(value) -> str:
    """A stored value as a reader sees it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    return str(value)


# --- The self-report --------------------------------------------------------------------


class SectionForm(forms.Form):
    """One section of the self-report. Plain sections keep their fields as ``{name: value}``
    (dates as ISO text, numbers as numbers, empty fields left out)."""

    section = ""
    title = ""

    def __init__(self, data=None, *, stored=None):
        super().__init__(data, prefix=self.section, initial=self.initial_from(stored))
        style(self)

    # stored JSON → the form's initial values
    def initial_from(self, stored) -> dict:
        stored = stored if isinstance(stored, dict) else {}
        initial = {}
        for name, field in self.base_fields.items():
            value = stored.get(name)
            if value is None:
                continue
            if isinstance(field, forms.DateField) and isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    continue
            initial[name] = value
        return initial

    # the cleaned form → stored JSON
    def to_data(self):
        data = {}
        for name, value in self.cleaned_data.items():
            if value is None or value == "":
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, str):
                value = value.strip()
            data[name] = value
        return data

    @classmethod
    def readable(cls, stored) -> list[tuple[str, str]]:
        """(label, value) rows of the stored section; keys no field knows are shown as they are."""
        stored = stored if isinstance(stored, dict) else {}
        rows = []
        for name, field in cls.base_fields.items():
            rows.append((str(field.label), _shown(stored.get(name))))
        rows.extend((str(key), _shown(value)) for key, value in stored.items() if key not in cls.base_fields)
        return rows


class EnrolmentForm(SectionForm):
    """Places, children enrolled and caregivers per age band: ``{band: {places, enrolled, caregivers}}``."""

    section = "enrolment"
    title = _("Enrolment by age band")
    COLUMNS = (("places", _("Places")), ("enrolled", _("Children enrolled")), ("caregivers", _("Caregivers")))

    def initial_from(self, stored) -> dict:
        stored = stored if isinstance(stored, dict) else {}
        initial = {}
        for band, values in stored.items():
            if isinstance(values, dict):
                for column, _label in self.COLUMNS:
                    if values.get(column) is not None:
                        initial[f"{band}_{column}"] = values[column]
        return initial

    def to_data(self):
        data = {}
        for band in ClassGroup.AgeBand.values:
            values = {column: self.cleaned_data.get(f"{band}_{column}") for column, _label in self.COLUMNS}
            if any(value is not None for value in values.values()):
                data[band] = {column: value or 0 for column, value in values.items()}
        return data

    def rows(self):
        """(age band, [its bound fields]) for a table of the form."""
        return [
            (label, [self[f"{band}_{column}"] for column, _label in self.COLUMNS])
            for band, label in ClassGroup.AgeBand.choices
        ]

    @classmethod
    def readable(cls, stored) -> list[tuple[str, str]]:
        stored = stored if isinstance(stored, dict) else {}
        labels = dict(ClassGroup.AgeBand.choices)
        order = {band: index for index, band in enumerate(labels)}
        rows = []
        for band, values in sorted(stored.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0])):
            if not isinstance(values, dict):
                continue
            text = str(_("%(places)s places, %(enrolled)s enrolled, %(caregivers)s caregivers")) % {
                column: _shown(values.get(column)) for column, _label in cls.COLUMNS
            }
            rows.append((str(labels.get(band, band)), text))
        return rows


# A field per age band and column, and per service mode, made once (labels stay lazy).
for _band, _band_label in ClassGroup.AgeBand.choices:
    for _column, _column_label in EnrolmentForm.COLUMNS:
        EnrolmentForm.base_fields[f"{_band}_{_column}"] = _count(format_lazy("{} · {}", _band_label, _column_label))


class StaffForm(SectionForm):
    section = "staff"
    title = _("Staff and certificates")
    total = _count(_("Staff in total"))
    caregivers = _count(_("Caregivers"))
    caregivers_certified = _count(_("Caregivers holding a caregiver certificate"))
    health_workers = _count(_("Health care staff"))
    cooks = _count(_("Cooks"))
    security_guards = _count(_("Security guards"))
    health_certificates = _count(_("Staff with a valid health certificate"))

    def clean(self):
        data = super().clean()
        total, caregivers = data.get("total"), data.get("caregivers")
        certified = data.get("caregivers_certified")
        if caregivers is not None and certified is not None and certified > caregivers:
            self.add_error("caregivers_certified", _("Cannot exceed the number of caregivers."))
        if total is not None:
            for name in ("caregivers", "health_workers", "cooks", "security_guards", "health_certificates"):
                if data.get(name) is not None and data[name] > total:
                    self.add_error(name, _("Cannot exceed the staff in total."))
        return data


class SafetyDrillsForm(SectionForm):
    section = "safety_drills"
    title = _("Safety and fire drills")
    held = _count(_("Drills held this year"))
    last = _date(_("Date of the last drill"))
    notes = _text(_("Notes"))

    def clean_last(self):
        value = self.cleaned_data["last"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("A drill held cannot be in the future."))
        return value


class HealthChecksForm(SectionForm):
    section = "health_checks"
    title = _("Health checks and disinfection")
    entry_checks = _count(_("Children with an entry health check"))
    daily_checks_kept = forms.BooleanField(label=_("Morning checks and all-day observation recorded"), required=False)
    disinfection_kept = forms.BooleanField(label=_("Disinfection records kept"), required=False)
    notes = _text(_("Notes"))


class IncidentsForm(SectionForm):
    section = "incidents"
    title = _("Incidents")
    count = _count(_("Incidents this year"))
    serious = _count(_("Of which serious (injury needing treatment)"))
    description = _text(_("What happened and what was done"))

    def clean(self):
        data = super().clean()
        count, serious = data.get("count"), data.get("serious")
        if count is not None and serious is not None and serious > count:
            self.add_error("serious", _("Cannot exceed the number of incidents."))
        if count and not (data.get("description") or "").strip():
            self.add_error("description", _("Describe the incidents."))
        return data


class FoodSafetyForm(SectionForm):
    section = "food_safety"
    title = _("Food safety")
    meals_served = forms.BooleanField(label=_("Serves meals"), required=False)
    licence_number = forms.CharField(label=_("Food business licence number"), required=False, max_length=64)
    samples_kept = forms.BooleanField(label=_("Food samples kept 48 hours"), required=False)
    notes = _text(_("Notes"))


class FeesForm(SectionForm):
    """Fees charged per service mode: ``[{"service_mode", "amount"}]`` (the registry's shape)."""

    section = "fees"
    title = _("Fees charged")

    def initial_from(self, stored) -> dict:
        rows = stored if isinstance(stored, list) else []
        return {
            row["service_mode"]: row.get("amount")
            for row in rows
            if isinstance(row, dict) and row.get("service_mode") in FeeSchedule.ServiceMode.values
        }

    def to_data(self):
        return [
            {"service_mode": mode, "amount": str(self.cleaned_data[mode].quantize(Decimal("0.01")))}
            for mode in FeeSchedule.ServiceMode.values
            if self.cleaned_data.get(mode) is not None
        ]

    @classmethod
    def readable(cls, stored) -> list[tuple[str, str]]:
        labels = dict(FeeSchedule.ServiceMode.choices)
        rows = stored if isinstance(stored, list) else []
        return [
            (str(labels.get(row.get("service_mode"), row.get("service_mode"))), _shown(row.get("amount")))
            for row in rows
            if isinstance(row, dict)
        ]


for _mode, _mode_label in FeeSchedule.ServiceMode.choices:
    FeesForm.base_fields[_mode] = forms.DecimalField(
        label=_mode_label, required=False, min_value=Decimal("0"), max_digits=9, decimal_places=2
    )


class ChangesForm(SectionForm):
    section = "changes"
    title = _("Changes since the filing")
    changed = forms.BooleanField(label=_("Something changed since the filing"), required=False)
    description = _text(_("What changed (premises, person in charge, classes, services)"))

    def clean(self):
        data = super().clean()
        if data.get("changed") and not (data.get("description") or "").strip():
            self.add_error("description", _("Say what changed."))
        return data


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form
    for form in (
        EnrolmentForm, StaffForm, SafetyDrillsForm, HealthChecksForm, IncidentsForm, FoodSafetyForm, FeesForm,
        ChangesForm,
    )
}  # fmt: skip
assert tuple(SECTION_FORMS) == SECTIONS, "one form per section of the self-report, in its order"


class SelfReportForms:
    """The section forms of one report, bound to a POST or filled from the stored report.

    A POST changes only the sections it carries (their fields' names start with the section's
    prefix), so a request editing one section leaves the others as they are."""

    def __init__(self, stored: dict, data=None):
        stored = stored or {}
        self.is_bound = data is not None
        present = {key.split("-", 1)[0] for key in data} if data is not None else set()
        self.forms = [
            form_class(data if section in present else None, stored=stored.get(section))
            for section, form_class in SECTION_FORMS.items()
        ]
        self.bound = [form for form in self.forms if form.is_bound]

    def __iter__(self):
        return iter(self.forms)

    def is_valid(self) -> bool:
        valid = [form.is_valid() for form in self.bound]  # every form validated, to show every error
        return all(valid)

    def data(self) -> dict:
        return {form.section: form.to_data() for form in self.bound}

    def errors(self) -> list[str]:
        messages = []
        for form in self.bound:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else form.title
                messages.extend(f"{form.title} · {label}: {error}" for error in errors)
        return messages


def self_report_readable(stored: dict) -> list[dict]:
    """The report's sections as a reader sees them: ``[{"section", "title", "rows"}]``."""
    stored = stored or {}
    return [
        {"section": section, "title": form_class.title, "rows": form_class.readable(stored.get(section))}
        for section, form_class in SECTION_FORMS.items()
    ]


class SelfReportReturnForm(forms.Form):
    # Required by the service, which says so in its own words.
    comment = forms.CharField(
        label=_("What must be corrected"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


# --- Cycles -----------------------------------------------------------------------------


class CycleOpenForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    self_report_due = forms.DateField(
        label=_("Self-reports due"), widget=DateInput(), validators=bounds.of(ReviewCycle, "self_report_due")
    )
    inspection_due = forms.DateField(
        label=_("Inspections due"), widget=DateInput(), validators=bounds.of(ReviewCycle, "inspection_due")
    )
    decision_due = forms.DateField(
        label=_("Decisions due"), widget=DateInput(), validators=bounds.of(ReviewCycle, "decision_due")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CycleCloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why it closes with undecided reviews"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


# --- The review list --------------------------------------------------------------------


SELF_REPORT_CHOICES = [
    ("", _("Any")),
    ("submitted", pgettext_lazy("self-report", "Submitted")),
    ("late", _("Submitted late")),
    ("not_submitted", _("Not submitted")),
    ("missing", _("Missing: past the due date")),
    ("returned", _("Returned with comments")),
]
RESULT_CHOICES = [
    ("", _("Any")),
    ("pass", _("Passed")),
    ("fail", _("Failed")),
    ("undecided", _("Not decided")),
]


# --- The decision -----------------------------------------------------------------------


class ReviewDecideForm(forms.Form):
    """Pass or fail with reasons; for a fail, the items to rectify — failed checklist items of
    the findings (checkboxes) and free items, each with its area — and a deadline. Whether a
    decision is complete is the service's to say (``review_decide``)."""

    result = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[(AnnualReview.Result.PASS, _("Pass")), (AnnualReview.Result.FAIL, _("Fail"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons"), required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    checklist_items = forms.MultipleChoiceField(
        label=_("Failed checklist items to rectify"), required=False, widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(
        label=_("Deadline for the rectification"),
        required=False,
        widget=DateInput(),
        validators=bounds.of(RectificationOrder, "deadline"),
    )

    def __init__(self, data=None, *, failed_items: list[dict], verdict=None):
        super().__init__(data)
        self.failed_items = {item["key"]: item for item in failed_items}
        severities = dict(ChecklistItem.Severity.choices)
        self.fields["checklist_items"].choices = [
            (item["key"], f"{Area(item['area']).label if item['area'] in Area.values else item['area']} · "
             f"{item['code']} {item['text']}" + (f" ({item['note']})" if item["note"] else "")
             + (f" · {severities[item['severity']]}" if item.get("severity") in severities else ""))
            for item in failed_items
        ]  # fmt: skip
        # What the severities of the failed checks allow (``services.severity``): only those
        # outcomes are offered, the rule's first; the service refuses the others all the same.
        self.verdict = verdict
        if verdict is not None:
            labels = {AnnualReview.Result.PASS: _("Pass"), AnnualReview.Result.FAIL: _("Fail")}
            if verdict.fails_the_year:
                labels[AnnualReview.Result.FAIL] = _("Fail: the year counts as failed")
            self.fields["result"].widget.choices = [(value, labels[value]) for value in verdict.allowed]
            if len(verdict.allowed) == 1:
                self.fields["result"].initial = verdict.allowed[0]
        area_choices = [("", _("Area…")), *Area.choices]
        for index in range(1, EXTRA_ITEMS + 1):
            self.fields[f"extra_area_{index}"] = forms.ChoiceField(
                label=_("Area of item %(n)d") % {"n": index}, required=False, choices=area_choices
            )
            self.fields[f"extra_text_{index}"] = forms.CharField(
                label=_("Item %(n)d to rectify") % {"n": index}, required=False, max_length=300
            )
        style(self)

    def extra_rows(self):
        return [(self[f"extra_area_{i}"], self[f"extra_text_{i}"]) for i in range(1, EXTRA_ITEMS + 1)]

    def clean(self):
        data = super().clean()
        if data.get("result") != AnnualReview.Result.FAIL:
            return data  # the items matter only for a fail
        for index in range(1, EXTRA_ITEMS + 1):
            text = (data.get(f"extra_text_{index}") or "").strip()
            if text and not data.get(f"extra_area_{index}"):
                self.add_error(f"extra_area_{index}", _("Choose the area this item belongs to."))
        return data

    def items(self) -> list[dict]:
        """The items of the rectification order: the chosen failed items, then the free ones."""
        items = [
            {key: self.failed_items[choice][key] for key in ("area", "code", "text", "note")}
            for choice in self.cleaned_data["checklist_items"]
        ]
        for index in range(1, EXTRA_ITEMS + 1):
            text = self.cleaned_data[f"extra_text_{index}"].strip()
            if text:
                items.append({"area": self.cleaned_data[f"extra_area_{index}"], "code": "", "text": text, "note": ""})
        return items


class AreaExemptForm(forms.Form):
    """An area recorded as not applicable; the service judges the area and asks for the reason."""

    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    reason = forms.CharField(label=_("Why the area does not apply"), required=False, max_length=2000)


class ReviewBulkRemindForm(forms.Form):
    """The chosen reviews of the queue whose institutions are reminded of their self-report."""

    ids = bulk.IdsField(label=_("Annual reviews"))


class ReviewBulkPassForm(forms.Form):
    """The chosen reviews of the queue whose area the department records as passed."""

    ids = bulk.IdsField(label=_("Annual reviews"))
    area = forms.ChoiceField(label=_("Area of inspection"), choices=Area.choices)
    inspected_on = forms.DateField(
        label=_("Date of inspection"), widget=DateInput(), validators=bounds.of(Finding, "inspected_on")
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=TEXT_MAX)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].choices = areas
        self.fields["inspected_on"].initial = timezone.localdate
