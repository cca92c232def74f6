"""Factories (factory_boy) for the world a test builds: people with memberships, institutions
with their class groups, residential areas, annual review cycles, staff members and their
certificates, training programmes.

Each builds through the portal's own service where one exists (``user_create`` and
``membership_set``, ``institution_create``, ``cycle_open``, ``staff_create``,
``programme_create``), so the tenant organisation, the
township's grant, the followers' grants and the audit rows come as in real use. The fixed cast
of ``tests/conftest.py`` stays for who acts; these build what the cast acts on, so a test counts
what it made instead of what the demo happens to hold. Names carry 测试, never the demo's mark.
"""

from datetime import date

import factory

from accounts import idnumbers
from accounts import services as account_services
from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, Organisation, Region, User
from inspections.models import ReviewCycle
from inspections.services import checklists, cycles, findings
from registry.models import ClassGroup, Institution, ResidentialArea
from registry.services import institutions as institution_services
from registry.validators import credit_code_make
from training.models import Certificate, CertificateKind, StaffMember, TrainingProgramme
from training.services import programmes as programme_services
from training.services import staff as staff_services

SIMEN, LIZHOU = "330281103", "330281001"  # the townships of the cast's institutions A and B


def village_of(township_code: str = SIMEN, index: int = 0) -> Region:
    """The ``index``-th village or community of a township, by code (reference data)."""
    return Region.objects.select_related("parent").filter(parent__code=township_code).order_by("code")[index]


def _organisation(value: Organisation | str) -> Organisation:
    return value if isinstance(value, Organisation) else Organisation.objects.get(code=value)


class UserFactory(factory.django.DjangoModelFactory):
    """Someone who can log in (the demo password, no forced change). ``member_of`` (an
    organisation or its code) with ``member_of__role`` (default officer) makes them a member,
    as the security administrator would."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"tester{n}")
    real_name = factory.Sequence(lambda n: f"测试用户{n}")
    email = ""
    must_change_password = False

    @classmethod
    def _create(cls, model_class, **fields):
        return account_services.user_create(actor=None, password=DEMO_PASSWORD, **fields)

    @factory.post_generation
    def member_of(user, create, extracted, role: str = Membership.Role.OFFICER, **kwargs):
        if extracted:
            account_services.membership_set(actor=None, user=user, organisation=_organisation(extracted), role=role)


class InstitutionFactory(factory.django.DjangoModelFactory):
    """A preparing, unfiled, stand-alone institution in a village of 泗门镇 (``township_code``
    picks another township, ``village`` a village), with its own tenant organisation. ``filed=True``:
    operating and filed, as the public registry and the annual review take them."""

    class Meta:
        model = Institution

    class Params:
        township_code = SIMEN
        filed = factory.Trait(
            status=Institution.Status.OPERATING,
            filing_status=Institution.FilingStatus.FILED,
            opened_on=date(2024, 9, 1),
            filing_number=factory.Sequence(lambda n: f"测试托备〔2025〕{n:04d}号"),
        )

    name = factory.Sequence(lambda n: f"测试托育园{n:03d}")
    legal_form = Institution.LegalForm.COMPANY
    provider_type = Institution.ProviderType.STANDALONE
    village = factory.LazyAttribute(lambda o: village_of(o.township_code))
    address = factory.Sequence(lambda n: f"测试路{n}号")
    # A code that fits the legal form and the village's county, as the service demands.
    credit_code = factory.LazyAttributeSequence(
        lambda o, n: credit_code_make(legal_form=o.legal_form, county_code=o.village.code[:6], body=f"MA2F{n:05d}")
    )

    @classmethod
    def _create(cls, model_class, **fields):
        return institution_services.institution_create(actor=None, **fields)


class ClassGroupFactory(factory.django.DjangoModelFactory):
    """A class of children aged 2-3 with room to spare (20 places, 10 enrolled)."""

    class Meta:
        model = ClassGroup

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"测试班{n}")
    age_band = ClassGroup.AgeBand.OLDER
    places = 20
    enrolled = 10


class ResidentialAreaFactory(factory.django.DjangoModelFactory):
    """A new residential area of 3,000 people with 10 planned slots in a village of 泗门镇
    (``township_code`` picks another township, ``village`` a village)."""

    class Meta:
        model = ResidentialArea

    class Params:
        township_code = SIMEN

    name = factory.Sequence(lambda n: f"测试小区{n}")
    kind = "new"
    village = factory.LazyAttribute(lambda o: village_of(o.township_code))
    township = factory.LazyAttribute(lambda o: o.village.parent)
    population = 3000
    planned_slots = 10


class ReviewCycleFactory(factory.django.DjangoModelFactory):
    """The annual review of ``year`` (2025 unless given) opened by ``actor`` (the cast's health
    bureau officer unless given), due on 31 March, 30 June and 30 September: every operating,
    filed institution gets its review and a pre-filled self-report."""

    class Meta:
        model = ReviewCycle

    actor = factory.LazyFunction(lambda: User.objects.get(username="health"))
    year = 2025
    self_report_due = factory.LazyAttribute(lambda o: date(o.year, 3, 31))
    inspection_due = factory.LazyAttribute(lambda o: date(o.year, 6, 30))
    decision_due = factory.LazyAttribute(lambda o: date(o.year, 9, 30))

    @classmethod
    def _create(cls, model_class, **fields):
        return cycles.cycle_open(**fields)


def areas_not_applicable(review, reason: str = "测试：本年度不适用") -> list[str]:
    """Record every area of ``review`` still without a finding as not applicable (by the
    health bureau, through the service), so that a test about something else can decide it.
    Returns the areas so recorded."""
    health = User.objects.get(username="health")
    missing = checklists.review_missing_areas(review=review)
    for area in missing:
        findings.area_exempt(actor=health, review=review, area=area, reason=reason)
    return missing


def staff_id_number(sequence: int) -> str:
    """A valid, fictional ID number (GB 11643 check character) for the staff factory's own
    sequence: born 1988-03-08, so never one of ``tests.training.helpers.id_number``'s."""
    first17 = f"33028119880308{sequence % 1000:03d}"
    return first17 + idnumbers.check_character(first17)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    """A caregiver hired in September 2025 with a valid health certificate, added through the
    roster service (so the ban-list screening and the audit run) by ``actor``: the head of the
    institution unless given (a new one, made by the user factory)."""

    class Meta:
        model = StaffMember

    institution = factory.SubFactory(InstitutionFactory)
    actor = factory.LazyAttribute(
        lambda o: UserFactory(member_of=o.institution.organisation, member_of__role=Membership.Role.HEAD)
    )
    name = factory.Sequence(lambda n: f"测试员工{n}")
    id_number = factory.Sequence(staff_id_number)
    gender = StaffMember.Gender.FEMALE
    role = StaffMember.Role.CAREGIVER
    education = StaffMember.Education.COLLEGE
    hired_on = date(2025, 9, 1)
    health_certificate_expires = date(2027, 9, 1)

    @classmethod
    def _create(cls, model_class, **fields):
        return staff_services.staff_create(**fields)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A 保育师 (``childcare-worker``) certificate, level 五级, issued in 2024, waiting for the
    HR bureau (``status=Certificate.Status.VERIFIED`` for one it has verified). Saved as a row:
    the service asks for a scan, which the rate and queue tests do not need."""

    class Meta:
        model = Certificate

    staff = factory.SubFactory(StaffMemberFactory)
    kind = factory.LazyFunction(lambda: CertificateKind.objects.get(code="childcare-worker"))
    level = "五级"
    number = factory.Sequence(lambda n: f"测试证{n:05d}")
    issuer = "测试"
    issued_on = date(2024, 1, 1)


class TrainingProgrammeFactory(factory.django.DjangoModelFactory):
    """A village health instructors' programme of 泗门镇 in June 2026, run by ``actor`` (the
    cast's 泗门镇 official unless given) through the service, which picks the organiser."""

    class Meta:
        model = TrainingProgramme

    class Params:
        township_code = SIMEN

    actor = factory.LazyFunction(lambda: User.objects.get(username="simen"))
    kind = TrainingProgramme.Kind.VILLAGE_INSTRUCTOR
    title = factory.Sequence(lambda n: f"测试培训{n}")
    region = factory.LazyAttribute(lambda o: Region.objects.get(code=o.township_code))
    starts_on = date(2026, 6, 1)
    ends_on = date(2026, 6, 30)

    @classmethod
    def _create(cls, model_class, **fields):
        return programme_services.programme_create(**fields)


def api_key(user: User) -> str:
    """A usable API key for ``user``: a new token (replacing any), whose row keeps only the
    key's hash."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return account_services.api_token_new(user=user)[1]
