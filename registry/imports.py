"""Bulk entry from Excel: the templates, reading a workbook, and checking every row.

The file format
---------------
An ``.xlsx`` workbook (read and checked cell by cell by ``paperwork.spreadsheets``; the credit
code is this module's own) whose data sheet (``导入数据``, or else the first sheet) has the column
headers on row 1 and one institution or registration per row from row 2. The headers are the
fixed Chinese names below (a ``*`` marks a required column and is ignored when reading, as are
spaces and the width of brackets); their order does not matter and other columns are ignored.
Row numbers in every report are the sheet's own row numbers. Empty rows are skipped. A file
holds at most ``MAX_ROWS`` data rows. The template (``template_for``) also has an instructions
sheet and the list of village and community codes of the importer's territory; its example
row is a valid row, imported as it is if it is left in the file.

Who may import what
-------------------
- **registrations**: officers and heads of a registration authority (``register.nonprofit``,
  ``register.company``, ``register.public_institution``). Every row's legal form must be one that
  the importing organisation registers; the village may be anywhere in its jurisdiction (the
  city). A row attaches the registration to the institution with its credit code, creating the
  institution if the registry does not know it (``registration_record``, ``source=imported``).
- **institutions**: officers and heads of the health bureau (``filing.review``: villages of the
  whole city) and of township governments (``township.supervise``: villages of their own township
  only). A row creates an institution, not yet registered (``institution_create``).

The importing organisation is fixed when the file is uploaded (``ImportJob.organisation``); the
rows are saved later by a task, acting as the uploader through the same services as the pages,
so a right lost in between fails the job instead of saving under someone else's name.

All or nothing
--------------
1. The file is read and every row is checked (below) before anything is written; the job's
   ``processed_rows`` advances as rows are checked (outside any data transaction, so that the
   progress bar moves).
2. If one row or the file is wrong, the job ends ``failed`` with the report (row, column header,
   message) of every problem found, and nothing is saved.
3. Otherwise every row is saved in one transaction. A refusal by a service at this stage (the
   registry changed since the check, or the uploader lost the right) is reported the same way and
   rolls everything back.
4. A job runs once: a finished (done or failed) job is never run again.

Row checks
----------
- every required cell is filled; texts are no longer than their fields;
- the unified social credit code passes the GB 32100 check (``registry.validators``); it is
  required for registrations and optional for institutions;
- the legal form and provider type are known names (the fixed Chinese names below, the
  interface's own labels in English or Chinese, or the codes);
- the village code is the 12-digit code of a village or community (not of a township or the
  city) inside the importer's territory;
- dates are real dates (a date cell, ``2026-03-15``, ``2026/3/15``, ``2026.3.15``,
  ``2026年3月15日`` or ``20260315``); a registration date is not in the future;
- no credit code appears twice in the file, nor a certificate number (registrations), nor the
  same institution name in the same village (institutions);
- registrations: an institution already in the registry under the credit code has the row's
  legal form and no active registration; institutions: the credit code is not in the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Region
from paperwork import spreadsheets
from paperwork.spreadsheets import CODES_SHEET, DATA_SHEET, MAX_ROWS, Choice, Column, Report, Row, read_rows
from registry import rules, selectors
from registry.models import ImportJob, Institution, Registration
from registry.services.institutions import institution_create
from registry.services.registrations import registration_record
from registry.validators import ALPHABET, credit_code_fit_problem, credit_code_make, validate_credit_code

LF = Institution.LegalForm
PT = Institution.ProviderType
# The names written in the file: fixed Chinese words of the format, not interface labels.
LEGAL_FORM_NAMES = {
    LF.PUBLIC_INSTITUTION: "事业单位",
    LF.NONPROFIT: "非营利性社会组织",
    LF.COMPANY: "营利性企业",
}
LEGAL_FORM_SYNONYMS = {
    "公办": LF.PUBLIC_INSTITUTION,
    "民办非企业单位": LF.NONPROFIT,
    "社会服务机构": LF.NONPROFIT,
    "社会组织": LF.NONPROFIT,
    "非营利": LF.NONPROFIT,
    "公司": LF.COMPANY,
    "企业": LF.COMPANY,
    "营利性": LF.COMPANY,
}
PROVIDER_TYPE_NAMES = {
    PT.STANDALONE: "独立托育机构",
    PT.KINDERGARTEN_CLASS: "幼儿园托班",
    PT.EMPLOYER_RUN: "用人单位办托",
    PT.COMMUNITY_RUN: "社区办托",
    PT.FAMILY_CARE_POINT: "家庭托育点",
}
PROVIDER_TYPE_SYNONYMS = {
    "托育机构": PT.STANDALONE,
    "托班": PT.KINDERGARTEN_CLASS,
    "单位办托": PT.EMPLOYER_RUN,
    "社区托育": PT.COMMUNITY_RUN,
    "家庭托育": PT.FAMILY_CARE_POINT,
}


CHOICES = {
    "legal_form": Choice(
        LEGAL_FORM_NAMES, LEGAL_FORM_SYNONYMS, LF.choices,
        gettext_lazy("Unknown legal form “%(value)s”: write one of %(names)s."),
    ),
    "provider_type": Choice(
        PROVIDER_TYPE_NAMES, PROVIDER_TYPE_SYNONYMS, PT.choices,
        gettext_lazy("Unknown provider type “%(value)s”: write one of %(names)s."),
    ),
}  # fmt: skip

_CREDIT_CODE_HELP = gettext_lazy("18 characters, as on the certificate or business licence.")
_LEGAL_FORM_HELP = gettext_lazy("One of: %(names)s.")
_VILLAGE_HELP = gettext_lazy(
    "The 12-digit statistical code of the village or community (see the sheet %(sheet)s), not its name."
)
_DATE_HELP = gettext_lazy("A date, for example 2026-03-15.")

COLUMNS = {
    ImportJob.Kind.REGISTRATIONS: [
        Column("credit_code", "统一社会信用代码", True, "credit_code", _CREDIT_CODE_HELP, 18),
        Column("name", "机构名称", True, "text", gettext_lazy("The registered name."), 128),
        Column("legal_form", "法人类型", True, "legal_form", _LEGAL_FORM_HELP),
        Column("provider_type", "机构类型", True, "provider_type", _LEGAL_FORM_HELP),
        Column("village", "村（社区）代码", True, "village", _VILLAGE_HELP, 12),
        Column("address", "详细地址", True, "text", gettext_lazy("Street address of the premises."), 200),
        Column("certificate_number", "登记证书编号", True, "text", gettext_lazy("As on the certificate."), 64),
        Column("registered_on", "登记日期", True, "date", _DATE_HELP),
    ],
    ImportJob.Kind.INSTITUTIONS: [
        Column("name", "机构名称", True, "text", gettext_lazy("The name the institution uses."), 128),
        Column("credit_code", "统一社会信用代码", False, "credit_code", _CREDIT_CODE_HELP, 18),
        Column("legal_form", "法人类型", True, "legal_form", _LEGAL_FORM_HELP),
        Column("provider_type", "机构类型", True, "provider_type", _LEGAL_FORM_HELP),
        Column("village", "村（社区）代码", True, "village", _VILLAGE_HELP, 12),
        Column("address", "详细地址", True, "text", gettext_lazy("Street address of the premises."), 200),
        Column("legal_representative", "法定代表人", False, "text", gettext_lazy("Name."), 64),
        Column("person_in_charge", "负责人", False, "text", gettext_lazy("Name."), 64),
        Column("contact_phone", "联系电话", False, "phone", gettext_lazy("Digits, may include - and spaces."), 32),
        Column("opened_on", "开办日期", False, "date", _DATE_HELP),
    ],
}


# --- Who may import what ----------------------------------------------------------------


def require_importing_organisation(actor, kind: str) -> Organisation:
    organisation = rules.importing_organisation(actor, kind)
    if organisation is None:
        raise PermissionDenied(f"import.{kind}")
    return organisation


def registered_forms(organisation: Organisation) -> list[str]:
    codes = {duty.code for duty in organisation.duties.all()}
    return [form for form, duty in Institution.REGISTRATION_DUTY.items() if duty in codes]


def in_territory(organisation: Organisation, village: Region) -> bool:
    return village.code.startswith(organisation.jurisdiction.code)


def village_problem(code: str, village: Region | None) -> str:
    """Why the region found under a row's village code is no village or community ("" if it is
    one); the workforce imports say it in the same words."""
    if village is None:
        return _("No village or community has the code %(code)s.") % {"code": code}
    if village.level != Region.Level.VILLAGE:
        return _("%(code)s is the code of %(name)s, not of a village or community.") % {
            "code": code, "name": village.name}  # fmt: skip
    return ""


# --- Reading a workbook ---------------------------------------------------------------------


def read_workbook(file, kind: str) -> tuple[list[Row], Report]:
    """The non-empty data rows of the file, or the problems that stop it being read at all."""
    return read_rows(file, COLUMNS[kind])


# --- Checking rows ------------------------------------------------------------------------


def _credit_code(row: Row, column: Column, report: Report, raw, text: str) -> bool:
    """The registry's own kind of cell (``spreadsheets.check_cell`` checks the others)."""
    if column.kind != "credit_code":
        return False
    code = text.replace(" ", "").upper()
    try:
        validate_credit_code(code)
    except ValidationError as error:
        for message in error.messages:
            report.add(row.number, column, message)
        return True
    row.values[column.key] = code
    return True


def _check_cells(row: Row, columns: list[Column], report: Report, today) -> None:
    for column in columns:
        spreadsheets.check_cell(row, column, report, today, choices=CHOICES, own=_credit_code)
    registered_on = row.values.get("registered_on")
    if registered_on and registered_on > today:
        report.add(row.number, _column(ImportJob.Kind.REGISTRATIONS, "registered_on"),
                   _("The registration date is in the future."))  # fmt: skip
        del row.values["registered_on"]


def _column(kind: str, key: str) -> Column:
    return next(column for column in COLUMNS[kind] if column.key == key)


def header_of(kind: str, *keys: str) -> str:
    """The header of the first of these fields that is a column of the kind ("" if none is)."""
    headers = {column.key: column.header for column in COLUMNS[kind]}
    return next((headers[key] for key in keys if key in headers), "")


def check_rows(
    *, actor, kind: str, organisation: Organisation, rows: list[Row], progress: Callable[[int], None] | None = None
) -> Report:
    """Check every row (the rules of this module's docstring); fills ``row.values``."""
    report = Report()
    columns = COLUMNS[kind]
    today = timezone.localdate()
    step = max(1, len(rows) // 20)
    for index, row in enumerate(rows, start=1):
        _check_cells(row, columns, report, today)
        if progress is not None and (index % step == 0 or index == len(rows)):
            progress(index)
    villages = selectors.regions_by_code(actor=actor, codes=(row.values.get("village") for row in rows))
    existing = selectors.institutions_by_credit_code(actor=actor, codes=(row.values.get("credit_code") for row in rows))
    forms = registered_forms(organisation)
    village_column, form_column, code_column = (_column(kind, key) for key in ("village", "legal_form", "credit_code"))
    seen_codes: dict[str, int] = {}
    seen_certificates: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for row in rows:
        values = row.values
        code = values.get("village")
        if code:
            village = villages.get(code)
            problem = village_problem(code, village)
            if problem:
                report.add(row.number, village_column, problem)
            elif not in_territory(organisation, village):
                report.add(row.number, village_column, _("%(name)s is outside the territory of %(organisation)s.")
                           % {"name": village.name, "organisation": organisation.name})  # fmt: skip
            else:
                values["village_region"] = village
        legal_form = values.get("legal_form")
        if kind == ImportJob.Kind.REGISTRATIONS and legal_form and legal_form not in forms:
            report.add(row.number, form_column,
                       _("%(organisation)s does not register %(form)s: its own authority imports it.")
                       % {"organisation": organisation.name, "form": LEGAL_FORM_NAMES[legal_form]})  # fmt: skip
        credit_code = values.get("credit_code")
        if credit_code and legal_form and values.get("village_region"):
            problem = credit_code_fit_problem(
                credit_code, legal_form=legal_form, legal_form_label=LEGAL_FORM_NAMES[legal_form],
                village=values["village_region"],
            )  # fmt: skip
            if problem:
                report.add(row.number, code_column, problem)
        if credit_code:
            if credit_code in seen_codes:
                report.add(row.number, code_column, _("The same credit code is on row %(row)d too.")
                           % {"row": seen_codes[credit_code]})  # fmt: skip
            seen_codes.setdefault(credit_code, row.number)
            institution = existing.get(credit_code)
            if institution is not None and kind == ImportJob.Kind.INSTITUTIONS:
                report.add(row.number, code_column, _("%(name)s already has this credit code in the registry.")
                           % {"name": institution.name})  # fmt: skip
            elif institution is not None and legal_form and institution.legal_form != legal_form:
                report.add(row.number, form_column,
                           _("The registry holds this credit code as %(name)s, of the legal form %(form)s.")
                           % {"name": institution.name, "form": LEGAL_FORM_NAMES[institution.legal_form]})  # fmt: skip
            elif institution is not None and institution.has_active_registration:
                report.add(row.number, code_column, _("%(name)s already has an active registration.")
                           % {"name": institution.name})  # fmt: skip
        certificate = values.get("certificate_number")
        if certificate:
            if certificate in seen_certificates:
                report.add(row.number, _column(kind, "certificate_number"),
                           _("The same certificate number is on row %(row)d too.")
                           % {"row": seen_certificates[certificate]})  # fmt: skip
            seen_certificates.setdefault(certificate, row.number)
        if kind == ImportJob.Kind.INSTITUTIONS and values.get("name") and code:
            key = (values["name"], code)
            if key in seen_names:
                report.add(row.number, _column(kind, "name"),
                           _("An institution of the same name in the same village is on row %(row)d too.")
                           % {"row": seen_names[key]})  # fmt: skip
            seen_names.setdefault(key, row.number)
    report.items.sort(key=lambda item: item["row"])
    return report


def save_row(*, actor, kind: str, row: Row):
    """Write one checked row through the service of its kind (the caller holds the transaction)."""
    values = row.values
    common = {
        "name": values["name"],
        "legal_form": values["legal_form"],
        "provider_type": values["provider_type"],
        "village": values["village_region"],
        "address": values["address"],
    }
    if kind == ImportJob.Kind.REGISTRATIONS:
        return registration_record(
            actor=actor, credit_code=values["credit_code"], certificate_number=values["certificate_number"],
            registered_on=values["registered_on"], source=Registration.Source.IMPORTED, **common,
        )  # fmt: skip
    extra = {key: values[key] for key in ("legal_representative", "person_in_charge", "contact_phone") if values[key]}
    if values.get("opened_on"):
        extra["opened_on"] = values["opened_on"]
    return institution_create(actor=actor, credit_code=values.get("credit_code", ""), **common, **extra)


# --- The template ---------------------------------------------------------------------------


def _example_credit_code(actor, legal_form: str, county_code: str) -> str:
    """A valid credit code of the example row that no institution holds yet."""
    for _attempt in range(20):
        body = f"MA{get_random_string(7, allowed_chars=ALPHABET)}"
        code = credit_code_make(legal_form=legal_form, county_code=county_code, body=body)
        if not selectors.institutions_by_credit_code(actor=actor, codes=[code]):
            return code
    return code  # 20 misses in 31^7 codes does not happen; the import would report it anyway


def _example_row(actor, kind: str, organisation: Organisation, villages: list[Region]) -> dict[str, Any]:
    today = timezone.localdate()
    forms = registered_forms(organisation) if kind == ImportJob.Kind.REGISTRATIONS else [LF.COMPANY]
    legal_form = forms[0] if forms else LF.COMPANY
    village = villages[0] if villages else None
    credit_code = _example_credit_code(actor, legal_form, (village.code if village is not None else "330281")[:6])
    township = village.parent.name if village is not None else ""
    values = {
        "credit_code": credit_code,
        "name": f"【示例】{township}小太阳托育园",
        "legal_form": LEGAL_FORM_NAMES[legal_form],
        "provider_type": PROVIDER_TYPE_NAMES[PT.STANDALONE],
        "village": village.code if village is not None else "",
        "address": f"{township}{village.name if village is not None else ''}示例路1号",
        "certificate_number": f"示例{credit_code[-8:]}",
        "registered_on": today,
        "legal_representative": "示例法人",
        "person_in_charge": "示例负责人",
        "contact_phone": "0574-62000000",
        "opened_on": today,
    }
    return {column.key: values[column.key] for column in COLUMNS[kind]}


def template_for(*, actor, kind: str) -> tuple[str, bytes]:
    """The template of this kind for the actor's organisation: (file name, .xlsx bytes).
    Refuses (403) someone who may not import it."""
    organisation = require_importing_organisation(actor, kind)
    villages = [village for village in selectors.village_list(actor=actor) if in_territory(organisation, village)]
    example = _example_row(actor, kind, organisation, villages)
    forms = registered_forms(organisation) if kind == ImportJob.Kind.REGISTRATIONS else list(LEGAL_FORM_NAMES)
    content = build_template(kind=kind, example=example, villages=villages, legal_forms=forms)
    name = {ImportJob.Kind.REGISTRATIONS: "登记信息导入模板", ImportJob.Kind.INSTITUTIONS: "托育机构导入模板"}[kind]
    return f"{name}.xlsx", content


def build_template(*, kind: str, example: dict, villages: Iterable[Region], legal_forms: list[str]) -> bytes:
    columns = COLUMNS[kind]
    legal_form_names = [LEGAL_FORM_NAMES[form] for form in legal_forms]
    notes = [
        _("Fill in one row per %(what)s on the sheet %(sheet)s, from row 2; do not change the headers on row 1.")
        % {
            "what": _("registration") if kind == ImportJob.Kind.REGISTRATIONS else _("institution"),
            "sheet": DATA_SHEET,
        },  # fmt: skip
        _(
            "Columns marked * are required. Row 2 is an example: it is imported as it is unless you overwrite or "
            "delete it."
        ),  # fmt: skip
        _(
            "Every row is checked before anything is saved: if any row is wrong, nothing is imported and the report "
            "lists each problem by row and column. Correct the file and upload it again."
        ),  # fmt: skip
        _("At most %(max)d rows per file.") % {"max": MAX_ROWS},
    ]
    help_rows = []
    for column in columns:
        if column.kind == "legal_form":
            how = _LEGAL_FORM_HELP % {"names": "、".join(legal_form_names)}
        elif column.kind == "provider_type":
            how = _LEGAL_FORM_HELP % {"names": CHOICES["provider_type"].names_text}
        elif column.kind == "village":
            how = _VILLAGE_HELP % {"sheet": CODES_SHEET}
        else:
            how = str(column.help)
        help_rows.append([column.header, _("Yes") if column.required else _("No"), how])
    codes = spreadsheets.Sheet(
        CODES_SHEET, ["村（社区）代码", "村（社区）", "乡镇（街道）"],
        [[village.code, village.name, village.parent.name if village.parent_id else ""] for village in villages],
        [18, 24, 18],
    )  # fmt: skip
    return spreadsheets.build_template(
        columns=columns,
        notes=notes,
        help_headers=[_("Column"), _("Required"), _("How to fill it in")],
        help_rows=help_rows,
        help_widths=[22, 10, 90],
        reference=codes,
        lists={
            "legal_form": spreadsheets.quoted_list(legal_form_names),
            "provider_type": spreadsheets.quoted_list(PROVIDER_TYPE_NAMES.values()),
        },
        text_kinds=("credit_code", "village", "phone"),
        example=example,
    )
