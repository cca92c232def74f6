"""The workforce imports from Excel in the permission matrix.

- Staff and certificates: an institution's own officers import into their own roster
  (``institution.self``): nursery1 and nursery2 each open their page; everyone else gets 403
  (there is no object to hide). An empty upload comes back with its error (200).
- Participants: only the organiser's officers may import into a programme (rule 30); every
  other member sees the programme and gets 403; operators and the stranger see no programme
  (404). Programme S is run by the 泗门镇 government for 泗门镇 (village health instructors),
  programme R by the HR bureau city-wide (pre-job training).
- The blank templates: any member of an organisation (operators and the stranger get 403).
"""

from datetime import date

from accounts.models import Organisation, Region
from tests.permission_matrix import INSTITUTIONS, MEMBERS, Case
from training.models import TrainingProgramme

TITLE = {"s": "【矩阵】泗门镇指导员导入", "r": "【矩阵】人社局岗前培训导入"}
ORGANISER = {"s": frozenset({"simen"}), "r": frozenset({"hrss"})}


def programme(side: str) -> TrainingProgramme:
    existing = TrainingProgramme.objects.filter(title=TITLE[side]).first()
    if existing is not None:
        return existing
    if side == "s":
        kind, organiser, region = TrainingProgramme.Kind.VILLAGE_INSTRUCTOR, "township-330281103", "330281103"
    else:
        kind, organiser, region = TrainingProgramme.Kind.PRE_JOB, "hrss", "330281"
    return TrainingProgramme.objects.create(
        kind=kind,
        title=TITLE[side],
        organiser=Organisation.objects.get(code=organiser),
        region=Region.objects.get(code=region),
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 3),
    )


TARGETS = {
    "import_programme_s": lambda username: {"pk": programme("s").pk},
    "import_programme_r": lambda username: {"pk": programme("r").pk},
    "import_template_staff": lambda username: {"kind": "staff"},
    "import_template_certificates": lambda username: {"kind": "certificates"},
    "import_template_participants": lambda username: {"kind": "participants"},
}

CASES = [
    Case("staff_import", INSTITUTIONS, denied=403),
    Case("staff_import", INSTITUTIONS, method="post", denied=403),
    Case("certificate_import", INSTITUTIONS, denied=403),
    Case("certificate_import", INSTITUTIONS, method="post", denied=403),
    *(
        Case(
            "participant_import",
            ORGANISER[side],
            target=f"import_programme_{side}",
            method=method,
            visible=MEMBERS - ORGANISER[side],
        )
        for side in ("s", "r")
        for method in ("get", "post")
    ),
    Case("training_import_template", MEMBERS, target="import_template_staff", denied=403),
    Case("training_import_template", MEMBERS, target="import_template_certificates", denied=403),
    Case("training_import_template", MEMBERS, target="import_template_participants", denied=403),
]
