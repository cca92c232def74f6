"""The staff import: every row screened, checked and added to the institution's roster, or none."""

from django.utils.translation import gettext as _

from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from paperwork.spreadsheets import Report, Row, fold, note_duplicates
from registry.models import Institution
from training import selectors
from training.imports.columns import STAFF, column_of
from training.imports.reading import read, save_all
from training.models import StaffMember
from training.services import staff as staff_services


def staff_import(*, actor, institution: Institution, file, request=None, tracker=None) -> tuple[int, Report]:
    """Add every row of the file to the institution's roster, or none. Returns (rows imported,
    report); the report is empty when the rows were saved."""
    staff_services.require_roster_keeper(actor, institution)
    kind = STAFF
    rows, report = read(file, kind, tracker=tracker)
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
    note_duplicates(rows, report, id_column, lambda row: row.values.get("id_number") or None,
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
        return 0, report.sorted()

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

    report = save_all(kind, rows, save, actor=actor, obj=institution, event="staff.imported", tracker=tracker)
    return (0 if report else len(rows)), report
