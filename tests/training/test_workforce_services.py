"""The workforce rules at the service and selector level, with the demo accounts: who keeps a
roster, the ban-list block, the duplicate-employment flag, the reveal and its log, certificate
verification, expiry reminders run twice, the ratio check, the certification rate on a known
data set, and village coverage."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone, translation

from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification, Region, SecurityEvent, User
from inspections.services import enforcement
from registry.models import ClassGroup, Institution
from tests.factories import TrainingProgrammeFactory
from tests.training.helpers import add_staff, id_number, institution, pdf_scan
from training import reminders, selectors
from training.models import Certificate, CertificateKind, Participant, StaffMember, TrainingProgramme
from training.services import certificates, programmes
from training.services import staff as staff_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the catalogue translates them on the pages)."""
    with translation.override("en"):
        yield


# --- The roster -------------------------------------------------------------------------------


def test_only_the_institutions_own_officers_add_staff(cast):
    member = add_staff(cast["nursery1"], sequence=1)
    assert member.institution.organisation.code == "demo-simen-xingxing"
    assert AuditEvent.objects.filter(event="staff.added", object_id=str(member.pk)).exists()
    for username in ("nursery2", "simen", "health", "hrss"):
        with pytest.raises(PermissionDenied):
            add_staff(cast[username], sequence=2)
    assert not StaffMember.objects.filter(name="测试2").exists()


def test_the_id_number_is_stored_encrypted_hashed_and_shown_masked(cast):
    member = add_staff(cast["nursery1"], sequence=3)
    number = id_number(3)
    assert member.id_number == number
    assert member.id_number_masked == number[:6] + "********" + number[-4:]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, id_hash FROM {StaffMember._meta.db_table} WHERE id = %s", [member.pk])
        raw, digest = cursor.fetchone()
    assert number not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert digest == keyed_hash(number) and number not in digest


@pytest.mark.parametrize(
    "bad, message",
    [
        ("3302811992051700", "An ID number has 18 characters."),
        ("33028119920517001A", "An ID number has 17 digits and then a digit or X."),
        ("330281199213170015", "The birth date in this ID number is not a real date."),
        ("330281199205170011", "The last character of this ID number does not match: please check the number."),
    ],
)
def test_an_invalid_id_number_is_refused_with_the_reason(cast, bad, message):
    with pytest.raises(ApplicationError) as refused:
        staff_services.staff_create(
            actor=cast["nursery1"], institution=institution(), name="测试", id_number=bad, gender="female",
            role="caregiver", education="college", hired_on=date(2025, 1, 1),
        )  # fmt: skip
    assert refused.value.message == message


def test_a_person_on_the_ban_list_cannot_be_added_and_the_attempt_is_logged(cast):
    barred = id_number(900, born=date(1979, 4, 2))
    enforcement.ban_add(
        actor=cast["health"], name="测试·钱某", id_number=barred, reason="虐童", decided_on=date(2025, 6, 1)
    )
    before = StaffMember.objects.count()
    with pytest.raises(ApplicationError) as refused:
        staff_services.staff_create(
            actor=cast["nursery1"], institution=institution(), name="测试·钱某", id_number=barred, gender="male",
            role="guard", education="high_school", hired_on=date(2025, 1, 1),
        )  # fmt: skip
    message = refused.value.message
    assert "Health Bureau" in message and "钱某" not in message and "虐童" not in message
    assert StaffMember.objects.count() == before
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH, username="nursery1").latest("pk")
    assert barred not in str(event.detail) and barred[-4:] in str(event.detail)


def test_a_person_active_elsewhere_is_added_but_flagged_to_the_health_bureau_only(cast):
    first = add_staff(cast["nursery1"], sequence=10)
    second = add_staff(cast["nursery2"], sequence=10, institution_code="demo-lizhou-yangguang")
    assert first.id_hash == second.id_hash
    flagged = {m.pk for m in selectors.duplicate_employment_list(actor=cast["health"])}
    assert {first.pk, second.pk} <= flagged
    assert Notification.objects.filter(recipient=cast["health"], title="A staff member is active at two institutions")
    # Institutions get no flag, not even the attribute.
    assert not hasattr(selectors.staff_list(actor=cast["nursery2"]).get(pk=second.pk), "employed_elsewhere")
    with pytest.raises(PermissionDenied):
        selectors.duplicate_employment_list(actor=cast["nursery1"])
    # Once one of them leaves, the flag goes.
    staff_services.staff_leave(actor=cast["nursery1"], member=first, left_on=timezone.localdate())
    flagged = {m.pk for m in selectors.duplicate_employment_list(actor=cast["health"])}
    assert second.pk not in flagged


def test_the_same_person_twice_on_one_roster_is_refused(cast):
    add_staff(cast["nursery1"], sequence=11)
    with pytest.raises(ApplicationError, match="already on the staff"):
        add_staff(cast["nursery1"], sequence=11)


def test_revealing_needs_the_duty_and_a_reason_and_is_logged(cast):
    member = add_staff(cast["nursery1"], sequence=12)
    for username in ("nursery1", "simen", "leader"):
        with pytest.raises(PermissionDenied):
            staff_services.staff_reveal(actor=cast[username], member=member, reason="核实身份信息")
    with pytest.raises(ApplicationError):
        staff_services.staff_reveal(actor=cast["health"], member=member, reason=" ")
    assert staff_services.staff_reveal(actor=cast["hrss"], member=member, reason="核验证书信息") == id_number(12)
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username="hrss").latest("pk")
    assert event.detail["pk"] == member.pk and event.detail["reason"] == "核验证书信息"


def test_scope_of_rosters(cast):
    simen_codes = set(selectors.staff_list(actor=cast["simen"]).values_list("institution__township__code", flat=True))
    assert simen_codes == {"330281103"}
    own = set(selectors.staff_list(actor=cast["nursery1"]).values_list("institution__organisation__code", flat=True))
    assert own == {"demo-simen-xingxing"}
    everyone = StaffMember.objects.filter(StaffMember.active_q(timezone.localdate())).count()
    assert selectors.staff_list(actor=cast["health"]).count() == everyone
    assert selectors.staff_list(actor=cast["hrss"]).count() == everyone
    for username in ("leader", "fire", "amr", "mca", "edu", "sysadmin", "stranger"):
        assert not selectors.staff_list(actor=cast[username]).exists(), username


# --- Certificates -----------------------------------------------------------------------------


def _kind(code="infant-carer") -> CertificateKind:
    return CertificateKind.objects.get(code=code)


def test_hrss_verifies_a_certificate_once_and_the_institution_is_told(cast):
    member = add_staff(cast["nursery1"], sequence=20)
    certificate = certificates.certificate_add(
        actor=cast["nursery1"], member=member, kind=_kind(), level="四级", number="T-20", issuer="浙江省人社厅",
        issued_on=date(2024, 1, 1), scan=pdf_scan(),
    )  # fmt: skip
    assert certificate.status == Certificate.Status.PENDING and certificate.scan.content_type == "application/pdf"
    with pytest.raises(PermissionDenied):
        certificates.certificate_verify(actor=cast["health"], certificate=certificate)
    certificates.certificate_verify(actor=cast["hrss"], certificate=certificate, note="联网核验一致")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VERIFIED and certificate.verified_by.code == "hrss"
    with pytest.raises(ApplicationError, match="already been decided"):
        certificates.certificate_reject(actor=cast["hrss"], certificate=certificate, note="x")
    assert Notification.objects.filter(recipient=cast["nursery1"], title=f"Certificate verified: {member.name}")


def test_a_certificate_with_a_level_its_kind_does_not_have_is_refused(cast):
    member = add_staff(cast["nursery1"], sequence=21)
    with pytest.raises(ApplicationError, match="levels"):
        certificates.certificate_add(
            actor=cast["nursery1"], member=member, kind=_kind(), level="一级", number="T-21", issuer="x",
            issued_on=date(2024, 1, 1),
        )  # fmt: skip


def test_a_scan_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    member = add_staff(cast["nursery1"], sequence=22)
    fake = SimpleUploadedFile("scan.pdf", b"just some text, not a PDF", content_type="application/pdf")
    with pytest.raises(ApplicationError):
        certificates.certificate_add(
            actor=cast["nursery1"], member=member, kind=_kind(), level="五级", number="T-22", issuer="x",
            issued_on=date(2024, 1, 1), scan=fake,
        )  # fmt: skip
    assert not Certificate.objects.filter(number="T-22").exists()


# --- The certification rate on a known data set -----------------------------------------------


@pytest.fixture
def fresh_institution(cast):
    """nursery1's institution with its demo roster gone: the rate counts only what a test adds."""
    own = institution()
    StaffMember.objects.filter(institution=own).update(left_on=timezone.localdate() - timedelta(days=1))
    return own


def test_the_certification_rate_counts_active_caregivers_with_a_valid_verified_counted_certificate(
    cast, fresh_institution
):
    nursery1, hrss, today = cast["nursery1"], cast["hrss"], timezone.localdate()
    people = [add_staff(nursery1, sequence=30 + n) for n in range(5)]
    add_staff(nursery1, sequence=40, role=StaffMember.Role.COOK)  # not a caregiver: not counted

    def cert(member, number, kind="infant-carer", level="五级", expires_on=None, verify=True):
        certificate = certificates.certificate_add(
            actor=nursery1, member=member, kind=_kind(kind), level=level, number=number, issuer="x",
            issued_on=date(2024, 1, 1), expires_on=expires_on,
        )  # fmt: skip
        if verify:
            certificates.certificate_verify(actor=hrss, certificate=certificate)
        return certificate

    cert(people[0], "R-0")  # counts
    cert(people[1], "R-1a")
    cert(people[1], "R-1b", kind="childcare-worker")  # two certificates: the person counts once
    cert(people[2], "R-2", verify=False)  # waiting for verification: not yet
    cert(people[3], "R-3", kind="kindergarten-teacher", level="")  # a kind that does not count
    cert(people[4], "R-4", expires_on=today + timedelta(days=1))  # valid until tomorrow
    rate = selectors.institution_rate(institution=fresh_institution)
    assert (rate.certified, rate.total, rate.percent) == (3, 5, Decimal("60.0"))

    # Tomorrow + 1 the last one has expired; verifying the pending one brings it back to 3 of 5.
    later = today + timedelta(days=2)
    assert selectors.institution_rate(institution=fresh_institution, day=later).certified == 2
    pending = Certificate.objects.get(number="R-2")
    certificates.certificate_verify(actor=hrss, certificate=pending)
    assert selectors.institution_rate(institution=fresh_institution, day=later).certified == 3

    # The bureau counts the teacher qualification too: today all 5 hold one that counts.
    teacher = _kind("kindergarten-teacher")
    certificates.certificate_kind_set_counts(actor=cast["health"], kind=teacher, counts_for_rate=True)
    assert selectors.institution_rate(institution=fresh_institution).certified == 5

    # Someone who left no longer counts, in the numerator or the denominator.
    staff_services.staff_leave(actor=nursery1, member=people[0], left_on=today)
    rate = selectors.institution_rate(institution=fresh_institution)
    assert (rate.certified, rate.total) == (4, 4)


def test_the_township_and_city_rates_add_up_the_institutions(cast):
    rows, total = selectors.township_rates(actor=cast["health"])
    assert total.total == sum(row["rate"].total for row in rows)
    assert total.certified == sum(row["rate"].certified for row in rows)
    city = selectors.city_rate()
    assert (city.certified, city.total) == (total.certified, total.total)
    simen_rows, simen_total = selectors.township_rates(actor=cast["simen"])
    assert [row["township"].code for row in simen_rows] == ["330281103"]
    assert simen_total == next(row["rate"] for row in rows if row["township"].code == "330281103")


def test_only_the_health_bureau_changes_which_kinds_count(cast):
    with pytest.raises(PermissionDenied):
        certificates.certificate_kind_set_counts(actor=cast["hrss"], kind=_kind(), counts_for_rate=False)


# --- Rules on the roster ----------------------------------------------------------------------


def test_the_ratio_check_of_a_class_group_uses_the_roster(cast, fresh_institution):
    nursery1 = cast["nursery1"]
    group = ClassGroup.objects.create(
        institution=fresh_institution, name="测试托小班", age_band="toddler", places=15, enrolled=12, caregivers=9
    )
    add_staff(nursery1, sequence=50, class_group=group)
    add_staff(nursery1, sequence=51, class_group=group)

    def check_of_group():
        report = selectors.roster_checks(institution=fresh_institution)
        return next(check for check in report.checks if check.subject == group.name)

    check = check_of_group()
    # 12 children at 1:5 need 3 caregivers; the roster assigns 2 (the 9 typed on the class is not believed).
    assert not check.ok and "need at least 3 caregivers" in check.message and "Add 1 caregiver" in check.message
    add_staff(nursery1, sequence=52, class_group=group)
    assert check_of_group().ok


def test_the_roster_checks_name_what_is_missing(cast, fresh_institution):
    report = selectors.roster_checks(institution=fresh_institution)
    messages = [check.message for check in report.problems]
    assert "No person in charge is on the roster." in messages
    assert "No health worker is on the roster; at least one is required." in messages
    add_staff(cast["nursery1"], sequence=60, role="person_in_charge", education="high_school")
    add_staff(cast["nursery1"], sequence=61, role="health_worker", health_certificate_expires=date(2020, 1, 1))
    messages = [check.message for check in selectors.roster_checks(institution=fresh_institution).problems]
    assert "The person in charge needs a college degree (大专) or above." in messages
    assert "No valid health certificate: 测试61." in messages


# --- Expiry reminders -------------------------------------------------------------------------


def test_expiry_reminders_are_sent_once_even_if_the_task_runs_twice(cast, fresh_institution):
    nursery1, today = cast["nursery1"], timezone.localdate()
    soon = add_staff(nursery1, sequence=70, health_certificate_expires=today + timedelta(days=10))
    gone = add_staff(nursery1, sequence=71)
    certificate = certificates.certificate_add(
        actor=nursery1, member=gone, kind=_kind(), level="五级", number="E-71", issuer="x",
        issued_on=date(2024, 1, 1), expires_on=today - timedelta(days=1),
    )  # fmt: skip
    inbox = Notification.objects.filter(recipient=nursery1)
    before = inbox.count()
    first = reminders.expiry_reminders(today=today)
    assert first["soon"] >= 1 and first["expired"] >= 1
    titles = list(inbox.order_by("-pk").values_list("title", "body")[: inbox.count() - before])
    bodies = "\n".join(body for _title, body in titles)
    assert soon.name in bodies and f"{gone.name}" in bodies and certificate.kind.name in bodies
    after_first = inbox.count()
    second = reminders.expiry_reminders(today=today)
    assert second == {"soon": 0, "expired": 0} and inbox.count() == after_first
    # The health bureau heard of the expired one.
    # Reminders are written in the portal's default language, Chinese (the recipients' choice is unknown).
    assert Notification.objects.filter(recipient=cast["health"], title="从业人员证书已过期").exists()
    # Once expired, a certificate that was "soon" is announced again, once.
    reminders.expiry_reminders(today=today + timedelta(days=11))
    assert reminders.expiry_reminders(today=today + timedelta(days=11)) == {"soon": 0, "expired": 0}


def test_the_expiry_list_shows_the_institution_its_own_only(cast):
    own = {item.staff.institution_id for item in selectors.expiry_list(actor=cast["nursery1"])}
    assert own <= {institution().pk}
    assert selectors.expiry_list(actor=cast["leader"]) == []


# --- Training and village coverage ------------------------------------------------------------


def test_village_coverage_counts_villages_with_a_trained_instructor(cast):
    simen = Region.objects.get(code="330281103")
    before = next(row for row in selectors.village_coverage(township_codes=["330281103"]))
    uncovered = before.uncovered[0]
    programme = TrainingProgrammeFactory(
        actor=cast["simen"], title="测试指导员培训", region=simen, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 2)
    )
    person = programmes.participant_add(
        actor=cast["simen"], programme=programme, kind=Participant.Kind.VILLAGE_INSTRUCTOR, name="测试指导员",
        village=uncovered,
    )  # fmt: skip
    # Enrolled is not trained: coverage is unchanged until the participant completes.
    assert selectors.village_coverage(township_codes=["330281103"])[0].covered == before.covered
    programmes.assessment_record(
        actor=cast["simen"], participant=person, assessment="passed", score=Decimal("90"),
        completed_on=date(2026, 3, 2), certificate_number="T-1",
    )  # fmt: skip
    after = selectors.village_coverage(township_codes=["330281103"])[0]
    assert (after.villages, after.covered, after.instructors) == (
        before.villages, before.covered + 1, before.instructors + 1
    )  # fmt: skip
    assert uncovered not in after.uncovered


def test_a_township_runs_programmes_only_in_its_own_territory(cast):
    lizhou = Region.objects.get(code="330281001")
    with pytest.raises(ApplicationError):
        programmes.programme_create(
            actor=cast["simen"], kind=TrainingProgramme.Kind.VILLAGE_INSTRUCTOR, title="x", region=lizhou,
            starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 2),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        programmes.programme_create(
            actor=cast["simen"], kind=TrainingProgramme.Kind.PRE_JOB, title="x", region=lizhou,
            starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 2),
        )  # fmt: skip


def test_a_failed_participant_cannot_complete(cast):
    programme = TrainingProgramme.objects.filter(organiser__code="hrss").first()
    member = StaffMember.objects.filter(institution__organisation__code="demo-lizhou-yangguang").first()
    person = programmes.participant_add(actor=cast["hrss"], programme=programme, kind="staff", staff=member)
    with pytest.raises(ApplicationError):
        programmes.assessment_record(
            actor=cast["hrss"], participant=person, assessment="failed", completed_on=programme.ends_on
        )
    assert person.township.code == "330281001"


def test_demo_data_has_work_for_each_queue(cast):
    assert User.objects.filter(username="hrss").exists()
    assert Certificate.objects.filter(status=Certificate.Status.PENDING).exists()
    assert selectors.duplicate_employment_list(actor=cast["health"])
    assert any(row.covered for row in selectors.village_coverage(township_codes=["330281103"]))
    assert Institution.objects.filter(staff__isnull=False).distinct().count() >= 20
