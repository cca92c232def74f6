"""The blank templates of the workforce imports (no example row: a fictional ID number must never
reach a roster; the instructions sheet shows one)."""

from django.utils.translation import gettext as _

from paperwork import spreadsheets
from paperwork.spreadsheets import CODES_SHEET, DATA_SHEET, MAX_ROWS
from registry import selectors as registry_selectors
from training import selectors
from training.imports.columns import (
    CERTIFICATE_KINDS_SHEET,
    CERTIFICATES,
    CHOICES,
    CLASSES_SHEET,
    COLUMNS,
    EXAMPLES,
    PARTICIPANTS,
    STAFF,
    TEMPLATE_NAMES,
    column_help,
)
from training.models import TrainingProgramme


def _lists(kind: str, kinds_count: int) -> dict[str, str]:
    """Drop-down lists of the data sheet: a quoted list, or a range of another sheet."""
    lists = {column.key: spreadsheets.quoted_list(CHOICES[column.kind].names.values()) for column in COLUMNS[kind]
             if column.kind in CHOICES}  # fmt: skip
    if kind == CERTIFICATES and kinds_count:
        lists["kind"] = f"'{CERTIFICATE_KINDS_SHEET}'!$A$2:$A${kinds_count + 1}"
    return lists


def template_for(*, actor, kind: str, programme: TrainingProgramme | None = None) -> tuple[str, bytes]:
    """The blank template of this kind: (file name, .xlsx bytes). The lists sheet holds the
    actor's institution's classes (staff), the certificate kinds in use (certificates), or the
    villages of the programme's area, else those the actor sees (participants)."""
    if kind == STAFF:
        institution = registry_selectors.institution_for_member(actor=actor)
        groups = list(institution.class_groups.all()) if institution is not None else []
        extra = (CLASSES_SHEET, ["班级", "年龄段"], [[g.name, str(g.get_age_band_display())] for g in groups])
    elif kind == CERTIFICATES:
        kinds = list(selectors.certificate_kinds(actor=actor))
        extra = (CERTIFICATE_KINDS_SHEET, ["证书种类", "等级"], [[k.name, "、".join(k.levels)] for k in kinds])
    else:
        if programme is not None:
            villages = selectors.programme_villages(actor=actor, programme=programme)
        else:
            villages = registry_selectors.village_list(actor=actor)
        extra = (CODES_SHEET, ["村（社区）代码", "村（社区）", "乡镇（街道）"],
                 [[v.code, v.name, v.parent.name if v.parent_id else ""] for v in villages])  # fmt: skip
    return f"{TEMPLATE_NAMES[kind]}.xlsx", build_template(kind=kind, extra=extra)


def build_template(*, kind: str, extra: tuple[str, list[str], list[list]]) -> bytes:
    title, headers, rows = extra
    what = {STAFF: _("staff member"), CERTIFICATES: _("certificate"), PARTICIPANTS: _("participant")}[kind]
    notes = [
        _("Fill in one row per %(what)s on the sheet %(sheet)s, from row 2; do not change the headers on row 1.")
        % {"what": what, "sheet": DATA_SHEET},
        _("Columns marked * are required. The example below shows how to fill in a row; it is not in the data sheet."),
        _(
            "Every row is checked before anything is saved: if any row is wrong, nothing is imported and the report "
            "lists each problem by row and column. Correct the file and upload it again."
        ),
        _("At most %(max)d rows per file.") % {"max": MAX_ROWS},
    ]
    help_rows = [
        [column.header, _("Yes") if column.required else _("No"), column_help(column), EXAMPLES[kind][column.key]]
        for column in COLUMNS[kind]
    ]
    return spreadsheets.build_template(
        columns=COLUMNS[kind],
        notes=notes,
        help_headers=[_("Column"), _("Required"), _("How to fill it in"), _("Example")],
        help_rows=help_rows,
        help_widths=[22, 10, 80, 28],
        reference=spreadsheets.Sheet(title, headers, rows, [24] * len(headers)),
        lists=_lists(kind, len(rows)),
        # Text, so that Excel keeps every digit of ID numbers, codes and mobiles.
        text_kinds=("id_number", "village", "mobile", "text"),
    )
