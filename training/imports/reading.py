"""Reading an uploaded workbook: the file itself, the shape of each cell (the workforce's own
kind, ID numbers; ``paperwork.spreadsheets`` checks the others), and saving every row in one
transaction or none."""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, idnumbers
from accounts.errors import ApplicationError
from paperwork import files, spreadsheets
from paperwork.spreadsheets import Column, Report, Row
from training.imports.columns import CHOICES, COLUMNS
from training.services import staff as staff_services

MAX_BYTES = 5 * 1024 * 1024


class _RollBack(Exception):
    """Leaves the data transaction of an import that a service refused."""


def check_file(uploaded) -> None:
    """Refuse (ApplicationError) a file that is not an .xlsx workbook by its content, empty, or
    larger than ``MAX_BYTES``."""
    files.check_workbook(uploaded, max_bytes=MAX_BYTES)


def _id_number(row: Row, column: Column, report: Report, raw, text: str) -> bool:
    if column.kind != "id_number":
        return False
    if isinstance(raw, float):
        # Excel keeps 15 significant digits: an ID number typed into a number cell lost its end.
        report.add(row.number, column, _("Excel stored this ID number as a number and may have changed its "
                                         "last digits: format the column as text and type it again."))  # fmt: skip
        return True
    number = idnumbers.normalise(text.replace(" ", ""))
    error = staff_services.id_number_error(number)  # in the roster's own words
    if error:
        report.add(row.number, column, error)
        return True
    row.values[column.key] = number
    return True


def read(file, kind: str, *, tracker=None) -> tuple[list[Row], Report]:
    """The rows of the file with the shape of every cell checked, or the problems that stop it
    being read. A ``tracker`` (``training.services.imports``) hears how many rows were read."""
    rows, report = spreadsheets.read_rows(file, COLUMNS[kind])
    if report:
        return [], report
    if tracker is not None:
        tracker.read(len(rows))
    today = timezone.localdate()
    for row in rows:
        for column in COLUMNS[kind]:
            spreadsheets.check_cell(row, column, report, today, choices=CHOICES, own=_id_number)
    return rows, report


def _header_of(kind: str, fields: Iterable[str]) -> str:
    headers = {column.key: column.header for column in COLUMNS[kind]}
    return next((headers[key] for key in fields if key in headers), "")


def save_all(
    kind: str, rows: list[Row], save: Callable[[Row], object], *, actor, obj, event: str, tracker=None
) -> Report:
    """Save every row in one transaction, or none: a service's refusal is reported by row. A
    ``tracker`` marks its job done in the same transaction, so that a rerun never saves twice."""
    report = Report()
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    save(row)
                except ApplicationError as error:
                    report.add(row.number, _header_of(kind, error.fields), error.message)
                except ValidationError as error:
                    for message in error.messages:
                        report.add(row.number, "", message)
            if report:
                raise _RollBack
            audit.record(actor=actor, event=event, obj=obj, details={"rows": len(rows)})
            if tracker is not None:
                tracker.saved(len(rows))
    except _RollBack:
        pass
    return report
