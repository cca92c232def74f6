"""The training programme pages and the village coverage page in the permission matrix.

Who sees and does what (accounts.policy rules 24, 25 and 30):
- programmes and their sessions are facts every member sees: the list, the export and a
  programme's page answer 200 to every member, 404 (pages of objects) or an empty list to
  accounts with no organisation (operators, the stranger);
- running a programme (status, sessions, participants, attendance, assessment) is for the
  organiser's officers only: everyone else who sees the programme gets 403;
- a participant is seen by the organiser, the health bureau (``staff.oversee``), the township
  whose territory holds the programme's area or the participant's village, and an institution
  for its own staff; anyone else gets 404 on the participant's assessment page;
- a new programme: members whose organisations hold a running duty (``training.run``:
  health, hrss, edu; ``guidance.manage``: the townships); everyone else 403;
- village coverage: members of a government organisation; institutions, operators and the
  stranger get 403.

Programme H is organised by the health bureau for 梨洲街道 (township-level trainer training)
with a participant who is on nursery2's roster; programme S is organised by the 泗门镇
government (``township-330281103``) for its own township, with a village health instructor of
a 泗门镇 village. Targets are made once per test inside its transaction.
"""

from datetime import date
from decimal import Decimal

from accounts.models import Organisation, Region
from tests.permission_matrix import LOGGED_IN, MEMBERS, STAFF, TOWNSHIPS, Case
from training.models import Participant, StaffMember, TrainingProgramme, TrainingSession

TOWNSHIP_A, TOWNSHIP_B = "330281103", "330281001"  # 泗门镇 (simen), 梨洲街道 (lizhou)
TITLE = {"h": "【矩阵】卫健局梨洲街道师资培训", "s": "【矩阵】泗门镇村卫生健康指导员培训"}
STARTS, ENDS = date(2020, 1, 1), date(2099, 12, 31)

RUNNERS = frozenset({"health", "hrss", "edu", "simen", "lizhou"})
GOVERNMENT = STAFF | TOWNSHIPS
ORGANISER = {"h": frozenset({"health"}), "s": frozenset({"simen"})}
PARTICIPANT_SIGHT = {
    # organiser and staff.oversee; the township of the area (梨洲街道); nursery2 for its staff.
    "h": frozenset({"health", "lizhou", "nursery2"}),
    # organiser (the township itself) and the health bureau.
    "s": frozenset({"health", "simen"}),
}


def programme(side: str) -> TrainingProgramme:
    existing = TrainingProgramme.objects.filter(title=TITLE[side]).first()
    if existing is not None:
        return existing
    if side == "h":
        kind, organiser, region = TrainingProgramme.Kind.TRAINER_TOWNSHIP, "health", TOWNSHIP_B
    else:
        kind, organiser, region = TrainingProgramme.Kind.VILLAGE_INSTRUCTOR, f"township-{TOWNSHIP_A}", TOWNSHIP_A
    return TrainingProgramme.objects.create(
        kind=kind, title=TITLE[side], organiser=Organisation.objects.get(code=organiser),
        region=Region.objects.get(code=region), starts_on=STARTS, ends_on=ENDS,
    )  # fmt: skip


def session(side: str) -> TrainingSession:
    target = programme(side)
    return target.sessions.first() or TrainingSession.objects.create(
        programme=target, held_on=date(2026, 5, 1), place="矩阵培训室", hours=Decimal("3.0"), trainer="矩阵讲师"
    )


def participant(side: str) -> Participant:
    target = programme(side)
    existing = target.participants.first()
    if existing is not None:
        return existing
    if side == "h":
        member = StaffMember.objects.filter(institution__organisation__code="demo-lizhou-yangguang").first()
        return Participant.objects.create(
            programme=target, kind=Participant.Kind.STAFF, staff=member, name=member.name,
            township=Region.objects.get(code=TOWNSHIP_B),
        )  # fmt: skip
    village = Region.objects.filter(parent__code=TOWNSHIP_A).order_by("code").last()
    return Participant.objects.create(
        programme=target, kind=Participant.Kind.VILLAGE_INSTRUCTOR, name="矩阵指导员", village=village,
        township=village.parent, phone="13900001111",
    )  # fmt: skip


TARGETS = {
    "programme_h": lambda username: {"pk": programme("h").pk},
    "programme_s": lambda username: {"pk": programme("s").pk},
    "session_h": lambda username: {"pk": session("h").pk},
    "session_s": lambda username: {"pk": session("s").pk},
    "participant_h": lambda username: {"pk": participant("h").pk},
    "participant_s": lambda username: {"pk": participant("s").pk},
}


def _run(url_name: str, target: str, sight: dict | None = None, **kwargs) -> list[Case]:
    """The case on side H's and side S's object (``?`` in the target): the organiser's officers
    get ``ok``; the rest of the sight (every member, unless ``sight`` says otherwise) 403;
    everyone else 404."""
    cases = []
    for side in ("h", "s"):
        seen = sight[side] if sight else MEMBERS
        cases.append(
            Case(url_name, ORGANISER[side], target=target.replace("?", side), visible=seen - ORGANISER[side], **kwargs)
        )
    return cases


CASES = [
    # Every logged-in account opens the list and the export; what is in them is scoped.
    Case("programme_list", LOGGED_IN),
    Case("programme_export", LOGGED_IN),
    Case("programme_create", RUNNERS, denied=403),
    # An empty form comes back with its errors (200) to whoever may run a programme.
    Case("programme_create", RUNNERS, method="post", denied=403),
    Case("programme_detail", MEMBERS, target="programme_h"),
    Case("programme_detail", MEMBERS, target="programme_s"),
    *_run("programme_status", "programme_?", method="post", ok=302, data={"status": "running"}),
    *_run("session_create", "programme_?"),
    *_run(
        "session_create",
        "programme_?",
        method="post",
        ok=302,
        data={"held_on": "2026-06-01", "place": "矩阵会议室", "hours": "2.5", "trainer": "矩阵讲师"},
    ),  # fmt: skip
    *_run("participant_create", "programme_?", method="post", ok=302, data={"kind": "public", "name": "矩阵学员"}),
    *_run("session_attendance", "session_?"),
    *_run("session_attendance", "session_?", method="post", ok=302),
    *_run("participant_assess", "participant_?", PARTICIPANT_SIGHT),
    *_run(
        "participant_assess",
        "participant_?",
        PARTICIPANT_SIGHT,
        method="post",
        ok=302,
        data={"assessment": "passed", "score": "90", "completed_on": "2026-06-02", "certificate_number": "矩阵001"},
    ),  # fmt: skip
    Case("village_coverage", GOVERNMENT, denied=403),
]
