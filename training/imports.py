"""Workforce imports from Excel: an institution's staff and their certificates, and the
participants of a training programme. Rosters are small (hundreds of rows), so a file is read,
checked and saved in the request, not by a task.

The file format
---------------
That of the registry's imports (``registry.imports``): an ``.xlsx`` workbook (judged by its
content, at most ``MAX_BYTES``) whose data sheet (``导入数据``, or else the first sheet) has the
fixed Chinese headers below on row 1 (a ``*`` marks a required column and is ignored when
reading, as are spaces and the width of brackets; their order does not matter) and one row per
person or certificate from row 2, at most ``MAX_ROWS`` rows. Row numbers in the report are the
sheet's own. Choice columns take the fixed Chinese names below, a few synonyms, the interface's
labels in Chinese or English, or the codes. Dates are read as the registry reads them. The
template has no example row (a fictional ID number must never reach a roster): the
instructions sheet gives one instead.

Who imports what
----------------
- **staff** and **certificates**: the officers and heads of an institution (``institution.self``),
  into their own institution's roster only.
- **participants**: the officers of the programme's organiser who may run it
  (``training.rules.can_run``).

All or nothing
--------------
1. Every row is checked before anything is written. Staff rows are also *screened* one by one
   (``services.staff.staff_screen``: a valid ID number, not on the ban list) before the data
   transaction, so that the security log keeps a ban-list match even though nothing is saved;
   a barred person's row says only to contact the health bureau.
2. If any row is wrong, the report lists every problem (row, column header, message) and nothing
   is saved.
3. Otherwise every row is saved in one transaction through the same services as the pages (so
   the audit trail records each addition); a refusal by a service at this stage is reported the
   same way and rolls everything back.

Row checks
----------
- staff: required cells; the ID number is valid, not twice in the file, not already on the
  institution's current staff, and the person is not barred; gender, role and education are
  known names; the class is one of the institution's classes (by name); the hiring and
  background-check dates are not in the future.
- certificates: the ID number belongs to a person on the institution's current staff (matched
  by keyed hash; "not on your staff" says nothing about other institutions); the kind is a
  certificate kind in use, the level one of its levels; the issue date is not in the future and
  the expiry not before it; a kind and number are not twice in the file nor already recorded.
- participants: staff are matched by ID number against the current staff the organiser may see
  (``selectors.staff_list``) within the programme's area, once per programme; a village
  instructor needs the 12-digit code of a village or community inside the programme's area
  (any other participant may give one); names are required except for staff, whose name
  follows the roster (a different name in the file is reported); mobiles have 11 digits.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit, idnumbers
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.models import Region
from registry import selectors as registry_selectors
from registry import uploads
from registry.imports import (
    CODES_SHEET,
    DATA_SHEET,
    HELP_SHEET,
    MAX_ROWS,
    Column,
    Report,
    Row,
    cell_text,
    fold,
    parse_date,
    read_rows,
)
from registry.models import Institution
from training import selectors
from training.models import Certificate, CertificateKind, Participant, StaffMember, TrainingProgramme
from training.services import certificates as certificate_services
from training.services import programmes as programme_services
from training.services import staff as staff_services

MAX_BYTES = 5 * 1024 * 1024
STAFF, CERTIFICATES, PARTICIPANTS = "staff", "certificates", "participants"
KINDS = (STAFF, CERTIFICATES, PARTICIPANTS)
CLASSES_SHEET = "班级"
CERTIFICATE_KINDS_SHEET = "证书种类"

SR, GE, ED, PK = StaffMember.Role, StaffMember.Gender, StaffMember.Education, Participant.Kind
# The names written in the file: fixed Chinese words of the format, not interface labels.
NAMES = {
    "gender": {GE.FEMALE: "女", GE.MALE: "男"},
    "role": {
        SR.PERSON_IN_CHARGE: "负责人",
        SR.CAREGIVER: "保育人员",
        SR.HEALTH_WORKER: "卫生保健人员",
        SR.COOK: "炊事人员",
        SR.GUARD: "保安人员",
        SR.OTHER: "其他",
    },
    "education": {
        ED.BELOW_HIGH_SCHOOL: "高中以下",
        ED.HIGH_SCHOOL: "高中或中专",
        ED.COLLEGE: "大专",
        ED.BACHELOR: "本科",
        ED.POSTGRADUATE: "研究生",
    },
    "participant_kind": {
        PK.STAFF: "机构从业人员",
        PK.VILLAGE_INSTRUCTOR: "村（社区）卫生健康指导员",
        PK.PUBLIC: "社会公众",
    },
}
SYNONYMS = {
    "gender": {"女性": GE.FEMALE, "男性": GE.MALE},
    "role": {
        "园长": SR.PERSON_IN_CHARGE,
        "机构负责人": SR.PERSON_IN_CHARGE,
        "保育员": SR.CAREGIVER,
        "保育师": SR.CAREGIVER,
        "育婴员": SR.CAREGIVER,
        "照护人员": SR.CAREGIVER,
        "保健人员": SR.HEALTH_WORKER,
        "保健员": SR.HEALTH_WORKER,
        "保健医": SR.HEALTH_WORKER,
        "炊事员": SR.COOK,
        "厨师": SR.COOK,
        "保安": SR.GUARD,
        "保安员": SR.GUARD,
    },
    "education": {
        "初中": ED.BELOW_HIGH_SCHOOL,
        "初中及以下": ED.BELOW_HIGH_SCHOOL,
        "小学": ED.BELOW_HIGH_SCHOOL,
        "高中": ED.HIGH_SCHOOL,
        "中专": ED.HIGH_SCHOOL,
        "职高": ED.HIGH_SCHOOL,
        "中职": ED.HIGH_SCHOOL,
        "技校": ED.HIGH_SCHOOL,
        "专科": ED.COLLEGE,
        "大学专科": ED.COLLEGE,
        "大学本科": ED.BACHELOR,
        "学士": ED.BACHELOR,
        "硕士": ED.POSTGRADUATE,
        "博士": ED.POSTGRADUATE,
        "研究生及以上": ED.POSTGRADUATE,
    },
    "participant_kind": {
        "从业人员": PK.STAFF,
        "托育从业人员": PK.STAFF,
        "卫生健康指导员": PK.VILLAGE_INSTRUCTOR,
        "村卫生健康指导员": PK.VILLAGE_INSTRUCTOR,
        "社区卫生健康指导员": PK.VILLAGE_INSTRUCTOR,
        "指导员": PK.VILLAGE_INSTRUCTOR,
        "公众": PK.PUBLIC,
        "群众": PK.PUBLIC,
        "家长": PK.PUBLIC,
    },
}
CHOICES = {"gender": GE.choices, "role": SR.choices, "education": ED.choices, "participant_kind": PK.choices}

_ID_HELP = gettext_lazy("18 characters, as on the identity card. Keep the column formatted as text.")
_CHOICE_HELP = gettext_lazy("One of: %(names)s.")
_DATE_HELP = gettext_lazy("A date, for example 2026-03-15.")
_VILLAGE_HELP = gettext_lazy(
    "The 12-digit statistical code of the village or community (see the sheet %(sheet)s), not its name."
)

COLUMNS = {
    STAFF: [
        Column("name", "姓名", True, "text", gettext_lazy("As on the identity card."), 64),
        Column("id_number", "身份证号", True, "id_number", _ID_HELP, 18),
        Column("gender", "性别", True, "gender", _CHOICE_HELP),
        Column("role", "岗位", True, "role", _CHOICE_HELP),
        Column("education", "学历", True, "education", _CHOICE_HELP),
        Column(
            "class_group",
            "班级",
            False,
            "class_group",
            gettext_lazy("For caregivers: the name of the class they look after (see the sheet %(sheet)s)."),
            64,
        ),
        Column("hired_on", "入职日期", True, "past_date", _DATE_HELP),
        Column("health_certificate_expires", "健康证有效期至", False, "date", _DATE_HELP),
        Column("background_checked_on", "背景审查日期", False, "past_date", _DATE_HELP),
    ],
    CERTIFICATES: [
        Column(
            "id_number",
            "身份证号",
            True,
            "id_number",
            gettext_lazy("The holder's ID number: the person must be on your current staff."),
            18,
        ),
        Column(
            "kind",
            "证书种类",
            True,
            "certificate_kind",
            gettext_lazy("The name of the kind of certificate (see the sheet %(sheet)s)."),
            64,
        ),
        Column(
            "level",
            "等级",
            False,
            "text",
            gettext_lazy("Required for kinds with levels (see the sheet %(sheet)s)."),
            32,
        ),
        Column("number", "证书编号", True, "text", gettext_lazy("As on the certificate."), 64),
        Column("issuer", "发证机构", True, "text", gettext_lazy("As on the certificate."), 128),
        Column("issued_on", "发证日期", True, "past_date", _DATE_HELP),
        Column("expires_on", "有效期至", False, "date", gettext_lazy("Leave empty if it does not expire.")),
    ],
    PARTICIPANTS: [
        Column("kind", "参与者类型", True, "participant_kind", _CHOICE_HELP),
        Column(
            "name",
            "姓名",
            False,
            "text",
            gettext_lazy("Required, except for staff: their name comes from the roster."),
            64,
        ),
        Column("phone", "手机号", False, "mobile", gettext_lazy("11 digits, optional.")),
        Column(
            "village",
            "村（社区）代码",
            False,
            "village",
            gettext_lazy(
                "Required for village health instructors: the 12-digit statistical code of their "
                "village or community in the programme's area (see the sheet %(sheet)s)."
            ),
        ),
        Column(
            "staff",
            "机构从业人员身份证号",
            False,
            "id_number",
            gettext_lazy("For staff only: their ID number, to find them on the roster."),
            18,
        ),
    ],
}

# The example on the instructions sheet (never a row of the data sheet).
EXAMPLES = {
    STAFF: {
        "name": "张小红",
        "id_number": "11010519491231002X",
        "gender": "女",
        "role": "保育人员",
        "education": "大专",
        "class_group": "小一班",
        "hired_on": "2025-09-01",
        "health_certificate_expires": "2026-08-31",
        "background_checked_on": "2025-08-20",
    },
    CERTIFICATES: {
        "id_number": "11010519491231002X",
        "kind": "育婴员",
        "level": "四级",
        "number": "1933000000000001",
        "issuer": "浙江省人力资源和社会保障厅",
        "issued_on": "2024-06-30",
        "expires_on": "",
    },
    PARTICIPANTS: {
        "kind": "村（社区）卫生健康指导员",
        "name": "王丽",
        "phone": "13900000000",
        "village": "330281103001",
        "staff": "",
    },
}

TEMPLATE_NAMES = {STAFF: "从业人员导入模板", CERTIFICATES: "从业人员证书导入模板", PARTICIPANTS: "培训参与者导入模板"}

MOBILE = re.compile(r"1[3-9]\d{9}")


class _RollBack(Exception):
    """Leaves the data transaction of an import that a service refused."""


# --- Reading cells ------------------------------------------------------------------------


@functools.cache
def _choice_lookup(field: str) -> dict[str, str]:
    """Every accepted spelling of a choice: the file's fixed names, their synonyms, the codes,
    and the interface's labels in both languages."""
    lookup = {fold(name): code for code, name in NAMES[field].items()}
    lookup.update({fold(name): code for name, code in SYNONYMS[field].items()})
    for code, label in CHOICES[field]:
        lookup[fold(code)] = code
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup.setdefault(fold(str(label)), code)
    return lookup


def _names(field: str) -> str:
    return "、".join(NAMES[field].values())


def _check_cell(row: Row, column: Column, report: Report, today: date) -> None:
    """Shape of one cell; the checks against the database come after, for all rows at once."""
    raw = row.cells.get(column.key)
    text = cell_text(raw)
    if not text:
        if column.required:
            report.add(row.number, column, _("Required: this cell is empty."))
        row.values[column.key] = None if column.kind in ("date", "past_date") else ""
        return
    if column.kind == "id_number":
        if isinstance(raw, float):
            # Excel keeps 15 significant digits: an ID number typed into a number cell lost its end.
            report.add(row.number, column, _("Excel stored this ID number as a number and may have changed its "
                                             "last digits: format the column as text and type it again."))  # fmt: skip
            return
        number = idnumbers.normalise(text.replace(" ", ""))
        error = staff_services.id_number_error(number)  # in the roster's own words
        if error:
            report.add(row.number, column, error)
            return
        row.values[column.key] = number
        return
    if column.max_length and len(text) > column.max_length:
        report.add(row.number, column, _("Too long: at most %(max)d characters.") % {"max": column.max_length})
        return
    if column.kind in NAMES:
        value = _choice_lookup(column.kind).get(fold(text))
        if value is None:
            report.add(row.number, column, _("Unknown value “%(value)s”: write one of %(names)s.")
                       % {"value": text, "names": _names(column.kind)})  # fmt: skip
            return
        row.values[column.key] = value
    elif column.kind in ("date", "past_date"):
        day = parse_date(raw)
        if day is None:
            report.add(row.number, column, _("Not a date: write it as 2026-03-15."))
            return
        if column.kind == "past_date" and day > today:
            report.add(row.number, column, _("This date is in the future."))
            return
        row.values[column.key] = day
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
        row.values[column.key] = code
    else:
        row.values[column.key] = text


def column_of(kind: str, key: str) -> Column:
    return next(column for column in COLUMNS[kind] if column.key == key)


def _header_of(kind: str, fields: Iterable[str]) -> str:
    headers = {column.key: column.header for column in COLUMNS[kind]}
    return next((headers[key] for key in fields if key in headers), "")


def _read(file, kind: str) -> tuple[list[Row], Report]:
    rows, report = read_rows(file, COLUMNS[kind])
    if report:
        return [], report
    today = timezone.localdate()
    for row in rows:
        for column in COLUMNS[kind]:
            _check_cell(row, column, report, today)
    return rows, report


def _note_duplicates(rows: list[Row], report: Report, column: Column, key: Callable[[Row], object], message) -> None:
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


def _sorted(report: Report) -> Report:
    report.items.sort(key=lambda item: item["row"])
    return report


def _save(kind: str, rows: list[Row], save: Callable[[Row], object], *, actor, obj, event: str) -> Report:
    """Save every row in one transaction, or none: a service's refusal is reported by row."""
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
    except _RollBack:
        pass
    return report


# --- The uploaded file ------------------------------------------------------------------------


def check_file(uploaded) -> None:
    """Refuse (ApplicationError) a file that is not an .xlsx workbook by its content, empty, or
    larger than ``MAX_BYTES``."""
    if 0 < uploaded.size <= MAX_BYTES:
        head = uploaded.read(16)
        uploaded.seek(0)
        if uploads.sniff(head, uploaded) != uploads.XLSX:
            raise ApplicationError(
                _("%(name)s is not an Excel workbook (.xlsx) by its content: save it from the template as .xlsx.")
                % {"name": uploaded.name}
            )
    uploads.check_upload(uploaded, allowed=(uploads.XLSX,), max_bytes=MAX_BYTES)


# --- Staff ------------------------------------------------------------------------------------


def staff_import(*, actor, institution: Institution, file, request=None) -> tuple[int, Report]:
    """Add every row of the file to the institution's roster, or none. Returns (rows imported,
    report); the report is empty when the rows were saved."""
    staff_services.require_roster_keeper(actor, institution)
    kind = STAFF
    rows, report = _read(file, kind)
    if not rows:
        return 0, report
    id_column, class_column = column_of(kind, "id_number"), column_of(kind, "class_group")
    # Screening first, one row at a time and outside the data transaction (module docstring).
    for row in rows:
        number = row.values.get("id_number")
        if not number:
            continue
        try:
            staff_services.staff_screen(actor=actor, institution=institution, id_number=number, request=request)
        except ApplicationError as error:
            report.add(row.number, id_column, error.message)
            row.values["id_number"] = ""
    _note_duplicates(rows, report, id_column, lambda row: row.values.get("id_number") or None,
                     _("The same ID number is on row %(row)d too."))  # fmt: skip
    current = set(
        selectors.staff_list(actor=actor, institution=institution)
        .prefetch_related(None)
        .values_list("id_hash", flat=True)
    )
    groups = list(institution.class_groups.all())
    classes: dict[str, list] = {}
    for group in groups:
        classes.setdefault(fold(group.name), []).append(group)
    for row in rows:
        values = row.values
        if values.get("id_number"):
            values["id_hash"] = keyed_hash(values["id_number"])
            if values["id_hash"] in current:
                report.add(row.number, id_column, _("This person is already on the staff of this institution."))
        name = values.get("class_group")
        values["class_group_object"] = None
        if name:
            groups = classes.get(fold(name), [])
            if not groups:
                report.add(row.number, class_column,
                           _("%(institution)s has no class named “%(name)s”: write one of %(names)s.")
                           % {"institution": institution.name, "name": name,
                              "names": "、".join(g.name for g in groups) or "—"})  # fmt: skip
            elif len(groups) > 1:
                report.add(row.number, class_column, _("Two classes are named “%(name)s”: rename one of them first.")
                           % {"name": name})  # fmt: skip
            else:
                values["class_group_object"] = groups[0]
    if report:
        return 0, _sorted(report)

    def save(row: Row) -> StaffMember:
        values = row.values
        return staff_services.staff_create(
            actor=actor,
            institution=institution,
            name=values["name"],
            id_number=values["id_number"],
            gender=values["gender"],
            role=values["role"],
            education=values["education"],
            hired_on=values["hired_on"],
            class_group=values["class_group_object"],
            health_certificate_expires=values["health_certificate_expires"],
            background_checked_on=values["background_checked_on"],
            request=request,
        )

    report = _save(kind, rows, save, actor=actor, obj=institution, event="staff.imported")
    return (0 if report else len(rows)), report


# --- Certificates -------------------------------------------------------------------------------


def _kind_lookup(kinds: Iterable[CertificateKind]) -> dict[str, CertificateKind]:
    lookup = {}
    for kind in kinds:
        for spelling in (kind.name, kind.code, kind.name_en):
            if spelling:
                lookup.setdefault(fold(spelling), kind)
    return lookup


def certificate_import(*, actor, institution: Institution, file) -> tuple[int, Report]:
    """Record every certificate of the file for the institution's current staff, or none."""
    staff_services.require_roster_keeper(actor, institution)
    kind = CERTIFICATES
    rows, report = _read(file, kind)
    if not rows:
        return 0, report
    id_column, kind_column, level_column, number_column, expiry_column = (
        column_of(kind, key) for key in ("id_number", "kind", "level", "number", "expires_on")
    )
    kinds = list(selectors.certificate_kinds(actor=actor))
    by_spelling = _kind_lookup(kinds)
    hashes = {keyed_hash(row.values["id_number"]) for row in rows if row.values.get("id_number")}
    members = {
        member.id_hash: member
        for member in selectors.staff_list(actor=actor, institution=institution)
        .prefetch_related(None)
        .filter(id_hash__in=hashes)
    }
    for row in rows:
        values = row.values
        if values.get("id_number"):
            values["member"] = members.get(keyed_hash(values["id_number"]))
            if values["member"] is None:
                # Said the same whether or not the person works elsewhere.
                report.add(row.number, id_column, _("No one with this ID number is on your institution's current "
                                                    "staff: add the person to the staff first."))  # fmt: skip
        spelling = values.get("kind")
        if spelling:
            certificate_kind = by_spelling.get(fold(spelling))
            values["kind_object"] = certificate_kind
            if certificate_kind is None:
                message = _("Unknown kind of certificate “%(value)s”: write one of %(names)s.")
                names = "、".join(k.name for k in kinds)
                report.add(row.number, kind_column, message % {"value": spelling, "names": names})
            elif certificate_kind.levels:
                levels = {fold(level): level for level in certificate_kind.levels}
                level = levels.get(fold(values.get("level") or ""))
                if level is None:
                    message = _("%(kind)s has the levels %(levels)s: write one of them.")
                    levels_text = "、".join(certificate_kind.levels)
                    figures = {"kind": certificate_kind.name, "levels": levels_text}
                    report.add(row.number, level_column, message % figures)
                else:
                    values["level"] = level
        issued, expires = values.get("issued_on"), values.get("expires_on")
        if issued and expires and expires < issued:
            report.add(row.number, expiry_column, _("The certificate cannot expire before it was issued."))
    numbered = [row for row in rows if row.values.get("kind_object") and row.values.get("number")]
    _note_duplicates(numbered, report, number_column,
                     lambda row: (row.values["kind_object"].pk, row.values["number"]),
                     _("The same certificate (kind and number) is on row %(row)d too."))  # fmt: skip
    recorded = set(
        Certificate.objects.filter(
            kind__in={row.values["kind_object"].pk for row in numbered},
            number__in={row.values["number"] for row in numbered},
        ).values_list("kind_id", "number")
    )
    for row in numbered:
        if (row.values["kind_object"].pk, row.values["number"]) in recorded:
            report.add(row.number, number_column, _("A certificate of this kind with this number is already recorded."))
    if report:
        return 0, _sorted(report)

    def save(row: Row) -> Certificate:
        values = row.values
        return certificate_services.certificate_add(
            actor=actor,
            member=values["member"],
            kind=values["kind_object"],
            number=values["number"],
            issuer=values["issuer"],
            issued_on=values["issued_on"],
            level=values["level"] or "",
            expires_on=values["expires_on"],
        )

    report = _save(kind, rows, save, actor=actor, obj=institution, event="certificates.imported")
    return (0 if report else len(rows)), report


# --- Participants -------------------------------------------------------------------------------


def _in_area(programme: TrainingProgramme, member: StaffMember) -> bool:
    area = programme.region.code
    return member.institution.township.code.startswith(area) or area.startswith(member.institution.township.code)


def participant_import(*, actor, programme: TrainingProgramme, file) -> tuple[int, Report]:
    """Add every participant of the file to the programme, or none (its runners only)."""
    programme_services.require_runner(actor, programme)
    kind = PARTICIPANTS
    rows, report = _read(file, kind)
    if not rows:
        return 0, report
    name_column, village_column, staff_column = (column_of(kind, key) for key in ("name", "village", "staff"))
    hashes = {keyed_hash(row.values["staff"]) for row in rows if row.values.get("staff")}
    in_sight: dict[str, list[StaffMember]] = {}
    staff = selectors.staff_list(actor=actor).prefetch_related(None).filter(id_hash__in=hashes)
    for member in staff.order_by("institution__name", "pk"):
        in_sight.setdefault(member.id_hash, []).append(member)
    joined = set(
        selectors.participant_list(actor=actor, programme=programme)
        .prefetch_related(None)
        .filter(staff__isnull=False)
        .values_list("staff_id", flat=True)
    )
    codes = {row.values["village"] for row in rows if row.values.get("village")}
    regions = registry_selectors.regions_by_code(actor=actor, codes=codes)
    allowed = {village.code: village for village in selectors.programme_villages(actor=actor, programme=programme)}
    for row in rows:
        values = row.values
        participant_kind = values.get("kind")
        values["member"] = values["village_region"] = None
        if participant_kind == PK.STAFF:
            if values.get("village"):
                report.add(row.number, village_column, _("A staff participant's township follows from their "
                                                         "institution: leave this cell empty."))  # fmt: skip
            number = values.get("staff")
            if not number and not _report_has(report, row.number, staff_column):
                report.add(row.number, staff_column, _("Required for staff: the ID number finds them on the roster."))
            elif number:
                candidates = in_sight.get(keyed_hash(number), [])
                inside = [member for member in candidates if _in_area(programme, member)]
                if not candidates:
                    report.add(row.number, staff_column, _("No one with this ID number is on the current staff of an "
                                                           "institution whose roster you may see."))  # fmt: skip
                elif not inside:
                    message = _("This person works outside the area of the programme (%(area)s).")
                    report.add(row.number, staff_column, message % {"area": programme.region.name})
                else:
                    # Someone on two rosters joins through the first one in sight (by institution name);
                    # the organiser is not told about the other (the duplicate flag is the bureau's).
                    member = values["member"] = inside[0]
                    if member.pk in joined:
                        report.add(row.number, staff_column, _("This staff member is already a participant."))
                    name = values.get("name")
                    if name and fold(name) != fold(member.name):
                        report.add(row.number, name_column, _("The roster holds this ID number under the name "
                                                              "%(name)s.") % {"name": member.name})  # fmt: skip
        elif participant_kind:
            if values.get("staff"):
                report.add(row.number, staff_column, _("Only staff participants are found by ID number: leave this "
                                                       "cell empty."))  # fmt: skip
            if not values.get("name") and not _report_has(report, row.number, name_column):
                report.add(row.number, name_column, _("Required: this cell is empty."))
            if (participant_kind == PK.VILLAGE_INSTRUCTOR and not values.get("village")
                    and not _report_has(report, row.number, village_column)):  # fmt: skip
                report.add(row.number, village_column, _("Required for a village health instructor: the code of "
                                                         "their village or community."))  # fmt: skip
        code = values.get("village")
        if code and participant_kind != PK.STAFF:
            village = regions.get(code)
            if village is None:
                report.add(row.number, village_column, _("No village or community has the code %(code)s.")
                           % {"code": code})  # fmt: skip
            elif village.level != Region.Level.VILLAGE:
                report.add(row.number, village_column,
                           _("%(code)s is the code of %(name)s, not of a village or community.")
                           % {"code": code, "name": village.name})  # fmt: skip
            elif code not in allowed:
                report.add(row.number, village_column, _("%(name)s is outside the area of the programme (%(area)s).")
                           % {"name": village.name, "area": programme.region.name})  # fmt: skip
            else:
                values["village_region"] = allowed[code]
    _note_duplicates(rows, report, staff_column, lambda row: row.values["member"].pk if row.values["member"] else None,
                     _("The same staff member is on row %(row)d too."))  # fmt: skip
    _note_duplicates(
        rows,
        report,
        name_column,
        lambda row: (
            None
            if row.values["member"] or not row.values.get("name")
            else (row.values.get("kind"), fold(row.values["name"]), row.values.get("village"), row.values.get("phone"))
        ),
        _("The same person is on row %(row)d too."),
    )
    if report:
        return 0, _sorted(report)

    def save(row: Row) -> Participant:
        values = row.values
        return programme_services.participant_add(
            actor=actor,
            programme=programme,
            kind=values["kind"],
            name=values.get("name") or "",
            staff=values["member"],
            village=values["village_region"],
            phone=values.get("phone") or "",
        )

    report = _save(kind, rows, save, actor=actor, obj=programme, event="participants.imported")
    return (0 if report else len(rows)), report


def _report_has(report: Report, row: int, column: Column) -> bool:
    """Whether the report already says something about this cell (one message per cell)."""
    return any(item["row"] == row and item["column"] == column.header for item in report.items)


# --- The templates ------------------------------------------------------------------------------


def _lists(kind: str, kinds_count: int) -> dict[str, str]:
    """Drop-down lists of the data sheet: a quoted list, or a range of another sheet."""
    lists = {column.key: '"' + ",".join(NAMES[column.kind].values()) + '"' for column in COLUMNS[kind]
             if column.kind in NAMES}  # fmt: skip
    if kind == CERTIFICATES and kinds_count:
        lists["kind"] = f"'{CERTIFICATE_KINDS_SHEET}'!$A$2:$A${kinds_count + 1}"
    return lists


def column_help(column: Column) -> str:
    """How to fill in a column, in the user's language (the instructions sheet and the page)."""
    if column.kind in NAMES:
        return str(column.help) % {"names": _names(column.kind)}
    sheet = {"class_group": CLASSES_SHEET, "certificate_kind": CERTIFICATE_KINDS_SHEET, "village": CODES_SHEET}
    if column.key == "level":
        return str(column.help) % {"sheet": CERTIFICATE_KINDS_SHEET}
    if column.kind in sheet:
        return str(column.help) % {"sheet": sheet[column.kind]}
    return str(column.help)


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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    extra_title, extra_headers, extra_rows = extra
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
        if column.kind in ("id_number", "village", "mobile", "text"):
            # Text, so that Excel keeps every digit of ID numbers, codes and mobiles.
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind in ("date", "past_date"):
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        formula = _lists(kind, len(extra_rows)).get(column.key)
        if formula:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append([_("How to fill in this template")])
    help_sheet["A1"].font = Font(bold=True, size=14)
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
    for note in notes:
        help_sheet.append([note])
    help_sheet.append([])
    help_sheet.append([_("Column"), _("Required"), _("How to fill it in"), _("Example")])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = bold
    for column in columns:
        help_sheet.append([column.header, _("Yes") if column.required else _("No"), column_help(column),
                           EXAMPLES[kind][column.key]])  # fmt: skip
    for letter, width in (("A", 22), ("B", 10), ("C", 80), ("D", 28)):
        help_sheet.column_dimensions[letter].width = width
    for line in help_sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    lists = workbook.create_sheet(extra_title)
    lists.append(extra_headers)
    for cell in lists[1]:
        cell.font = bold
    for line in extra_rows:
        lists.append(line)
    for index in range(1, len(extra_headers) + 1):
        lists.column_dimensions[get_column_letter(index)].width = 24
    lists.freeze_panes = "A2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
