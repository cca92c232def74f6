"""Bulk entry from Excel: the templates, reading a workbook, and checking every row.

The file format
---------------
An ``.xlsx`` workbook whose data sheet (``导入数据``, or else the first sheet) has the column
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

import functools
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Region
from registry import rules, selectors
from registry.models import ImportJob, Institution, Registration
from registry.services.institutions import institution_create
from registry.services.registrations import registration_record
from registry.validators import ALPHABET, credit_code_check_character, validate_credit_code

MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 1000
DATA_SHEET = "导入数据"
HELP_SHEET = "填写说明"
CODES_SHEET = "村（社区）代码"


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


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the fixed Chinese header of the file format
    required: bool
    kind: str  # text, credit_code, legal_form, provider_type, village, date, phone
    help: Any  # lazily translated instructions
    max_length: int = 0


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


@dataclass
class Row:
    number: int  # the sheet's row number
    cells: dict[str, Any]  # column key -> raw cell value
    values: dict[str, Any]  # column key -> checked value


class Report:
    """Problems found, in file order, at most ``MAX_REPORTED_ERRORS`` of them kept."""

    def __init__(self):
        self.items: list[dict] = []
        self.count = 0

    def add(self, row: int, column: Column | str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            header = column.header if isinstance(column, Column) else column
            self.items.append({"row": row, "column": header, "message": str(message)})

    def as_list(self) -> list[dict]:
        items = list(self.items)
        if self.count > len(items):
            items.append(
                {
                    "row": 0,
                    "column": "",
                    "message": _("… and %(n)d more problems not listed.") % {"n": self.count - len(items)},
                }
            )
        return items

    def __bool__(self) -> bool:
        return self.count > 0


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


# --- Reading cells ------------------------------------------------------------------------


def _normalise_header(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("（", "(").replace("）", ")").replace("＊", "*").replace("*", "")
    return re.sub(r"\s+", "", text.replace("\u3000", " "))


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\u3000", " ").strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value) -> date | None:
    """A date from a cell, or None if it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 21001231:
            value = str(int(number))  # typed as 20260315
        elif 20000 <= number < 80000:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number).date()  # a date serial without a date format
        else:
            return None
    text = cell_text(value).replace(" ", "")
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")").lower()


# The public name of the folding of choice cells, for the workforce imports (training.imports).
fold = _fold


@functools.cache
def _choice_lookup(field: str) -> dict[str, str]:
    """Every accepted spelling of a legal form or provider type: the file's fixed names, their
    synonyms, the codes, and the interface's labels in both languages."""
    names, synonyms, choices = {
        "legal_form": (LEGAL_FORM_NAMES, LEGAL_FORM_SYNONYMS, LF.choices),
        "provider_type": (PROVIDER_TYPE_NAMES, PROVIDER_TYPE_SYNONYMS, PT.choices),
    }[field]
    lookup = {_fold(name): code for code, name in names.items()}
    lookup.update({_fold(name): code for name, code in synonyms.items()})
    for code, label in choices:
        lookup[_fold(code)] = code
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup.setdefault(_fold(str(label)), code)
    return lookup


def _choice(field: str, value: str) -> str | None:
    return _choice_lookup(field).get(_fold(value))


# --- Reading a workbook ---------------------------------------------------------------------


def read_workbook(file, kind: str) -> tuple[list[Row], Report]:
    """The non-empty data rows of the file, or the problems that stop it being read at all."""
    return read_rows(file, COLUMNS[kind])


def read_rows(file, columns: list[Column]) -> tuple[list[Row], Report]:
    """``read_workbook`` for any list of columns (the workforce imports use it with their own)."""
    from openpyxl import load_workbook

    report = Report()
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # a damaged file raises zipfile's, openpyxl's or the XML parser's errors
        report.add(0, "", _("The file could not be read as an Excel workbook (%(reason)s).") % {"reason": exc})
        return [], report
    try:
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None) or ()
        positions = {}
        for index, value in enumerate(header):
            positions.setdefault(_normalise_header(value), index)
        where = {}
        for column in columns:
            index = positions.get(_normalise_header(column.header))
            if index is None:
                if column.required:
                    report.add(1, column, _("This column is missing: keep the template's headers on row 1."))
            else:
                where[column.key] = index
        if report:
            return [], report
        rows = []
        for number, line in enumerate(lines, start=2):
            cells = {key: (line[index] if index < len(line) else None) for key, index in where.items()}
            if all(cell_text(value) == "" for value in cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                report.add(number, "", _("The file has more than %(max)d rows: split it into several files.")
                           % {"max": MAX_ROWS})  # fmt: skip
                return [], report
            rows.append(Row(number=number, cells=cells, values={}))
    finally:
        workbook.close()
    if not rows:
        report.add(2, "", _("The file has no data rows: fill them in from row 2."))
    return rows, report


# --- Checking rows ------------------------------------------------------------------------


def _check_cell(row: Row, column: Column, report: Report, today: date) -> None:
    raw = row.cells.get(column.key)
    text = cell_text(raw)
    if not text:
        if column.required:
            report.add(row.number, column, _("Required: this cell is empty."))
        row.values[column.key] = None if column.kind == "date" else ""
        return
    if column.max_length and len(text) > column.max_length and column.kind not in ("credit_code", "village"):
        report.add(row.number, column, _("Too long: at most %(max)d characters.") % {"max": column.max_length})
        return
    if column.kind == "credit_code":
        code = text.replace(" ", "").upper()
        try:
            validate_credit_code(code)
        except ValidationError as error:
            for message in error.messages:
                report.add(row.number, column, message)
            return
        row.values[column.key] = code
    elif column.kind == "legal_form":
        value = _choice("legal_form", text)
        if value is None:
            report.add(row.number, column, _("Unknown legal form “%(value)s”: write one of %(names)s.")
                       % {"value": text, "names": "、".join(LEGAL_FORM_NAMES.values())})  # fmt: skip
            return
        row.values[column.key] = value
    elif column.kind == "provider_type":
        value = _choice("provider_type", text)
        if value is None:
            report.add(row.number, column, _("Unknown provider type “%(value)s”: write one of %(names)s.")
                       % {"value": text, "names": "、".join(PROVIDER_TYPE_NAMES.values())})  # fmt: skip
            return
        row.values[column.key] = value
    elif column.kind == "village":
        code = text.replace(" ", "")
        if not re.fullmatch(r"\d{12}", code):
            report.add(row.number, column, _("A village or community code has 12 digits; this is “%(value)s”.")
                       % {"value": text})  # fmt: skip
            return
        row.values[column.key] = code  # the region is looked up with every row's at once
    elif column.kind == "date":
        day = parse_date(raw)
        if day is None:
            report.add(row.number, column, _("Not a date: write it as 2026-03-15."))
            return
        if column.key == "registered_on" and day > today:
            report.add(row.number, column, _("The registration date is in the future."))
            return
        row.values[column.key] = day
    elif column.kind == "phone":
        if not re.fullmatch(r"[0-9+\-() ]{3,32}", text):
            report.add(row.number, column, _("A phone number has digits and may have - and spaces."))
            return
        row.values[column.key] = text
    else:
        row.values[column.key] = text


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
        for column in columns:
            _check_cell(row, column, report, today)
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
            if village is None:
                report.add(row.number, village_column, _("No village or community has the code %(code)s.")
                           % {"code": code})  # fmt: skip
            elif village.level != Region.Level.VILLAGE:
                report.add(row.number, village_column,
                           _("%(code)s is the code of %(name)s, not of a village or community.")
                           % {"code": code, "name": village.name})  # fmt: skip
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


def _example_credit_code(actor, legal_form: str) -> str:
    """A valid credit code of the example row that no institution holds yet."""
    prefix = {LF.COMPANY: "91", LF.NONPROFIT: "52", LF.PUBLIC_INSTITUTION: "12"}[legal_form]
    for _attempt in range(20):
        first17 = f"{prefix}330281MA{get_random_string(7, allowed_chars=ALPHABET)}"
        code = first17 + credit_code_check_character(first17)
        if not selectors.institutions_by_credit_code(actor=actor, codes=[code]):
            return code
    return code  # 20 misses in 31^7 codes does not happen; the import would report it anyway


def _example_row(actor, kind: str, organisation: Organisation, villages: list[Region]) -> dict[str, Any]:
    today = timezone.localdate()
    forms = registered_forms(organisation) if kind == ImportJob.Kind.REGISTRATIONS else [LF.COMPANY]
    legal_form = forms[0] if forms else LF.COMPANY
    village = villages[0] if villages else None
    credit_code = _example_credit_code(actor, legal_form)
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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        value = example[column.key]
        target = sheet.cell(row=2, column=index, value=value)
        if column.kind == "date":
            target.number_format = "yyyy-mm-dd"
        elif column.kind in ("credit_code", "village", "phone"):
            target.number_format = "@"  # keep codes as text: Excel would turn them into numbers
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.header) * 2 + 6)
    sheet.freeze_panes = "A2"
    lists = {
        "legal_form": ",".join(LEGAL_FORM_NAMES[form] for form in legal_forms),
        "provider_type": ",".join(PROVIDER_TYPE_NAMES.values()),
    }
    for index, column in enumerate(columns, start=1):
        if column.key in lists:
            validation = DataValidation(type="list", formula1=f'"{lists[column.key]}"', allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append([_("How to fill in this template")])
    help_sheet["A1"].font = Font(bold=True, size=14)
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
    for note in notes:
        help_sheet.append([note])
    help_sheet.append([])
    help_sheet.append([_("Column"), _("Required"), _("How to fill it in")])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = bold
    for column in columns:
        if column.kind == "legal_form":
            how = _LEGAL_FORM_HELP % {"names": "、".join(LEGAL_FORM_NAMES[form] for form in legal_forms)}
        elif column.kind == "provider_type":
            how = _LEGAL_FORM_HELP % {"names": "、".join(PROVIDER_TYPE_NAMES.values())}
        elif column.kind == "village":
            how = _VILLAGE_HELP % {"sheet": CODES_SHEET}
        else:
            how = str(column.help)
        help_sheet.append([column.header, _("Yes") if column.required else _("No"), how])
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 90
    for line in help_sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    codes = workbook.create_sheet(CODES_SHEET)
    codes.append(["村（社区）代码", "村（社区）", "乡镇（街道）"])
    for cell in codes[1]:
        cell.font = bold
    for village in villages:
        codes.append([village.code, village.name, village.parent.name if village.parent_id else ""])
    codes.column_dimensions["A"].width = 18
    codes.column_dimensions["B"].width = 24
    codes.column_dimensions["C"].width = 18
    codes.freeze_panes = "A2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
