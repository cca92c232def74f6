"""The workforce API in the permission matrix: staff, certificates, rates, expiries, programmes,
participants and village coverage.

Who sees what (accounts.policy rules 23-25 and 30):
- staff and certificates: the institution's own members, the township around it, the health
  bureau (``staff.oversee``) and the HR bureau (``certificate.verify``). Staff A is a caregiver
  of institution A (nursery1, 泗门镇), staff B of institution B (nursery2, 梨洲街道).
- only the institution's officers add, change, end and withdraw; only the HR bureau verifies
  and rejects; only ``staff.reveal`` (health, hrss) reveals a full ID number: the one answer the
  matrix run lets carry full ID numbers (``reveals_to``).
- programmes and sessions: every member. Programme H is run by the health bureau for the city,
  programme T by the 泗门镇 government for its villages; only the organiser's officers run them.
- participants: the organiser, the health bureau, the township of the area or the village (a
  public participant of programme H is seen by the health bureau only; of programme T by simen
  and the health bureau).

Targets that an action changes are made afresh per requesting user, inside the test's
transaction, so that each user finds them in their starting state.
"""

import itertools
from datetime import date
from decimal import Decimal

from accounts import idnumbers
from accounts.crypto import keyed_hash
from accounts.models import Organisation, Region
from registry.models import Institution
from tests.permission_matrix import (
    INSTITUTION_A_SIGHT,
    INSTITUTIONS,
    LOGGED_IN,
    MEMBERS,
    TOWNSHIP_A_REGION_SIGHT,
    Case,
    _api,
)
from training.models import (
    Certificate,
    CertificateKind,
    Participant,
    StaffMember,
    TrainingProgramme,
    TrainingSession,
)

INSTITUTION_A = "demo-simen-xingxing"
INSTITUTION_B = "demo-lizhou-yangguang"
STAFF_SIGHT = {
    "a": frozenset({"health", "hrss", "simen", "nursery1"}),
    "b": frozenset({"health", "hrss", "lizhou", "nursery2"}),
}
KEEPER = {"a": frozenset({"nursery1"}), "b": frozenset({"nursery2"})}
VERIFIER = frozenset({"hrss"})
REVEALERS = frozenset({"health", "hrss"})
# Who runs each programme, and who sees a public participant of it.
RUNNER = {"h": frozenset({"health"}), "t": frozenset({"simen"})}
PARTICIPANT_SIGHT = {"h": frozenset({"health"}), "t": frozenset({"health", "simen"})}
# Trainer training for the city: the HR, health and education bureaus hold ``training.run``.
CITY_TRAINERS = frozenset({"health", "hrss", "edu"})

_sequence = itertools.count(1)


def _id_number(sequence: int) -> str:
    """A valid ID number no demo row and no other test uses (born 1970-01-01)."""
    first17 = f"330281{date(1970, 1, 1):%Y%m%d}{sequence % 1000:03d}"
    return first17 + idnumbers.check_character(first17)


def _institution(side: str) -> Institution:
    return Institution.objects.get(organisation__code=INSTITUTION_A if side == "a" else INSTITUTION_B)


def staff(side: str) -> StaffMember:
    """A new caregiver of institution A or B, employed since 2024."""
    number = _id_number(next(_sequence))
    return StaffMember.objects.create(
        institution=_institution(side), name=f"矩阵员工{side.upper()}", id_number=number, id_hash=keyed_hash(number),
        gender=StaffMember.Gender.FEMALE, role=StaffMember.Role.CAREGIVER, education=StaffMember.Education.COLLEGE,
        hired_on=date(2024, 1, 1),
    )  # fmt: skip


def certificate(side: str) -> Certificate:
    """A new certificate of a new caregiver of A or B, waiting for the HR bureau."""
    return Certificate.objects.create(
        staff=staff(side), kind=CertificateKind.objects.get(code="infant-carer"), level="四级",
        number=f"矩阵证书{next(_sequence):05d}", issuer="浙江省人力资源和社会保障厅", issued_on=date(2025, 1, 1),
    )  # fmt: skip


def programme(which: str) -> TrainingProgramme:
    """Programme H (the health bureau's city trainers) or T (泗门镇's village instructors)."""
    title = f"【矩阵】培训{which.upper()}"
    existing = TrainingProgramme.objects.filter(title=title).first()
    if existing is not None:
        return existing
    if which == "h":
        kind, organiser, region = TrainingProgramme.Kind.TRAINER_CITY, "health", "330281"
    else:
        kind, organiser, region = TrainingProgramme.Kind.VILLAGE_INSTRUCTOR, "township-330281103", "330281103"
    return TrainingProgramme.objects.create(
        kind=kind, title=title, organiser=Organisation.objects.get(code=organiser),
        region=Region.objects.get(code=region), starts_on=date(2025, 1, 1), ends_on=date(2030, 12, 31),
    )  # fmt: skip


def session(which: str) -> TrainingSession:
    target = programme(which)
    return target.sessions.first() or TrainingSession.objects.create(
        programme=target, held_on=date(2026, 3, 1), place="指导中心", hours=Decimal("3.0"), trainer="矩阵讲师"
    )


def participant(which: str) -> Participant:
    target = programme(which)
    existing = target.participants.filter(kind=Participant.Kind.PUBLIC).first()
    return existing or Participant.objects.create(programme=target, kind=Participant.Kind.PUBLIC, name="矩阵学员")


class _Lazy(dict):
    """Request data built when the request is sent (it names rows made by the targets); the
    test client reads data through ``items()``."""

    def __init__(self, build):
        super().__init__()
        self._build = build

    def __bool__(self):
        return True

    def items(self):
        return self._build().items()


def _new_person(**extra) -> dict:
    return {
        "name": "矩阵新人", "id_number": _id_number(900 + next(_sequence) % 50), "gender": "female",
        "role": "caregiver", "education": "college", "hired_on": "2025-09-01", **extra,
    }  # fmt: skip


TARGETS = {
    "api_staff_a": lambda username: {"pk": staff("a").pk},
    "api_staff_b": lambda username: {"pk": staff("b").pk},
    "api_certificate_a": lambda username: {"pk": certificate("a").pk},
    "api_certificate_b": lambda username: {"pk": certificate("b").pk},
    "api_institution_a": lambda username: {"pk": _institution("a").pk},
    "api_programme_h": lambda username: {"pk": programme("h").pk},
    "api_programme_t": lambda username: {"pk": programme("t").pk},
    "api_session_h": lambda username: {"pk": session("h").pk},
    "api_session_t": lambda username: {"pk": session("t").pk},
    "api_participant_h": lambda username: {"pk": participant("h").pk},
    "api_participant_t": lambda username: {"pk": participant("t").pk},
}


def _staff_sides(url_name: str, allowed: dict | None = None, **kwargs) -> list[Case]:
    """The same case on staff (or a certificate) of A and of B: ``allowed`` (by default the
    whole sight) get ``ok``, the rest of the sight 403, everyone else 404."""
    target = kwargs.pop("target", "api_staff_?")
    cases = []
    for side in ("a", "b"):
        ok = allowed[side] if allowed else STAFF_SIGHT[side]
        cases.append(_api(url_name, ok, target=target.replace("?", side), visible=STAFF_SIGHT[side] - ok, **kwargs))
    return cases


def _programmes(url_name: str, target: str, allowed: dict | None, sight: dict | None = None, **kwargs) -> list[Case]:
    """The same case on programme H and T (``?`` in the target). By default every member sees it
    (operators and the stranger: 404)."""
    cases = []
    for which in ("h", "t"):
        seen = sight[which] if sight else MEMBERS
        ok = allowed[which] if allowed else seen
        cases.append(_api(url_name, ok, target=target.replace("?", which), visible=seen - ok, **kwargs))
    return cases


CASES = [
    # --- staff -------------------------------------------------------------------------
    # Everyone logged in gets the list; each sees only the staff in sight (tests/training/test_api.py).
    _api("api_staff_list", LOGGED_IN),
    # Without an institution the person joins the user's own: the two institutions' heads.
    _api("api_staff_create", INSTITUTIONS, method="post", ok=201, denied=403, data=_Lazy(_new_person)),
    _api(
        "api_staff_create",
        KEEPER["a"],
        method="post",
        ok=201,
        visible=INSTITUTION_A_SIGHT - KEEPER["a"],
        data=_Lazy(lambda: _new_person(institution=_institution("a").pk)),
    ),
    *_staff_sides("api_staff_detail"),
    # An empty body changes nothing: the test client sends a PATCH body as raw bytes.
    *_staff_sides("api_staff_update", KEEPER, method="patch", data=""),
    *_staff_sides("api_staff_leave", KEEPER, method="post", data={"left_on": "2025-12-31"}),
    *_staff_sides(
        "api_staff_reveal",
        {"a": REVEALERS, "b": REVEALERS},
        method="post",
        data={"reason": "核对从业人员身份"},
        reveals_to=REVEALERS,
    ),
    # --- certificates ------------------------------------------------------------------
    _api("api_certificate_list", LOGGED_IN),
    *[
        _api(
            "api_certificate_create",
            KEEPER[side],
            method="post",
            ok=201,
            visible=STAFF_SIGHT[side] - KEEPER[side],
            data=_Lazy(
                lambda side=side: {
                    "staff": staff(side).pk,
                    "kind": "infant-carer",
                    "level": "四级",
                    "number": f"矩阵新证{next(_sequence):05d}",
                    "issuer": "浙江省人力资源和社会保障厅",
                    "issued_on": "2025-06-01",
                }
            ),
        )
        for side in ("a", "b")
    ],
    *_staff_sides("api_certificate_detail", target="api_certificate_?"),
    *_staff_sides("api_certificate_withdraw", KEEPER, target="api_certificate_?", method="delete", ok=204),
    *_staff_sides("api_certificate_verify", {"a": VERIFIER, "b": VERIFIER}, target="api_certificate_?", method="post"),
    *_staff_sides(
        "api_certificate_reject",
        {"a": VERIFIER, "b": VERIFIER},
        target="api_certificate_?",
        method="post",
        data={"note": "扫描件不清晰"},
    ),
    _api("api_certificate_kind_list", LOGGED_IN),
    _api("api_certificate_expiring", LOGGED_IN),
    # --- rates and coverage ------------------------------------------------------------
    _api("api_certification_rates", LOGGED_IN),
    # The township's rows: whoever sees the region (empty for those who see no staff there).
    _api("api_certification_rates_township", TOWNSHIP_A_REGION_SIGHT, target="township_a_region"),
    # One institution's rate: those who see its roster; the rest of its sight 403.
    _api(
        "api_institution_rate",
        STAFF_SIGHT["a"],
        target="api_institution_a",
        visible=INSTITUTION_A_SIGHT - STAFF_SIGHT["a"],
    ),
    _api("api_village_coverage", LOGGED_IN),
    # --- programmes --------------------------------------------------------------------
    _api("api_programme_list", LOGGED_IN),
    _api(
        "api_programme_create",
        CITY_TRAINERS,
        method="post",
        ok=201,
        denied=403,
        data={
            "kind": "trainer_city",
            "title": "矩阵师资培训",
            "region": "330281",
            "starts_on": "2026-01-01",
            "ends_on": "2026-01-02",
        },
    ),
    *_programmes("api_programme_detail", "api_programme_?", None),
    *_programmes(
        "api_session_create",
        "api_programme_?",
        RUNNER,
        method="post",
        ok=201,
        data={"held_on": "2026-04-01", "place": "指导中心", "hours": "3", "trainer": "矩阵讲师"},
    ),
    *_programmes("api_participant_list", "api_programme_?", None),
    *_programmes(
        "api_participant_create",
        "api_programme_?",
        RUNNER,
        method="post",
        ok=201,
        data={"kind": "public", "name": "矩阵新学员"},
    ),
    *[
        _api(
            "api_session_attendance",
            RUNNER[which],
            target=f"api_session_{which}",
            method="post",
            visible=MEMBERS - RUNNER[which],
            data=_Lazy(lambda which=which: {"participants": [participant(which).pk]}),
        )
        for which in ("h", "t")
    ],
    *_programmes(
        "api_participant_assessment",
        "api_participant_?",
        RUNNER,
        PARTICIPANT_SIGHT,
        method="post",
        data={"assessment": "passed", "score": "90"},
    ),
]
