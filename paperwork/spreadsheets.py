"""The spreadsheet toolkit of every Excel import and export (openpyxl).

Exports
-------
An export is a data file the offices pass around and re-read: its headers are fixed Chinese
words and its values are written in Simplified Chinese (``EXPORT_LANGUAGE``) whatever the
interface's language. Every text is written as text (``text_safe``), so a name beginning with
"=" never becomes a formula when the file is opened (spreadsheet formula injection).

Imports
-------
An ``.xlsx`` workbook whose data sheet (``导入数据``, or else the first sheet) has the column
headers on row 1 and one record per row from row 2. Headers are matched after dropping ``*``
(which marks a required column), spaces and the width of brackets; their order does not matter
and other columns are ignored. Row numbers in every report are the sheet's own; empty rows are
skipped; a file holds at most ``MAX_ROWS`` rows. ``check_cell`` checks the shape of a cell by its
column's kind (text, dates, phones, village codes, choices); an app checks its own kinds (credit
codes, ID numbers) first and the rows against the database after. ``build_template`` writes
the blank (or example) template with its instructions sheet and a reference sheet.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paperwork import bounds

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LANGUAGE = "zh-hans"
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 1000
DATA_SHEET = "导入数据"
HELP_SHEET = "填写说明"
CODES_SHEET = "村（社区）代码"
DATE_KINDS = ("date", "past_date")


# --- Writing ----------------------------------------------------------------------------------


def text_safe(sheet, value):
    """A cell; text is always written as text, so a name beginning with "=" never becomes a
    formula when the file is opened (spreadsheet formula injection)."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        value = ""
    if not isinstance(value, (int, float)) and not hasattr(value, "isoformat"):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif hasattr(value, "isoformat"):
        cell.number_format = "yyyy-mm-dd"
    return cell


def new_sheet(workbook, *, title: str, headers: list[tuple[str, int]]):
    """A sheet of a write-only workbook with its (header, width) row, frozen below it."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    for index, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([text_safe(sheet, header) for header, _width in headers])
    return sheet


def write_sheet(workbook, *, title: str, columns, rows: Iterable) -> None:
    """A sheet of ``rows`` with ``columns`` (header, width, getter)."""
    sheet = new_sheet(workbook, title=title, headers=[(header, width) for header, width, _getter in columns])
    for row in rows:
        sheet.append([text_safe(sheet, getter(row)) for _header, _width, getter in columns])


def workbook_bytes(fill: Callable) -> bytes:
    """A write-only workbook filled by ``fill(workbook)`` in the export language, as .xlsx bytes."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    with translation.override(EXPORT_LANGUAGE):
        fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def workbook_response(*, filename: str, title: str, columns, rows: Iterable) -> HttpResponse:
    """An .xlsx download of one sheet of ``rows`` with ``columns`` (header, width, getter)."""
    content = workbook_bytes(lambda workbook: write_sheet(workbook, title=title, columns=columns, rows=rows))
    return xlsx_response(content, filename=filename)


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the fixed Chinese header of the file format
    required: bool
    kind: str  # text, date, past_date, phone, mobile, village, a choice, or the app's own
    help: Any  # lazily translated instructions
    max_length: int = 0


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

    def has(self, row: int, column: Column) -> bool:
        """Whether the report already says something about this cell (one message per cell)."""
        return any(item["row"] == row and item["column"] == column.header for item in self.items)

    def sorted(self) -> Report:
        """The same report in row order (a stable sort: a row's problems keep their order)."""
        self.items.sort(key=lambda item: item["row"])
        return self

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
    """A date from a cell (a date cell, ``2026-03-15``, ``2026/3/15``, ``2026.3.15``,
    ``2026年3月15日``, ``20260315`` or a bare date serial), or None if it is not one."""
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


def fold(text: str) -> str:
    """A spelling as it is compared: no spaces, half-width brackets, lower case."""
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")").lower()


@dataclass(frozen=True, eq=False)  # compared and hashed as itself: its lookup is cached by it
class Choice:
    """A choice column: the file's fixed Chinese names (code -> name), a few synonyms (name ->
    code), the model's choices (code, label), and the message for an unknown value."""

    names: dict[str, str]
    synonyms: dict[str, str]
    choices: list
    unknown: Any = gettext_lazy("Unknown value “%(value)s”: write one of %(names)s.")

    @property
    def names_text(self) -> str:
        return "、".join(self.names.values())

    def code(self, text: str) -> str | None:
        """The code of a spelling, or None."""
        return _choice_lookup(self).get(fold(text))


@functools.cache
def _choice_lookup(choice: Choice) -> dict[str, str]:
    """Every accepted spelling of a choice: the file's fixed names, their synonyms, the codes,
    and the interface's labels in both languages."""
    lookup = {fold(name): code for code, name in choice.names.items()}
    lookup.update({fold(name): code for name, code in choice.synonyms.items()})
    for code, label in choice.choices:
        lookup[fold(code)] = code
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup.setdefault(fold(str(label)), code)
    return lookup


# What an import workbook may unpack to, judged from its zip directory before anything is
# decompressed: a file of MAX_ROWS rows of the templates unpacks to a few MB, a zip bomb (a few
# hundred KB that unpack to hundreds of MB) to far more. Python's zipfile never yields more
# than a member's declared size (a larger stream fails its check), so the directory is trusted.
UNPACKED_MAX = 50 * 1024 * 1024
MEMBER_MAX = 30 * 1024 * 1024
MEMBERS_MAX = 500
RATIO_MAX = 100  # unpacked / packed, for members larger than RATIO_FROM
RATIO_FROM = 1024 * 1024
SHARED_STRINGS_MAX = 20 * 1024 * 1024
SHEET_ROWS_MAX = 5 * MAX_ROWS  # the data sheet and the template's reference sheets
SHEET_COLUMNS_MAX = 200
DIMENSION_HEAD = 64 * 1024  # a sheet declares its dimension before its rows
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,9})(?::\$?([A-Z]{1,3})\$?(\d{1,9}))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def workbook_problem(file) -> str | None:
    """Why an .xlsx ``file`` may not be opened, in the user's language, judged from its zip
    directory (sizes, compression ratios, shared strings) and each sheet's declared dimension;
    None if openpyxl may read it. The file is left at its start."""
    try:
        file.seek(0)
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
        if len(members) > MEMBERS_MAX:
            return _("The workbook has %(count)d parts; at most %(max)d are read.") % {
                "count": len(members),
                "max": MEMBERS_MAX,
            }
        unpacked = sum(member.file_size for member in members)
        if unpacked > UNPACKED_MAX:
            return _(
                "The workbook unpacks to %(size)d MB; at most %(max)d MB are read: split it into several files."
            ) % {
                "size": unpacked // 1048576,
                "max": UNPACKED_MAX // 1048576,
            }
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MEMBER_MAX or (member.file_size > RATIO_FROM and ratio > RATIO_MAX):
                return _("The workbook's part %(name)s unpacks to %(size)d KB from %(packed)d KB: it is not read.") % {
                    "name": member.filename[:64],
                    "size": member.file_size // 1024,
                    "packed": member.compress_size // 1024,
                }
            if member.filename == "xl/sharedStrings.xml" and member.file_size > SHARED_STRINGS_MAX:
                return _("The workbook's texts take %(size)d MB; at most %(max)d MB are read.") % {
                    "size": member.file_size // 1048576,
                    "max": SHARED_STRINGS_MAX // 1048576,
                }
        for member in members:
            if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
                continue
            with archive.open(member) as part:
                match = DIMENSION.search(part.read(DIMENSION_HEAD))
            if match is None:
                continue  # no declared dimension: the sizes above bound the sheet
            last_column, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
            if int(last_row) > SHEET_ROWS_MAX or _column_number(last_column) > SHEET_COLUMNS_MAX:
                return _(
                    "A sheet of the workbook declares %(rows)s rows and %(columns)d columns; at most "
                    "%(max_rows)d rows and %(max_columns)d columns are read."
                ) % {
                    "rows": int(last_row),
                    "columns": _column_number(last_column),
                    "max_rows": SHEET_ROWS_MAX,
                    "max_columns": SHEET_COLUMNS_MAX,
                }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        return _("The file could not be read as an Excel workbook (%(reason)s).") % {"reason": exc}
    finally:
        file.seek(0)
    return None


def read_rows(file, columns: list[Column]) -> tuple[list[Row], Report]:
    """The non-empty data rows of the file, or the problems that stop it being read at all."""
    from openpyxl import load_workbook

    report = Report()
    problem = workbook_problem(file)  # before openpyxl decompresses anything
    if problem:
        report.add(0, "", problem)
        return [], report
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


MOBILE = re.compile(r"1[3-9]\d{9}")
# The app's own kinds: (row, column, report, raw value, text) -> True when it checked the cell.
OwnCheck = Callable[[Row, Column, Report, Any, str], bool]


def check_cell(
    row: Row,
    column: Column,
    report: Report,
    today: date,
    *,
    choices: dict[str, Choice] | None = None,
    own: OwnCheck | None = None,
) -> None:
    """Check the shape of one cell by its column's kind and put the value in ``row.values``;
    the checks against the database come after, for all rows at once. ``choices`` maps the
    choice kinds to their Choice; ``own`` checks the app's own kinds first."""
    raw = row.cells.get(column.key)
    text = cell_text(raw)
    if not text:
        if column.required:
            report.add(row.number, column, _("Required: this cell is empty."))
        row.values[column.key] = None if column.kind in DATE_KINDS else ""
        return
    if own is not None and own(row, column, report, raw, text):
        return
    if column.max_length and len(text) > column.max_length and column.kind != "village":
        report.add(row.number, column, _("Too long: at most %(max)d characters.") % {"max": column.max_length})
        return
    choice = (choices or {}).get(column.kind)
    if choice is not None:
        value = choice.code(text)
        if value is None:
            report.add(row.number, column, str(choice.unknown) % {"value": text, "names": choice.names_text})
            return
        row.values[column.key] = value
    elif column.kind in DATE_KINDS:
        day = parse_date(raw)
        if day is None:
            report.add(row.number, column, _("Not a date: write it as 2026-03-15."))
            return
        if column.kind == "past_date" and day > today:
            report.add(row.number, column, _("This date is in the future."))
            return
        # The windows of the model fields these columns feed (paperwork.bounds).
        first, last = (bounds.HAPPENED if column.kind == "past_date" else bounds.VALID_UNTIL).limits()
        if not first <= day <= last:
            report.add(
                row.number,
                column,
                _("Enter a date from %(first)s to %(last)s.") % {"first": first.isoformat(), "last": last.isoformat()},
            )
            return
        row.values[column.key] = day
    elif column.kind == "phone":
        if not re.fullmatch(r"[0-9+\-() ]{3,32}", text):
            report.add(row.number, column, _("A phone number has digits and may have - and spaces."))
            return
        row.values[column.key] = text
    elif column.kind == "mobile":
        phone = re.sub(r"[\s-]", "", text)
        if not MOBILE.fullmatch(phone):
            report.add(row.number, column, _("Enter an 11-digit mobile number beginning with 1."))
            return
        row.values[column.key] = phone
    elif column.kind == "village":
        code = text.replace(" ", "")
        if not re.fullmatch(r"\d{12}", code):
            report.add(row.number, column, _("A village or community code has 12 digits; this is “%(value)s”.")
                       % {"value": text})  # fmt: skip
            return
        row.values[column.key] = code  # the region is looked up with every row's at once
    else:
        row.values[column.key] = text


def note_duplicates(rows: list[Row], report: Report, column: Column, key: Callable[[Row], object], message) -> None:
    """Report each row whose key (when not None) an earlier row has; ``message`` takes %(row)d."""
    seen: dict[object, int] = {}
    for row in rows:
        value = key(row)
        if value is None:
            continue
        if value in seen:
            report.add(row.number, column, message % {"row": seen[value]})
        else:
            seen[value] = row.number


# --- Templates --------------------------------------------------------------------------------


def quoted_list(names: Iterable[str]) -> str:
    """A drop-down list written in the validation itself (``formula1``)."""
    return '"' + ",".join(names) + '"'


@dataclass
class Sheet:
    """A reference sheet of the template (village codes, classes, certificate kinds)."""

    title: str
    headers: list[str]
    rows: list[list]
    widths: list[int]


def build_template(
    *,
    columns: list[Column],
    notes: list[str],
    help_rows: list[list],
    help_headers: list[str],
    help_widths: list[int],
    reference: Sheet,
    lists: dict[str, str],
    text_kinds: tuple[str, ...],
    example: dict | None = None,
) -> bytes:
    """The template: the data sheet (headers, a ``*`` and a fill on required ones, drop-down
    ``lists`` by column key, text format for ``text_kinds`` so that Excel keeps every digit,
    date format for dates, and the ``example`` row if any), the instructions sheet (``notes``,
    then a table of ``help_rows``), and the ``reference`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

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
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.header) * 2 + 6)
        number_format = "@" if column.kind in text_kinds else "yyyy-mm-dd" if column.kind in DATE_KINDS else None
        if number_format:
            sheet.column_dimensions[letter].number_format = number_format
        if example is not None:
            target = sheet.cell(row=2, column=index, value=example[column.key])
            if number_format:
                target.number_format = number_format
        formula = lists.get(column.key)
        if formula:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append([_("How to fill in this template")])
    help_sheet["A1"].font = Font(bold=True, size=14)
    for note in notes:
        help_sheet.append([note])
    help_sheet.append([])
    help_sheet.append(help_headers)
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = bold
    for line in help_rows:
        help_sheet.append(line)
    for index, width in enumerate(help_widths, start=1):
        help_sheet.column_dimensions[get_column_letter(index)].width = width
    for line in help_sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    extra = workbook.create_sheet(reference.title)
    extra.append(reference.headers)
    for cell in extra[1]:
        cell.font = bold
    for line in reference.rows:
        extra.append(line)
    for index, width in enumerate(reference.widths, start=1):
        extra.column_dimensions[get_column_letter(index)].width = width
    extra.freeze_panes = "A2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
