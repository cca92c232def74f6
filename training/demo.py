"""Demo workforce data: rosters for the demo institutions, certificates in every state,
training programmes of every kind, and trained village health instructors in some villages.

Seed data, written directly (the audit triggers still record it). The ID numbers are
fictional but valid (region 330281, check character computed); nobody on the demo ban list
is on a roster. A second run adds nothing."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import idnumbers
from accounts.crypto import keyed_hash
from accounts.models import Organisation, Region
from paperwork import files
from registry.demo import DEMO_PDF
from registry.models import Institution
from training.models import (
    Certificate,
    CertificateKind,
    Participant,
    StaffMember,
    TrainingProgramme,
    TrainingSession,
)

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN = ["丽", "芳", "敏", "静", "燕", "娟", "霞", "婷", "雪", "萍", "红", "玲", "洁", "琳", "慧"]
# The person on two rosters at once (shown to the health bureau as a duplicate employment).
SHARED_SEQUENCE = 999


def demo_id_number(sequence: int) -> str:
    """A valid, fictional ID number: born 1985-1999, region 330281."""
    born = date(1985, 1, 1) + timedelta(days=(sequence * 37) % 5400)
    first17 = f"330281{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + idnumbers.check_character(first17)


def _name(sequence: int) -> str:
    return f"演示{SURNAMES[sequence % len(SURNAMES)]}{GIVEN[sequence % len(GIVEN)]}"


class _Roster:
    def __init__(self, today: date):
        self.today = today
        self.sequence = 0
        self.kinds = {kind.code: kind for kind in CertificateKind.objects.all()}
        self.hrss = Organisation.objects.get(code="hrss")

    def add(self, institution, role, *, education="high_school", class_group=None, health_expires=None,
            sequence=None) -> StaffMember:  # fmt: skip
        if sequence is None:
            self.sequence += 1
            sequence = self.sequence
        number = demo_id_number(sequence)
        return StaffMember.objects.create(
            institution=institution,
            name=_name(sequence),
            id_number=number,
            id_hash=keyed_hash(number),
            gender=StaffMember.Gender.FEMALE if role != StaffMember.Role.GUARD else StaffMember.Gender.MALE,
            role=role,
            education=education,
            class_group=class_group,
            hired_on=date(2024, 3, 1),
            health_certificate_expires=health_expires or self.today + timedelta(days=200),
            background_checked_on=date(2024, 2, 20),
        )

    def certify(self, member, kind_code, status=Certificate.Status.VERIFIED, expires_on=None) -> Certificate:
        kind = self.kinds[kind_code]
        verified = status != Certificate.Status.PENDING
        return Certificate.objects.create(
            staff=member,
            kind=kind,
            level=kind.levels[0] if kind.levels else "",
            number=f"演示{kind_code[:4].upper()}{member.pk:06d}",
            issuer="浙江省人力资源和社会保障厅" if kind.counts_for_rate else "宁波市卫生健康委员会",
            issued_on=date(2023, 6, 1),
            expires_on=expires_on,
            status=status,
            verified_by=self.hrss if verified else None,
            verified_at=timezone.now() if verified else None,
        )


def _staff_institution(roster: _Roster, institution: Institution, index: int) -> None:
    family = institution.is_family_care_point
    head = roster.add(
        institution, StaffMember.Role.PERSON_IN_CHARGE, education="college" if index % 7 else "high_school"
    )
    roster.certify(head, "childcare-worker")
    if not family:
        nurse = roster.add(institution, StaffMember.Role.HEALTH_WORKER, education="college")
        roster.certify(nurse, "health-care-training")
        roster.add(institution, StaffMember.Role.COOK)
    for group in institution.class_groups.all():
        for place in range(group.caregivers):
            member = roster.add(institution, StaffMember.Role.CAREGIVER, class_group=group)
            # About four in five caregivers hold a counted, verified certificate.
            if (roster.sequence + index) % 5:
                roster.certify(member, "infant-carer" if place % 2 else "childcare-worker")


@transaction.atomic
def load_training_demo() -> int:
    if StaffMember.objects.exists():
        return 0
    today = timezone.localdate()
    roster = _Roster(today)
    institutions = list(
        Institution.objects.filter(status__in=[Institution.Status.OPERATING, Institution.Status.PREPARING])
        .select_related("organisation", "township")
        .prefetch_related("class_groups")
        .order_by("pk")
    )
    for index, institution in enumerate(institutions):
        _staff_institution(roster, institution, index)
    _nursery1_story(roster, today)
    programmes = _programmes(today)
    return StaffMember.objects.count() + len(programmes)


def _nursery1_story(roster: _Roster, today: date) -> None:
    """泗门镇小星星托育园 (nursery1): work for its queue and for the HR bureau's."""
    nursery1 = Institution.objects.get(organisation__code="demo-simen-xingxing")
    group = nursery1.class_groups.order_by("age_band").first()
    waiting = roster.add(nursery1, StaffMember.Role.CAREGIVER, class_group=group)
    pending = roster.certify(waiting, "infant-carer", status=Certificate.Status.PENDING)
    # A scan for the HR bureau to check against (a plainly fictional one-page PDF).
    scan = SimpleUploadedFile("育婴员证书扫描件.pdf", DEMO_PDF)
    pending.scan = files.store(scan, folder="training", allowed=(files.PDF,), max_bytes=len(DEMO_PDF))
    pending.save(update_fields=["scan"])
    expiring = roster.add(nursery1, StaffMember.Role.CAREGIVER, class_group=group,
                          health_expires=today - timedelta(days=3))  # fmt: skip
    roster.certify(expiring, "childcare-worker", expires_on=today + timedelta(days=30))
    # Also on the roster of 梨洲街道阳光宝贝托育中心 (nursery2): a duplicate employment.
    nursery2 = Institution.objects.get(organisation__code="demo-lizhou-yangguang")
    roster.add(nursery1, StaffMember.Role.CAREGIVER, sequence=SHARED_SEQUENCE)
    roster.add(nursery2, StaffMember.Role.CAREGIVER, sequence=SHARED_SEQUENCE)


def _programmes(today: date) -> list[TrainingProgramme]:
    orgs = {org.code: org for org in Organisation.objects.filter(
        code__in=["health", "hrss", "women", "family-planning-association", "township-330281103"])}  # fmt: skip
    city = Region.objects.get(code="330281")
    simen = Region.objects.get(code="330281103")
    year = today.year
    made = []

    def programme(kind, title, organiser, region, start, days=2, status=TrainingProgramme.Status.COMPLETED):
        item = TrainingProgramme.objects.create(
            kind=kind, title=f"【演示】{title}", organiser=orgs[organiser], region=region, starts_on=start,
            ends_on=start + timedelta(days=days - 1), status=status,
        )  # fmt: skip
        for day in range(days):
            TrainingSession.objects.create(
                programme=item, held_on=start + timedelta(days=day), place="余姚市婴幼儿照护服务指导中心",
                hours=Decimal("6.0"), trainer="演示讲师", topic="婴幼儿照护",
            )  # fmt: skip
        made.append(item)
        return item

    def complete(participant, item, passed=True):
        participant.sessions_attended.set(item.sessions.all())
        Participant.objects.filter(pk=participant.pk).update(
            assessment=Participant.Assessment.PASSED if passed else Participant.Assessment.FAILED,
            score=Decimal("86.0") if passed else Decimal("52.0"),
            completed_on=item.ends_on if passed else None,
            certificate_number=f"演示结业{participant.pk:05d}" if passed else "",
        )

    K = TrainingProgramme.Kind
    trainers = programme(K.TRAINER_CITY, f"{year}年市级托育师资培训", "health", city, date(year, 4, 10))
    for sequence in range(8):
        village = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")[sequence * 15]
        person = Participant.objects.create(programme=trainers, kind=Participant.Kind.PUBLIC,
                                            name=_name(500 + sequence), township=village.parent)  # fmt: skip
        complete(person, trainers, passed=sequence != 7)
    programme(K.TRAINER_TOWNSHIP, f"{year}年泗门镇托育师资培训", "township-330281103", simen, date(year, 5, 12))
    instructors = programme(K.VILLAGE_INSTRUCTOR, f"{year}年泗门镇村（社区）卫生健康指导员培训", "health", simen,
                            date(year, 6, 3), days=3)  # fmt: skip
    villages = list(Region.objects.filter(parent=simen).order_by("code"))
    for number, village in enumerate(villages[: max(1, len(villages) * 2 // 3)]):
        person = Participant.objects.create(
            programme=instructors, kind=Participant.Kind.VILLAGE_INSTRUCTOR, name=_name(600 + number),
            village=village, township=simen, phone=f"1390000{number:04d}",
        )  # fmt: skip
        complete(person, instructors)
    pre_job = programme(K.PRE_JOB, f"{year}年托育从业人员岗前培训", "hrss", city, date(year, 3, 2), days=5)
    for member in StaffMember.objects.filter(institution__organisation__code="demo-simen-xingxing")[:3]:
        person = Participant.objects.create(programme=pre_job, kind=Participant.Kind.STAFF, staff=member,
                                            name=member.name, township=simen)  # fmt: skip
        complete(person, pre_job)
    programme(K.FAMILY_CLASS, "【家长课堂】科学育儿入户指导", "women", city, today + timedelta(days=20), days=1,
              status=TrainingProgramme.Status.PLANNED)  # fmt: skip
    programme(K.VOLUNTEER, "托育志愿者服务培训", "family-planning-association", city, date(year, 9, 5), days=1)
    return made
