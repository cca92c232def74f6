"""seed_bench: N x a Yuyao-sized county of fictional data inside Yuyao's own region tree.

The benchmark's worst case is one large tenant: everything lands in Yuyao's villages, so the
city-wide accounts (``health``, ``leader``) see all of it and the townships their share. At scale
1: 300 institutions of every kind and state, about 4,000 staff with certificates, registrations
and filings, ten closed years of annual reviews with findings and rectification orders, training
programmes with participants, the inbox notifications of filings (health bureau, the demo
townships' officials); periodic reports for the years before the demo's.

Deterministic: institution ``i`` is always built from ``Random(SEED + i)``, whatever the scale
it is created at. Idempotent: institutions are keyed ``bench-00000``, ``bench-00001``…, and
everything an institution holds is created in the same transaction, so a second run with the
same scale adds nothing and a larger scale adds only the difference. Rows go in with
``bulk_create``, a chunk of institutions at a time; the audit triggers record them as usual.
Names start with 【压测】 so nobody mistakes them for real ones.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import idnumbers
from accounts.crypto import keyed_hash
from accounts.models import Duty, Notification, Organisation, OrganisationGroupObjectPermission, Region, User
from dashboard.models import PeriodicReport
from inspections.models import AnnualReview, Area, Finding, RectificationOrder, ReviewCycle, SelfReport
from registry.models import ClassGroup, Filing, Institution, Registration
from registry.services.institutions import FOLLOWERS_OF_TYPE
from registry.validators import credit_code_check_character
from training.models import Certificate, CertificateKind, Participant, StaffMember, TrainingProgramme

SEED = 20261207
INSTITUTIONS_PER_SCALE = 300
PROGRAMMES_PER_SCALE = 20
PARTICIPANTS_PER_PROGRAMME = 30
REVIEW_YEARS = 10
CHUNK = 100
MARK = "【压测】"

LF = Institution.LegalForm
PT = Institution.ProviderType
AUTHORITY = {LF.COMPANY: "amr", LF.NONPROFIT: "mca", LF.PUBLIC_INSTITUTION: "editor"}
CODE_PREFIX = {LF.COMPANY: "91", LF.NONPROFIT: "52", LF.PUBLIC_INSTITUTION: "12"}
# (state, weight): what becomes of an institution; filed and operating most often.
STATES = [
    ("filed", 60),
    ("unfiled", 10),
    ("draft", 5),
    ("submitted", 6),
    ("returned", 4),
    ("rejected", 3),
    ("closed", 5),
    ("revoked", 2),
    ("unregistered", 5),
]
PROVIDER_TYPES = [
    (PT.STANDALONE, 45),
    (PT.KINDERGARTEN_CLASS, 15),
    (PT.COMMUNITY_RUN, 15),
    (PT.EMPLOYER_RUN, 5),
    (PT.FAMILY_CARE_POINT, 20),
]
DECISIONS = {"returned": Filing.Status.RETURNED, "rejected": Filing.Status.REJECTED}
FILING_STATUS = {"filed": "filed", "submitted": "pending", "closed": "cancelled", "revoked": "cancelled"}
CERTIFICATE_STATES = [
    (Certificate.Status.VERIFIED, 85),
    (Certificate.Status.PENDING, 12),
    (Certificate.Status.REJECTED, 3),
]
# The demo townships' officials, told of the filings in their township as the health bureau is.
TOWNSHIP_OFFICIALS = {"330281103": "simen", "330281001": "lizhou"}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "丽芳敏静燕娟霞婷雪萍红玲洁琳慧颖莉晶佳欣悦怡倩雯蕾楠"


def pick(rng: random.Random, weighted: list) -> str:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def bench_code(index: int) -> str:
    return f"bench-{index:05d}"


def credit_code(index: int, legal_form: str) -> str:
    first17 = f"{CODE_PREFIX[legal_form]}330281MA9B{index:05d}"[:17]
    return first17 + credit_code_check_character(first17)


def id_number(sequence: int) -> str:
    """A valid, fictional ID number, born in 1960-1969: never one of the demo's (1985-1999)."""
    born = date(1960, 1, 1) + timedelta(days=sequence // 1000)
    first17 = f"330281{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + idnumbers.check_character(first17)


class World:
    """What every chunk refers to, read once."""

    def __init__(self):
        self.today = timezone.localdate()
        self.villages = list(
            Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="330281").order_by("code")
        )
        self.townships = {
            org.jurisdiction_id: org
            for org in Organisation.objects.filter(kind=Organisation.Kind.TOWNSHIP).select_related("group")
        }
        codes = ["health", "fire", "amr", "mca", "editor", "hrss"]
        self.orgs = {org.code: org for org in Organisation.objects.filter(code__in=codes).select_related("group")}
        self.followers = {
            provider_type: list(
                Organisation.objects.filter(duties__code=duty, kind=Organisation.Kind.DEPARTMENT).select_related(
                    "group"
                )
            )
            for provider_type, duty in FOLLOWERS_OF_TYPE.items()
        }
        names = ["health", "fire", "amr", "simen", "lizhou"]
        self.users = {user.username: user for user in User.objects.filter(username__in=names)}
        self.township_users = {
            region.pk: self.users[TOWNSHIP_OFFICIALS[region.code]]
            for region in Region.objects.filter(code__in=TOWNSHIP_OFFICIALS)
        }
        self.view_organisation = Permission.objects.get(
            content_type__app_label="accounts", codename="view_organisation"
        )
        self.institution_duties = list(Duty.objects.filter(code="institution.self"))
        self.kinds = {kind.code: kind for kind in CertificateKind.objects.all()}
        self.cycles = self._cycles()

    def _cycles(self) -> dict[int, ReviewCycle]:
        """The closed review cycles of the last REVIEW_YEARS years (the current one is the demo's)."""
        cycles = {}
        for year in range(self.today.year - REVIEW_YEARS, self.today.year):
            cycles[year], _ = ReviewCycle.objects.get_or_create(
                year=year,
                defaults={
                    "status": ReviewCycle.Status.CLOSED,
                    "self_report_due": date(year, 3, 31),
                    "inspection_due": date(year, 6, 30),
                    "decision_due": date(year, 9, 30),
                    "opened_by": self.users["health"],
                    "opened_at": aware(date(year, 3, 1)),
                    "closed_at": aware(date(year, 12, 1)),
                    "closed_by": self.users["health"],
                },
            )
        return cycles


def aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def seed_bench(*, scale: float = 1, institutions: int | None = None) -> Counter:
    """Create what is missing of the county at this scale; the counts of rows created."""
    total = institutions if institutions is not None else round(scale * INSTITUTIONS_PER_SCALE)
    existing = set(Organisation.objects.filter(code__startswith="bench-").values_list("code", flat=True))
    missing = [index for index in range(total) if bench_code(index) not in existing]
    created = Counter()
    world = World()
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        with transaction.atomic():
            created += _institutions(world, chunk)
    programmes = max(1, round(total * PROGRAMMES_PER_SCALE / INSTITUTIONS_PER_SCALE)) if total else 0
    with transaction.atomic():
        created += _programmes(world, programmes)
        created += _reports(world)
    return created


def _institutions(world: World, indexes: list[int]) -> Counter:
    plans = []
    for index in indexes:
        rng = random.Random(SEED + index)  # noqa: S311 - fictional data, not a secret
        village = world.villages[rng.randrange(len(world.villages))]
        provider_type = pick(rng, PROVIDER_TYPES)
        legal_form = (
            LF.PUBLIC_INSTITUTION if provider_type == PT.KINDERGARTEN_CLASS else rng.choice([LF.COMPANY, LF.NONPROFIT])
        )
        plans.append((index, rng, village, provider_type, legal_form, pick(rng, STATES)))

    groups = Group.objects.bulk_create([Group(name=f"org:{bench_code(plan[0])}") for plan in plans])
    organisations = Organisation.objects.bulk_create(
        Organisation(
            code=bench_code(index),
            name=f"{MARK}{village.name}第{index + 1}托育机构",
            kind=Organisation.Kind.INSTITUTION,
            jurisdiction=village,
            group=group,
        )
        for (index, _rng, village, *_), group in zip(plans, groups, strict=True)
    )
    Organisation.duties.through.objects.bulk_create(
        Organisation.duties.through(organisation=org, duty=duty)
        for org in organisations
        for duty in world.institution_duties
    )

    institutions, grants, classes = [], [], []
    for (index, rng, village, provider_type, legal_form, state), org in zip(plans, organisations, strict=True):
        family = provider_type == PT.FAMILY_CARE_POINT
        viewers = [world.townships[village.parent_id], *world.followers.get(provider_type, [])]
        if state != "unregistered":
            viewers.append(world.orgs[AUTHORITY[legal_form]])
        grants += [
            OrganisationGroupObjectPermission(
                permission=world.view_organisation, group=viewer.group, content_object=org
            )
            for viewer in viewers
        ]
        opened = date(world.today.year - rng.randrange(0, 12), rng.randrange(1, 13), 1)
        status = {"filed": "operating", "closed": "closed", "revoked": "revoked"}.get(state, "preparing")
        institutions.append(
            Institution(
                organisation=org,
                name=org.name,
                credit_code=credit_code(index, legal_form) if state != "unregistered" else "",
                legal_form=legal_form,
                provider_type=provider_type,
                inclusive=rng.random() < 0.5,
                demonstration=rng.random() < 0.05,
                village=village,
                township_id=village.parent_id,
                address=f"{village.name}压测路{index + 1}号",
                legal_representative="压测法人",
                person_in_charge="压测负责人",
                contact_phone=f"139{index:08d}",
                half_day=rng.random() < 0.3,
                hourly=rng.random() < 0.2,
                indoor_area=Decimal(60 if family else rng.randrange(200, 900)),
                outdoor_area=Decimal(rng.randrange(0, 300)),
                meals_served=not family,
                opened_on=opened,
                status=status,
                filing_status={
                    "filed": "filed",
                    "submitted": "pending",
                    "closed": "cancelled",
                    "revoked": "cancelled",
                }.get(state, "not_filed"),
                filing_number=f"余卫托备〔{opened.year}〕B{index:05d}号"
                if state in ("filed", "closed", "revoked")
                else "",
            )
        )
    OrganisationGroupObjectPermission.objects.bulk_create(grants)
    Institution.objects.bulk_create(institutions)
    for institution, plan in zip(institutions, plans, strict=True):
        rng = plan[1]
        bands = (
            [("mixed", 5, 2)]
            if institution.is_family_care_point
            else [("infant", 10, 3), ("toddler", 15, 3), ("older", 20, 3)]
        )
        for band, places, caregivers in bands:
            classes.append(
                ClassGroup(
                    institution=institution,
                    name=band,
                    age_band=band,
                    places=places,
                    enrolled=rng.randrange(places // 2, places + 1),
                    caregivers=caregivers,
                )
            )
    ClassGroup.objects.bulk_create(classes)
    by_institution = {}
    for group in classes:
        by_institution.setdefault(group.institution_id, []).append(group)

    counts = Counter(institutions=len(institutions), class_groups=len(classes), object_permissions=len(grants))
    counts += _registrations_and_filings(world, institutions, plans)
    counts += _staff(world, institutions, plans, by_institution)
    counts += _reviews(world, institutions, plans)
    return counts


def _registrations_and_filings(world, institutions, plans) -> Counter:
    registrations, filings = [], []
    health = world.users["health"]
    for institution, (index, rng, _village, _type, legal_form, state) in zip(institutions, plans, strict=True):
        if state == "unregistered":
            continue
        registered_on = institution.opened_on - timedelta(days=rng.randrange(30, 120))
        registrations.append(
            Registration(
                institution=institution,
                authority=world.orgs[AUTHORITY[legal_form]],
                legal_form=legal_form,
                certificate_number=f"压测登记{index:06d}",
                registered_on=registered_on,
                status=Registration.Status.REVOKED if state == "revoked" else Registration.Status.ACTIVE,
                revoked_on=world.today - timedelta(days=100) if state == "revoked" else None,
                revoke_reason="连续两年年度评估不合格" if state == "revoked" else "",
            )
        )
        if state == "unfiled":
            continue
        submitted = aware(registered_on + timedelta(days=rng.randrange(5, 40)))
        values = {"status": Filing.Status.SUBMITTED, "submitted_at": submitted, "submissions": 1}
        values["due_on"] = (submitted + timedelta(days=7)).date()
        if state == "draft":
            values = {"status": Filing.Status.DRAFT}
        elif state == "submitted":
            values.update(submitted_at=timezone.now() - timedelta(days=rng.randrange(0, 12)))
            values["due_on"] = (values["submitted_at"] + timedelta(days=7)).date()
        elif state in ("returned", "rejected", "filed", "closed", "revoked"):
            decided = {"returned": Filing.Status.RETURNED, "rejected": Filing.Status.REJECTED}.get(
                state, Filing.Status.ACCEPTED
            )
            values.update(status=decided, decided_at=submitted + timedelta(days=3), decided_by=health)
            if decided == Filing.Status.RETURNED:
                values["return_reasons"] = {"general": "请补充保育人员配置说明。"}
            if decided == Filing.Status.ACCEPTED:
                values["number"] = institution.filing_number
        filings.append(
            Filing(institution=institution, summary=f"{MARK}初次备案", commitment_signed_by="压测负责人", **values)
        )
    Registration.objects.bulk_create(registrations)
    Filing.objects.bulk_create(filings)
    notifications = []
    for filing in filings:
        if filing.submitted_at is None:
            continue
        institution = filing.institution
        recipients = [health, world.township_users.get(institution.township_id)]
        for recipient in filter(None, recipients):
            notifications.append(
                Notification(
                    recipient=recipient,
                    title=f"新的备案申请：{institution.name}",
                    link=reverse("institution_detail", args=[institution.pk]),
                    created_at=filing.submitted_at,
                    read_at=filing.decided_at,  # read once decided; the undecided stay unread
                )
            )
    Notification.objects.bulk_create(notifications)
    return Counter(registrations=len(registrations), filings=len(filings), notifications=len(notifications))


def _staff(world, institutions, plans, class_groups) -> Counter:
    staff, sequences, certificates = [], [], []
    for institution, (index, rng, *_rest) in zip(institutions, plans, strict=True):
        sequence = index * 40  # room for 40 people per institution, never reused
        posts = [(StaffMember.Role.PERSON_IN_CHARGE, None), (StaffMember.Role.HEALTH_WORKER, None)]
        if not institution.is_family_care_point:
            posts += [(StaffMember.Role.COOK, None), (StaffMember.Role.GUARD, None)]
        for group in class_groups[institution.pk]:
            posts += [(StaffMember.Role.CAREGIVER, group)] * (group.caregivers + rng.randrange(0, 3))
        for role, group in posts:
            sequence += 1
            sequences.append(sequence)
            number = id_number(sequence)
            hired = institution.opened_on + timedelta(days=rng.randrange(0, 400))
            staff.append(
                StaffMember(
                    institution=institution,
                    name=f"{MARK}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}",
                    id_number=number,
                    id_hash=keyed_hash(number),
                    gender=StaffMember.Gender.MALE if role == StaffMember.Role.GUARD else StaffMember.Gender.FEMALE,
                    role=role,
                    education=rng.choice(StaffMember.Education.values),
                    class_group=group,
                    hired_on=min(hired, world.today),
                    left_on=world.today - timedelta(days=rng.randrange(1, 700)) if rng.random() < 0.08 else None,
                    health_certificate_expires=world.today + timedelta(days=rng.randrange(-60, 365)),
                    background_checked_on=hired - timedelta(days=10),
                )
            )
    StaffMember.objects.bulk_create(staff)
    for member, sequence in zip(staff, sequences, strict=True):
        rng = random.Random(SEED + 1_000_000 + sequence)  # noqa: S311
        if member.role == StaffMember.Role.CAREGIVER and rng.random() < 0.8:
            kind = world.kinds[rng.choice(["infant-carer", "childcare-worker", "infant-development-guide"])]
        elif member.role == StaffMember.Role.HEALTH_WORKER:
            kind = world.kinds["health-care-training"]
        elif member.role == StaffMember.Role.PERSON_IN_CHARGE:
            kind = world.kinds["childcare-worker"]
        else:
            continue
        status = pick(
            rng, [(Certificate.Status.VERIFIED, 85), (Certificate.Status.PENDING, 12), (Certificate.Status.REJECTED, 3)]
        )
        issued = member.hired_on - timedelta(days=rng.randrange(0, 900))
        certificates.append(
            Certificate(
                staff=member,
                kind=kind,
                level=rng.choice(kind.levels) if kind.levels else "",
                number=f"压测{sequence:09d}",
                issuer="浙江省人力资源和社会保障厅",
                issued_on=issued,
                expires_on=issued + timedelta(days=365 * 5) if rng.random() < 0.5 else None,
                status=status,
                verified_by=world.orgs["hrss"] if status != Certificate.Status.PENDING else None,
                verified_at=aware(issued + timedelta(days=30)) if status != Certificate.Status.PENDING else None,
            )
        )
    Certificate.objects.bulk_create(certificates)
    return Counter(staff=len(staff), certificates=len(certificates))


def _reviews(world, institutions, plans) -> Counter:
    """Closed annual reviews for every year an operating or closed institution was open: a
    self-report, the fire and health-care findings, and for one in ten a failure with a
    verified rectification order."""
    reviews, reports, findings, orders = [], [], [], []
    health, fire = world.users["health"], world.users["fire"]
    for institution, (index, rng, *_rest) in zip(institutions, plans, strict=True):
        if institution.status not in ("operating", "closed", "revoked"):
            continue
        for year, cycle in world.cycles.items():
            if year <= institution.opened_on.year:
                continue
            failed = rng.random() < 0.1
            review = AnnualReview(
                cycle=cycle,
                institution=institution,
                status=AnnualReview.Status.CLOSED,
                result="fail" if failed else "pass",
                decision_reason="消防检查不合格" if failed else "各项检查合格",
                decided_by=health,
                decided_at=aware(date(year, 8, 15)),
                final_result="fail" if failed and rng.random() < 0.3 else "pass",
            )
            reviews.append(review)
            reports.append((review, year))
            findings.append((review, Area.FIRE, world.orgs["fire"], fire, not failed, year))
            findings.append((review, Area.HEALTH_CARE, world.orgs["health"], health, True, year))
            if failed:
                orders.append((review, year, index))
    AnnualReview.objects.bulk_create(reviews)
    SelfReport.objects.bulk_create(
        SelfReport(
            review=review,
            status=SelfReport.Status.SUBMITTED,
            data={"safety_drills": {"held": 2}},
            submitted_at=aware(date(year, 3, 20)),
        )  # fmt: skip
        for review, year in reports
    )
    Finding.objects.bulk_create(
        Finding(
            review=review,
            institution_id=review.institution_id,
            area=area,
            department=department,
            inspector=inspector,
            inspected_on=date(year, 5, 20),
            passed=passed,
            notes="" if passed else "疏散通道堆放杂物",
        )  # fmt: skip
        for review, area, department, inspector, passed, year in findings
    )
    RectificationOrder.objects.bulk_create(
        RectificationOrder(
            review=review,
            institution_id=review.institution_id,
            number=f"余卫托整〔{year}〕B{review.pk:07d}号",
            items=[{"area": "fire", "code": "F3", "text": "清理疏散通道杂物", "note": ""}],
            deadline=date(year, 9, 15),
            issued_by=health,
            issued_at=aware(date(year, 8, 15)),
            status=RectificationOrder.Status.VERIFIED,
            response="已整改",
            responded_at=aware(date(year, 9, 1)),
            verified_by=fire,
            verified_at=aware(date(year, 9, 10)),
        )
        for review, year, _index in orders
    )
    return Counter(reviews=len(reviews), self_reports=len(reports), findings=len(findings), orders=len(orders))


def _programmes(world: World, wanted: int) -> Counter:
    """In-service and pre-job programmes run by the HR bureau, each with staff of the bench
    institutions as participants; numbered in their titles, so only missing ones are added."""
    existing = set(TrainingProgramme.objects.filter(title__startswith=MARK).values_list("title", flat=True))
    staff_ids = list(
        StaffMember.objects.filter(institution__organisation__code__startswith="bench-")
        .order_by("pk")
        .values_list("pk", "name")
    )
    city = Region.objects.get(code="330281")
    programmes, participants = [], []
    for number in range(wanted):
        title = f"{MARK}托育从业人员培训第{number + 1}期"
        if title in existing or not staff_ids:
            continue
        rng = random.Random(SEED * 7 + number)  # noqa: S311
        starts = world.today - timedelta(days=rng.randrange(0, 365 * 5))
        programme = TrainingProgramme(
            kind=rng.choice([TrainingProgramme.Kind.IN_SERVICE, TrainingProgramme.Kind.PRE_JOB]),
            title=title,
            organiser=world.orgs["hrss"],
            region=city,
            starts_on=starts,
            ends_on=starts + timedelta(days=5),
            status=TrainingProgramme.Status.COMPLETED
            if starts < world.today - timedelta(days=5)
            else TrainingProgramme.Status.RUNNING,
        )
        programmes.append(programme)
        for pk, name in rng.sample(staff_ids, min(PARTICIPANTS_PER_PROGRAMME, len(staff_ids))):
            passed = rng.random() < 0.9
            participants.append(
                Participant(
                    programme=programme,
                    kind=Participant.Kind.STAFF,
                    staff_id=pk,
                    name=name,
                    assessment=Participant.Assessment.PASSED if passed else Participant.Assessment.FAILED,
                    score=Decimal(rng.randrange(75, 100) if passed else rng.randrange(40, 60)),
                    completed_on=programme.ends_on if passed else None,
                )
            )
    TrainingProgramme.objects.bulk_create(programmes)
    Participant.objects.bulk_create(participants)
    return Counter(programmes=len(programmes), participants=len(participants))


def _reports(world: World) -> Counter:
    """Approved periodic reports of every township for the review years before the demo's first
    (2021): the dashboards' history reaches back as far as the reviews do."""
    have = set(PeriodicReport.objects.filter(version=1).values_list("region_id", "year"))
    reports = []
    for position, (township_id, organisation) in enumerate(sorted(world.townships.items())):
        for year in world.cycles:
            if (township_id, year) in have or year >= 2021:
                continue
            population = 40000 + 1500 * position + 150 * (year - 2010)
            children = population * 2 // 100
            reports.append(
                PeriodicReport(
                    region_id=township_id,
                    year=year,
                    figures={
                        "population": population,
                        "children_under_3": children,
                        "children_health_managed": children * 85 // 100,
                        "parents_surveyed": 200,
                        "parents_knowing": 140 + position % 7,
                        "kindergartens": 3 + position % 4,
                        "children_in_care": children * 3 // 100,
                    },
                    source=f"{MARK}{year}年卫生健康统计年报",
                    status=PeriodicReport.Status.APPROVED,
                    organisation=organisation,
                    submitted_at=aware(date(year + 1, 1, 20)),
                    decided_by=world.users["health"],
                    decided_at=aware(date(year + 1, 2, 1)),
                )
            )
    PeriodicReport.objects.bulk_create(reports)
    return Counter(periodic_reports=len(reports))
