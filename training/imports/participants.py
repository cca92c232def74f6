"""The participant import: every row checked and added to the programme, or none (its runners only)."""

from django.utils.translation import gettext as _

from accounts.crypto import keyed_hash
from paperwork.spreadsheets import Report, Row, fold, note_duplicates
from registry import selectors as registry_selectors
from registry.imports import village_problem
from training import selectors
from training.imports.columns import PARTICIPANTS, PK, column_of
from training.imports.reading import read, save_all
from training.models import Participant, StaffMember, TrainingProgramme
from training.services import programmes as programme_services


def _in_area(programme: TrainingProgramme, member: StaffMember) -> bool:
    area = programme.region.code
    return member.institution.township.code.startswith(area) or area.startswith(member.institution.township.code)


def participant_import(*, actor, programme: TrainingProgramme, file, tracker=None) -> tuple[int, Report]:
    """Add every participant of the file to the programme, or none (its runners only)."""
    programme_services.require_runner(actor, programme)
    kind = PARTICIPANTS
    rows, report = read(file, kind, tracker=tracker)
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
            if not number and not report.has(row.number, staff_column):
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
            if not values.get("name") and not report.has(row.number, name_column):
                report.add(row.number, name_column, _("Required: this cell is empty."))
            if (participant_kind == PK.VILLAGE_INSTRUCTOR and not values.get("village")
                    and not report.has(row.number, village_column)):  # fmt: skip
                report.add(row.number, village_column, _("Required for a village health instructor: the code of "
                                                         "their village or community."))  # fmt: skip
        code = values.get("village")
        if code and participant_kind != PK.STAFF:
            village = regions.get(code)
            problem = village_problem(code, village)
            if problem:
                report.add(row.number, village_column, problem)
            elif code not in allowed:
                report.add(row.number, village_column, _("%(name)s is outside the area of the programme (%(area)s).")
                           % {"name": village.name, "area": programme.region.name})  # fmt: skip
            else:
                values["village_region"] = allowed[code]
    note_duplicates(rows, report, staff_column, lambda row: row.values["member"].pk if row.values["member"] else None,
                     _("The same staff member is on row %(row)d too."))  # fmt: skip
    note_duplicates(
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
        return 0, report.sorted()

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

    report = save_all(kind, rows, save, actor=actor, obj=programme, event="participants.imported", tracker=tracker)
    return (0 if report else len(rows)), report
