"""Training programme pages: creation by each kind of runner, sessions within the programme's
dates, participants (staff from rosters the runner may see, village instructors with their
village, the public), attendance, assessment, who sees participants, the Excel export and
fixed query counts.

The cast (tests/conftest.py): ``health`` (training.run, staff.oversee) and ``hrss``
(training.run) run any kind city-wide; ``simen`` and ``lizhou`` (guidance.manage) run trainer
training, village instructor and volunteer programmes in their own township; ``fire`` holds
no running duty; ``nursery1`` is an institution. The women's federation has no demo account:
a test makes one.
"""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Organisation, Region, User

# The permission matrix first: importing it gathers every module of tests/matrix/.
from tests import permission_matrix  # noqa: F401
from tests.factories import TrainingProgrammeFactory, UserFactory
from tests.helpers import errors_of, messages_of
from tests.matrix import training_programmes as matrix
from training.models import Participant, StaffMember, TrainingProgramme, TrainingSession
from training.services import programmes as services

pytestmark = pytest.mark.django_db

CITY, SIMEN, LIZHOU = "330281", matrix.TOWNSHIP_A, matrix.TOWNSHIP_B
K = TrainingProgramme.Kind


def women_officer() -> User:
    return UserFactory(real_name="测试·妇联干部", member_of="women")


def user(username: str) -> User:
    return User.objects.get(username=username)


def new_programme(**changes) -> dict:
    values = {
        "kind": K.PRE_JOB,
        "title": "2026年托育从业人员岗前培训（测试）",
        "region": CITY,
        "starts_on": "2026-07-01",
        "ends_on": "2026-07-05",
        "description": "理论与实操",
    }
    return {**values, **changes}


def make_programme(actor: str = "health", kind=K.VILLAGE_INSTRUCTOR, region: str = SIMEN, **changes):
    return TrainingProgrammeFactory(
        actor=user(actor), kind=kind, township_code=region, **{"title": "测试培训", **changes}
    )


def village(township: str = SIMEN, index: int = 0) -> Region:
    return Region.objects.filter(parent__code=township, level=Region.Level.VILLAGE).order_by("code")[index]


# --- Creating a programme ------------------------------------------------------------------


def test_hrss_creates_a_pre_job_course_for_the_city(client_as):
    response = client_as("hrss").post(reverse("programme_create"), new_programme())
    programme = TrainingProgramme.objects.get(title="2026年托育从业人员岗前培训（测试）")
    assert response.status_code == 302 and response["Location"] == reverse("programme_detail", args=[programme.pk])
    assert (programme.kind, programme.organiser.code, programme.region.code) == (K.PRE_JOB, "hrss", CITY)
    assert (programme.starts_on, programme.ends_on, programme.status) == (date(2026, 7, 1), date(2026, 7, 5), "planned")


def test_the_womens_federation_creates_a_family_class(client_as):
    client = client_as(None)
    client.force_login(women_officer())
    page = client.get(reverse("programme_create"))
    assert page.status_code == 200
    response = client.post(reverse("programme_create"), new_programme(kind=K.FAMILY_CLASS, title="家长课堂（测试）"))
    assert response.status_code == 302
    programme = TrainingProgramme.objects.get(title="家长课堂（测试）")
    assert (programme.kind, programme.organiser.code) == (K.FAMILY_CLASS, "women")


def test_simen_trains_village_instructors_for_its_own_township_only(client_as):
    client = client_as("simen")
    form = client.get(reverse("programme_create")).context["form"]
    # Its guidance duty names three kinds; the only area on offer is its own township.
    assert [value for value, _label in form.fields["kind"].choices if value] == [
        K.TRAINER_TOWNSHIP, K.VILLAGE_INSTRUCTOR, K.VOLUNTEER,
    ]  # fmt: skip
    assert [region.code for region in form.fields["region"].queryset] == [SIMEN]
    assert form.initial["region"] == SIMEN

    response = client.post(reverse("programme_create"), new_programme(kind=K.VILLAGE_INSTRUCTOR, region=SIMEN))
    assert response.status_code == 302
    programme = TrainingProgramme.objects.get(title="2026年托育从业人员岗前培训（测试）")
    assert (programme.kind, programme.organiser.code, programme.region.code) == (
        K.VILLAGE_INSTRUCTOR, f"township-{SIMEN}", SIMEN,
    )  # fmt: skip


def test_simen_cannot_create_a_programme_for_lizhous_area(client_as):
    before = TrainingProgramme.objects.count()
    for region in (LIZHOU, CITY):
        response = client_as("simen").post(
            reverse("programme_create"), new_programme(kind=K.VILLAGE_INSTRUCTOR, region=region)
        )
        assert response.status_code == 200 and response.context["form"].errors["region"]
    # Nor a kind its duties do not name (a pre-job course is for training.run).
    response = client_as("simen").post(reverse("programme_create"), new_programme(kind=K.PRE_JOB, region=SIMEN))
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert TrainingProgramme.objects.count() == before


@pytest.mark.parametrize("username", ["nursery1", "fire", "leader", "stranger"])
def test_who_runs_no_programme_gets_403_and_creates_nothing(username, client_as):
    before = TrainingProgramme.objects.count()
    client = client_as(username)
    assert client.get(reverse("programme_create")).status_code == 403
    assert client.post(reverse("programme_create"), new_programme()).status_code == 403
    assert TrainingProgramme.objects.count() == before
    # Nor is the button offered on the list.
    assert 'data-testid="programme-create"' not in client.get(reverse("programme_list")).content.decode()


def test_the_services_refusal_shows_with_its_reason_and_saves_nothing(en):
    before = TrainingProgramme.objects.count()
    response = en("health").post(reverse("programme_create"), new_programme(kind=K.TRAINER_TOWNSHIP, region=CITY))
    assert response.status_code == 200
    assert "Township-level trainer training serves one township." in errors_of(response)
    response = en("health").post(reverse("programme_create"), new_programme(ends_on="2026-06-01"))
    assert "A programme cannot end before it starts." in errors_of(response)
    assert TrainingProgramme.objects.count() == before


# --- The list and the export ---------------------------------------------------------------


def titles(response) -> set[str]:
    return {programme.title for programme in response.context["page"].object_list}


def test_every_member_sees_programmes_with_their_counts_and_filters(client_as):
    programme = TrainingProgramme.objects.get(title__contains="村（社区）卫生健康指导员培训")
    response = client_as("nursery2").get(reverse("programme_list"))
    assert response.status_code == 200
    row = next(p for p in response.context["page"].object_list if p.pk == programme.pk)
    assert (row.session_count, row.participant_count) == (programme.sessions.count(), programme.participants.count())
    assert row.completed_count == programme.participants.filter(completed_on__isnull=False).count() > 0
    assert programme.title in response.content.decode()

    client = client_as("fire")
    assert titles(client.get(reverse("programme_list"), {"kind": K.VILLAGE_INSTRUCTOR})) == {programme.title}
    in_simen = titles(client.get(reverse("programme_list"), {"township": SIMEN}))
    assert programme.title in in_simen
    assert in_simen == set(TrainingProgramme.objects.filter(region__code=SIMEN).values_list("title", flat=True))
    by_hrss = client.get(reverse("programme_list"), {"organiser": Organisation.objects.get(code="hrss").pk})
    assert titles(by_hrss) == set(
        TrainingProgramme.objects.filter(organiser__code="hrss").values_list("title", flat=True)
    )
    bad = client.get(reverse("programme_list"), {"kind": "nonsense"})
    assert bad.status_code == 200 and not titles(bad)
    assert client_as("stranger").get(reverse("programme_list")).context["page"].paginator.count == 0


def test_the_export_has_the_filtered_programmes_and_only_participants_in_sight_masked(client_as):
    instructors = TrainingProgramme.objects.get(title__contains="村（社区）卫生健康指导员培训")
    phone = instructors.participants.exclude(phone="").first().phone

    response = client_as("simen").get(reverse("programme_export"), {"kind": K.VILLAGE_INSTRUCTOR})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    workbook = load_workbook(BytesIO(response.content))
    programmes = list(workbook["培训项目"].iter_rows(values_only=True))
    assert programmes[0][:3] == ("培训项目", "培训类型", "主办单位")
    assert [row[0] for row in programmes[1:]] == [instructors.title]
    assert programmes[1][1] == "村（社区）卫生健康指导员"  # the kind, in Chinese
    people = list(workbook["学员"].iter_rows(values_only=True))
    assert people[0][5] == "手机号码"
    assert len(people) - 1 == instructors.participants.count()
    masked = {row[5] for row in people[1:]}
    assert phone not in masked and f"{phone[:3]}****{phone[-4:]}" in masked

    # 梨洲街道 sees the programme but none of 泗门镇's instructors.
    workbook = load_workbook(BytesIO(client_as("lizhou").get(reverse("programme_export")).content))
    assert instructors.title in {row[0] for row in workbook["培训项目"].iter_rows(values_only=True)}
    assert instructors.title not in {row[0] for row in workbook["学员"].iter_rows(values_only=True)}
    assert client_as("lizhou").get(reverse("programme_export"), {"kind": "nonsense"}).status_code == 302


# --- A programme's page: who sees participants -------------------------------------------------


def shown(client, programme) -> list[int]:
    """The participants a programme's page lists for this client."""
    response = client.get(reverse("programme_detail", args=[programme.pk]))
    assert response.status_code == 200
    return [participant.pk for participant in response.context["participants"]]


def test_lizhou_sees_simens_programme_but_not_its_participants(client_as):
    target = matrix.participant("s")
    programme = target.programme
    html = client_as("lizhou").get(reverse("programme_detail", args=[programme.pk])).content.decode()
    assert programme.title in html
    assert target.name not in html and 'data-testid="status-form"' not in html
    assert client_as("lizhou").get(reverse("participant_assess", args=[target.pk])).status_code == 404
    assert (
        client_as("lizhou").post(reverse("programme_status", args=[programme.pk]), {"status": "running"}).status_code
        == 403
    )

    seen = client_as("simen").get(reverse("programme_detail", args=[programme.pk]))
    assert [p.pk for p in seen.context["participants"]] == [target.pk]
    assert target.name in seen.content.decode() and "139****1111" in seen.content.decode()
    assert "13900001111" not in seen.content.decode()
    # The health bureau oversees every participant; nursery1 has none of its staff there.
    assert shown(client_as("health"), programme) == [target.pk]
    assert shown(client_as("nursery1"), programme) == []


def test_an_institution_sees_its_own_staffs_participation_only(client_as):
    target = matrix.participant("h")  # on nursery2's roster, in the health bureau's programme
    programme = target.programme
    assert shown(client_as("nursery2"), programme) == [target.pk]
    assert shown(client_as("lizhou"), programme) == [target.pk]
    assert shown(client_as("nursery1"), programme) == []
    assert shown(client_as("hrss"), programme) == []
    assert shown(client_as("simen"), programme) == []


def test_only_the_organisers_officers_change_the_status(client_as):
    programme = matrix.programme("h")
    assert (
        client_as("hrss").post(reverse("programme_status", args=[programme.pk]), {"status": "running"}).status_code
        == 403
    )
    programme.refresh_from_db()
    assert programme.status == "planned"
    response = client_as("health").post(reverse("programme_status", args=[programme.pk]), {"status": "running"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == "running"


# --- Sessions --------------------------------------------------------------------------------


def test_a_session_outside_the_programmes_dates_is_refused_with_a_message(en):
    programme = make_programme()
    client = en("health")
    for held_on in ("2026-05-31", "2026-07-01"):
        response = client.post(
            reverse("session_create", args=[programme.pk]),
            {"held_on": held_on, "place": "泗门镇卫生院", "hours": "3", "trainer": "王老师"},
        )
        assert response.status_code == 200
        assert "The session must fall between 2026-06-01 and 2026-06-30." in errors_of(response)
        assert "The session must fall between 2026-06-01 and 2026-06-30." in response.content.decode()
    response = client.post(
        reverse("session_create", args=[programme.pk]),
        {"held_on": "2026-06-01", "place": "泗门镇卫生院", "hours": "0", "trainer": "王老师"},
    )
    assert "Hours must be more than 0 and at most 24." in errors_of(response)
    assert not programme.sessions.exists()

    response = client.post(
        reverse("session_create", args=[programme.pk]),
        {"held_on": "2026-06-30", "place": "泗门镇卫生院", "hours": "3.5", "trainer": "王老师", "topic": "婴幼儿喂养"},
        follow=True,
    )
    assert "Session of 2026-06-30 added." in messages_of(response)
    session = programme.sessions.get()
    assert (session.hours, session.trainer, session.topic) == (Decimal("3.5"), "王老师", "婴幼儿喂养")
    assert [s.attendance for s in response.context["sessions"]] == [0]


# --- Participants ----------------------------------------------------------------------------


def test_a_village_instructor_without_a_village_is_refused(en):
    programme = make_programme()
    response = en("health").post(
        reverse("participant_create", args=[programme.pk]), {"kind": "village_instructor", "name": "张指导员"}
    )
    assert response.status_code == 200
    assert "A village health instructor needs their village or community." in errors_of(response)
    assert not programme.participants.exists()

    response = en("health").post(
        reverse("participant_create", args=[programme.pk]),
        {"kind": "village_instructor", "name": "张指导员", "village": village().code, "phone": "13812345678"},
    )
    assert response.status_code == 302
    person = programme.participants.get()
    assert (person.village, person.township.code, person.phone) == (village(), SIMEN, "13812345678")


def test_the_village_choice_stays_within_the_programmes_area(client_as):
    programme = make_programme()
    response = client_as("health").post(
        reverse("participant_create", args=[programme.pk]),
        {"kind": "village_instructor", "name": "外镇指导员", "village": village(LIZHOU).code},
    )
    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert not programme.participants.exists()


def test_the_staff_picker_lists_only_rosters_the_runner_may_see(client_as):
    nursery1_staff = StaffMember.objects.filter(institution__organisation__code="demo-simen-xingxing").first()
    nursery2_staff = StaffMember.objects.filter(institution__organisation__code="demo-lizhou-yangguang").first()
    # The health bureau oversees rosters: for a 泗门镇 course, 泗门镇's staff are offered.
    course = make_programme(kind=K.IN_SERVICE)
    form = client_as("health").get(reverse("programme_detail", args=[course.pk])).context["participant_form"]
    offered = set(form.fields["staff"].queryset.values_list("pk", flat=True))
    assert nursery1_staff.pk in offered and nursery2_staff.pk not in offered
    assert form.initial["kind"] == "staff"
    response = client_as("health").post(
        reverse("participant_create", args=[course.pk]), {"kind": "staff", "staff": nursery2_staff.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["staff"]
    response = client_as("health").post(
        reverse("participant_create", args=[course.pk]), {"kind": "staff", "staff": nursery1_staff.pk}
    )
    assert response.status_code == 302
    joined = course.participants.get()
    assert (joined.staff, joined.name, joined.township.code) == (nursery1_staff, nursery1_staff.name, SIMEN)
    # The page never shows an ID number, masked or not.
    html = client_as("health").get(reverse("programme_detail", args=[course.pk])).content.decode()
    assert nursery1_staff.id_number not in html and nursery1_staff.id_number_masked not in html

    # The women's federation sees no roster: no staff picker, and staff cannot be posted.
    client = client_as(None)
    client.force_login(women_officer())
    family = client.post(reverse("programme_create"), new_programme(kind=K.FAMILY_CLASS, title="家庭课堂"))
    family = TrainingProgramme.objects.get(title="家庭课堂")
    form = client.get(reverse("programme_detail", args=[family.pk])).context["participant_form"]
    assert "staff" not in form.fields
    assert [value for value, _label in form.fields["kind"].choices if value] == ["village_instructor", "public"]
    response = client.post(
        reverse("participant_create", args=[family.pk]), {"kind": "staff", "staff": nursery1_staff.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert not family.participants.exists()


def test_a_mobile_number_is_checked_and_a_member_of_the_public_needs_a_name(en):
    programme = make_programme(kind=K.VOLUNTEER)
    url = reverse("participant_create", args=[programme.pk])
    response = en("health").post(url, {"kind": "public", "name": "李志愿", "phone": "12345"})
    assert "Enter an 11-digit mobile number beginning with 1." in errors_of(response)
    response = en("health").post(url, {"kind": "public", "name": "  "})
    assert "Give the participant's name." in errors_of(response)
    assert not programme.participants.exists()


# --- Attendance and assessment ----------------------------------------------------------------


def _with_participants(count: int, programme=None):
    programme = programme or make_programme()
    session = services.session_add(
        actor=user("health"), programme=programme, held_on=date(2026, 6, 2), place="泗门镇", hours=Decimal("3"),
        trainer="王老师",
    )  # fmt: skip
    people = [
        services.participant_add(
            actor=user("health"),
            programme=programme,
            kind="village_instructor",
            name=f"指导员{n}",
            village=village(index=n),
        )  # fmt: skip
        for n in range(count)
    ]
    return programme, session, people


def test_attendance_is_recorded_per_session(client_as):
    programme, session, (first, second) = _with_participants(2)
    client = client_as("health")
    page = client.get(reverse("session_attendance", args=[session.pk]))
    assert page.status_code == 200 and [p.present for p in page.context["rows"]] == [False, False]

    response = client.post(reverse("session_attendance", args=[session.pk]), {"present": [first.pk]})
    assert response.status_code == 302
    assert list(session.attendees.all()) == [first]
    page = client.get(reverse("session_attendance", args=[session.pk]))
    assert {p.pk: p.present for p in page.context["rows"]} == {first.pk: True, second.pk: False}
    detail = client.get(reverse("programme_detail", args=[programme.pk]))
    assert {p.pk: p.attended for p in detail.context["participants"]} == {first.pk: 1, second.pk: 0}
    assert [s.attendance for s in detail.context["sessions"]] == [1]

    # Someone else's participant cannot be ticked; nobody present clears the record.
    stranger = matrix.participant("s")
    response = client.post(reverse("session_attendance", args=[session.pk]), {"present": [stranger.pk]})
    assert response.status_code == 200 and list(session.attendees.all()) == [first]
    assert client.post(reverse("session_attendance", args=[session.pk]), {}).status_code == 302
    assert not session.attendees.exists()
    # Seen by every member, run by the organiser only.
    assert client_as("simen").get(reverse("session_attendance", args=[session.pk])).status_code == 403


def test_an_assessment_completes_a_pass_and_a_fail_cannot_be_completed(en):
    _programme, _session, (person,) = _with_participants(1)
    client = en("health")
    url = reverse("participant_assess", args=[person.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"assessment": "failed", "score": "55", "completed_on": "2026-06-30"})
    assert response.status_code == 200
    assert "Only a participant who passed completes the programme and gets a certificate." in errors_of(response)
    response = client.post(url, {"assessment": "failed", "score": "55", "certificate_number": "结业001"})
    assert "Only a participant who passed completes the programme and gets a certificate." in errors_of(response)
    response = client.post(url, {"assessment": "passed", "score": "120"})
    assert "A score is between 0 and 100." in errors_of(response)
    person.refresh_from_db()
    assert (person.assessment, person.score, person.completed_on) == ("pending", None, None)

    response = client.post(url, {"assessment": "failed", "score": "55"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.assessment, person.score, person.completed) == ("failed", Decimal("55"), False)

    response = client.post(
        url, {"assessment": "passed", "score": "88.5", "completed_on": "2026-06-30", "certificate_number": "结业001"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.assessment, person.score, person.completed_on, person.certificate_number) == (
        "passed", Decimal("88.5"), date(2026, 6, 30), "结业001",
    )  # fmt: skip
    # The organiser's other users may not act; a township that sees the participant gets 403.
    assert en("simen").post(url, {"assessment": "failed"}).status_code == 403
    assert en("hrss").get(url).status_code == 404


# --- Fixed query counts ----------------------------------------------------------------------


def _bulk(count: int):
    """``count`` programmes, and one programme with ``count`` participants who attended both
    of its sessions (some completed)."""
    health = Organisation.objects.get(code="health")
    simen = Region.objects.get(code=SIMEN)
    TrainingProgramme.objects.bulk_create(
        TrainingProgramme(kind=K.VOLUNTEER, title=f"批量培训{n:03d}", organiser=health, region=simen,
                          starts_on=date(2026, 1, 1) + timedelta(days=n), ends_on=date(2026, 12, 31))
        for n in range(count)
    )  # fmt: skip
    programme = make_programme(title=f"大班培训{count}")
    sessions = [
        TrainingSession.objects.create(programme=programme, held_on=date(2026, 6, day), place="泗门镇",
                                       hours=Decimal("2"), trainer="王老师")
        for day in (2, 3)
    ]  # fmt: skip
    villages = list(Region.objects.filter(parent=simen).order_by("code"))
    people = Participant.objects.bulk_create(
        Participant(programme=programme, kind="village_instructor", name=f"学员{n:03d}",
                    village=villages[n % len(villages)], township=simen, phone=f"139{n:08d}",
                    completed_on=date(2026, 6, 30) if n % 2 else None)
        for n in range(count)
    )  # fmt: skip
    through = Participant.sessions_attended.through
    through.objects.bulk_create(
        through(participant_id=person.pk, trainingsession_id=session.pk) for person in people for session in sessions
    )
    return programme


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize("username", ["health", "simen", "nursery1"])
def test_the_list_and_a_programmes_page_keep_a_fixed_number_of_queries(
    size, username, client_as, django_assert_max_num_queries
):
    """Measured: 14 for the list and the export whatever the size; 16 for the runner's page of
    a programme (with the staff picker and the villages), fewer for a viewer's."""
    programme = _bulk(size)
    client = client_as(username)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("programme_list"))
    assert response.status_code == 200 and response.context["page"].paginator.count >= size
    with django_assert_max_num_queries(15):
        response = client.get(reverse("programme_list"), {"kind": K.VOLUNTEER, "township": SIMEN})
    assert response.context["page"].paginator.count == size  # the demo's volunteer course serves the city
    with django_assert_max_num_queries(16):
        response = client.get(reverse("programme_detail", args=[programme.pk]))
    assert response.status_code == 200
    expected = 0 if username == "nursery1" else size
    assert len(response.context["participants"]) == expected
    if expected:
        assert {p.attended for p in response.context["participants"]} == {2}
    with django_assert_max_num_queries(15):
        assert client.get(reverse("programme_export")).status_code == 200
