"""Workforce imports from Excel: staff and certificates (an institution's own officers) and the
participants of a programme (its runners). All or nothing, with a row-by-row report; a barred
person's row says only to contact the health bureau, and the ban-list match stays logged although
nothing is saved.

The cast (tests/conftest.py): ``nursery1`` heads institution A in 泗门镇, ``nursery2`` institution B
in 梨洲街道; ``simen`` runs village-instructor training for 泗门镇; ``hrss`` and ``health`` see rosters
city-wide. Workbooks are built in memory with openpyxl. Messages are asserted in English.
"""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Region, SecurityEvent
from inspections.services import enforcement
from tests.factories import TrainingProgrammeFactory
from tests.helpers import workbook
from tests.training.helpers import add_staff, id_number, institution
from training import imports
from training.models import Certificate, Participant, StaffMember, TrainingProgramme
from training.services import staff as staff_services

pytestmark = pytest.mark.django_db

STAFF_URL = "/training/staff/import/"
CERTIFICATE_URL = "/training/certificates/import/"
STAFF_HEADERS = ["姓名", "身份证号", "性别", "岗位", "学历", "班级", "入职日期", "健康证有效期至", "背景审查日期"]
CERTIFICATE_HEADERS = ["身份证号", "证书种类", "等级", "证书编号", "发证机构", "发证日期", "有效期至"]
PARTICIPANT_HEADERS = ["参与者类型", "姓名", "手机号", "村（社区）代码", "机构从业人员身份证号"]
SIMEN, VILLAGE_SIMEN, VILLAGE_LIZHOU = "330281103", "330281103001", "330281001001"


def class_name() -> str:
    return institution().class_groups.order_by("pk").first().name


def staff_row(sequence: int, **changes) -> list:
    values = {
        "name": f"导入{sequence}",
        "id_number": id_number(sequence),
        "gender": "女",
        "role": "保育人员",
        "education": "大专",
        "class_group": class_name(),
        "hired_on": date(2025, 9, 1),
        "health_certificate_expires": date(2027, 8, 31),
        "background_checked_on": "2025-08-20",
    }
    values.update(changes)
    return list(values.values())


@pytest.fixture
def post(client_as, django_capture_on_commit_callbacks):
    """Upload a workbook to a page as one of the cast, in English. The import task runs when the
    upload commits (in-process in tests); an accepted upload is followed to its job's page."""

    def upload(username: str, url: str, content: bytes, name: str = "导入.xlsx"):
        client = client_as(username)
        client.cookies["django_language"] = "en"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": SimpleUploadedFile(name, content)})
        if response.status_code == 302:
            response = client.get(response["Location"])
        return response

    return upload


def problems(response) -> list[tuple[int, str, str]]:
    report = response.context["job"].errors if "job" in response.context else response.context["report"]
    return [(item["row"], item["column"], item["message"]) for item in report]


def imported(response) -> int:
    """The rows a finished import saved (its job's page); fails with the report otherwise."""
    job = response.context["job"]
    assert job.status == "done", job.errors
    return job.imported_rows


def roster_names(code: str = "demo-simen-xingxing") -> set[str]:
    return set(StaffMember.objects.filter(institution__organisation__code=code).values_list("name", flat=True))


# --- Templates ------------------------------------------------------------------------------


def template(client, kind: str, query: str = ""):
    response = client.get(reverse("training_import_template", kwargs={"kind": kind}) + query)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_staff_template_has_the_headers_no_data_row_and_the_institutions_classes(client_as):
    book = template(client_as("nursery1"), "staff")
    assert book.sheetnames == ["导入数据", "填写说明", "班级"]
    data = book["导入数据"]
    assert [cell.value.rstrip("*") for cell in data[1]] == STAFF_HEADERS
    assert data["A1"].value == "姓名*" and data["F1"].value == "班级"
    assert data.max_row == 1  # the example is on the instructions sheet, never imported
    assert data.column_dimensions["B"].number_format == "@"  # ID numbers stay text in Excel
    classes = {row[0] for row in book["班级"].iter_rows(min_row=2, values_only=True)}
    assert classes == set(institution().class_groups.values_list("name", flat=True))
    help_text = str([cell.value for line in book["填写说明"].iter_rows() for cell in line])
    assert "保育人员" in help_text and "11010519491231002X" in help_text


def test_the_certificate_template_lists_the_kinds_in_use(client_as):
    book = template(client_as("nursery1"), "certificates")
    assert [cell.value.rstrip("*") for cell in book["导入数据"][1]] == CERTIFICATE_HEADERS
    kinds = {row[0]: row[1] for row in book["证书种类"].iter_rows(min_row=2, values_only=True)}
    assert kinds["育婴员"] == "五级、四级、三级"


def test_the_participant_template_lists_the_villages_of_the_programmes_area(client_as, cast):
    programme = village_programme(cast)
    book = template(client_as("simen"), "participants", f"?programme={programme.pk}")
    assert [cell.value.rstrip("*") for cell in book["导入数据"][1]] == PARTICIPANT_HEADERS
    codes = [row[0] for row in book["村（社区）代码"].iter_rows(min_row=2, values_only=True)]
    assert VILLAGE_SIMEN in codes and all(code.startswith(SIMEN) for code in codes)
    city = template(client_as("hrss"), "participants")
    codes = [row[0] for row in city["村（社区）代码"].iter_rows(min_row=2, values_only=True)]
    assert VILLAGE_SIMEN in codes and VILLAGE_LIZHOU in codes


def test_an_unknown_template_is_404_and_someone_without_an_organisation_gets_403(client_as):
    assert client_as("nursery1").get("/training/imports/people/template.xlsx").status_code == 404
    assert client_as("stranger").get("/training/imports/staff/template.xlsx").status_code == 403
    assert client_as("sysadmin").get("/training/imports/staff/template.xlsx").status_code == 403


# --- Staff ----------------------------------------------------------------------------------


def test_a_good_staff_file_imports_every_row_with_its_audit_trail(post):
    before = StaffMember.objects.count()
    rows = [staff_row(1), staff_row(2, role="负责人", education="本科", class_group=""),
            staff_row(3, role="Cook", gender="male", education="高中", class_group=None,
                      health_certificate_expires=None, background_checked_on=None)]  # fmt: skip
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, rows))
    assert imported(response) == 3
    assert StaffMember.objects.count() == before + 3
    added = {m.name: m for m in StaffMember.objects.filter(name__in=["导入1", "导入2", "导入3"])}
    first, head, cook = added["导入1"], added["导入2"], added["导入3"]
    assert first.institution == institution() and first.id_number == id_number(1)
    assert first.id_hash == keyed_hash(id_number(1))
    assert (first.role, first.gender, first.education) == ("caregiver", "female", "college")
    assert first.class_group.name == class_name() and first.hired_on == date(2025, 9, 1)
    assert first.background_checked_on == date(2025, 8, 20)
    assert (head.role, head.education, head.class_group) == ("person_in_charge", "bachelor", None)
    assert (cook.role, cook.gender, cook.education, cook.health_certificate_expires) == (
        "cook", "male", "high_school", None
    )  # fmt: skip
    added_events = AuditEvent.objects.filter(event="staff.added", object_id__in=[str(m.pk) for m in added.values()])
    assert added_events.count() == 3
    summary = AuditEvent.objects.filter(event="staff.imported").latest("pk")
    assert summary.object_id == str(institution().pk) and summary.after == {"rows": 3}
    page = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, [staff_row(4)]))
    assert imported(page) == 1 and "1 row imported." in page.content.decode()


def test_the_file_goes_to_the_importers_own_institution(post):
    response = post("nursery2", STAFF_URL, workbook(STAFF_HEADERS, [staff_row(5, class_group="")]))
    assert imported(response) == 1
    member = StaffMember.objects.get(name="导入5")
    assert member.institution.organisation.code == "demo-lizhou-yangguang"


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        (
            {"id_number": id_number(6)[:17] + ("0" if id_number(6)[17] != "0" else "1")},
            "身份证号",
            "The last character of this ID number does not match: please check the number.",
        ),
        ({"role": "园丁"}, "岗位", "Unknown value “园丁”"),
        ({"hired_on": timezone.localdate() + timedelta(days=3)}, "入职日期", "This date is in the future."),
        ({"class_group": "不存在的班"}, "班级", "has no class named “不存在的班”"),
        ({"gender": "未知"}, "性别", "Unknown value “未知”"),
        ({"hired_on": "去年"}, "入职日期", "Not a date: write it as 2026-03-15."),
        ({"name": ""}, "姓名", "Required: this cell is empty."),
    ],
    ids=["id-check-digit", "role", "future-hire", "class", "gender", "date", "name"],
)
def test_one_bad_row_imports_nothing_and_the_report_names_its_row_and_column(post, changes, column, message):
    before = StaffMember.objects.count()
    rows = [staff_row(7), staff_row(6, **changes), staff_row(8)]
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, rows))
    assert response.status_code == 200
    assert StaffMember.objects.count() == before
    assert not AuditEvent.objects.filter(event="staff.imported").exists()
    found = problems(response)
    assert len(found) == 1, found
    row, header, text = found[0]
    assert (row, header) == (3, column) and message in text
    assert "Nothing was imported" in response.content.decode()


def test_an_id_number_twice_in_the_file_is_reported_on_the_second_row(post):
    rows = [staff_row(9), staff_row(10), staff_row(11, id_number=id_number(9))]
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, rows))
    assert problems(response) == [(4, "身份证号", "The same ID number is on row 2 too.")]
    assert not StaffMember.objects.filter(name__in=["导入9", "导入10"]).exists()


def test_someone_already_on_the_staff_is_reported(post, cast):
    add_staff(cast["nursery1"], sequence=12)
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, [staff_row(13), staff_row(12)]))
    assert problems(response) == [(3, "身份证号", "This person is already on the staff of this institution.")]
    assert not StaffMember.objects.filter(name="导入13").exists()


def test_a_barred_persons_row_says_only_to_contact_the_bureau_and_the_match_stays_logged(post, cast):
    barred = id_number(901, born=date(1980, 3, 9))
    enforcement.ban_add(
        actor=cast["health"], name="测试·禁入者", id_number=barred, reason="测试禁入理由", decided_on=date(2025, 6, 1)
    )
    before = StaffMember.objects.count()
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count()
    rows = [staff_row(14), staff_row(15, id_number=barred, name="测试·禁入者")]
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, rows))
    assert StaffMember.objects.count() == before
    [(row, header, text)] = problems(response)
    assert (row, header) == (3, "身份证号") and "Health Bureau" in text
    page = response.content.decode()
    assert "测试禁入理由" not in page and "2025-06-01" not in page and barred not in page
    # Logged outside the rolled-back import: the security log keeps the attempt.
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).count() == events + 1
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH).latest("pk")
    assert event.username == "nursery1" and event.path == STAFF_URL and barred not in str(event.detail)


def test_a_service_refusal_while_saving_rolls_back_every_row(post, monkeypatch):
    real = staff_services.staff_create
    calls = []

    def refuse_the_second(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise ApplicationError("Refused for the test.", fields={"class_group": ["No."]})
        return real(**kwargs)

    monkeypatch.setattr(staff_services, "staff_create", refuse_the_second)
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, [staff_row(16), staff_row(17), staff_row(18)]))
    assert problems(response) == [(3, "班级", "Refused for the test.")]
    assert calls == ["导入16", "导入17", "导入18"]
    assert not StaffMember.objects.filter(name__in=calls).exists()
    assert not AuditEvent.objects.filter(event="staff.imported").exists()


def test_a_text_file_named_xlsx_is_refused_with_a_message(post):
    before = StaffMember.objects.count()
    response = post("nursery1", STAFF_URL, "姓名,身份证号\n张三,330281\n".encode(), name="名单.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "名单.xlsx is not an Excel workbook (.xlsx) by its content: save it from the template as .xlsx."
    ]
    assert response.context["report"] is None and StaffMember.objects.count() == before


def test_a_file_over_5_mb_is_refused(post):
    response = post("nursery1", STAFF_URL, b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), name="大.xlsx")
    assert "files may be at most 5 MB" in response.context["form"].errors["file"][0]


def test_more_than_2000_rows_are_refused_whole(post):
    rows = [[f"人{n}", "x", "女", "保育人员", "大专", "", "2025-01-01", "", ""] for n in range(imports.MAX_ROWS + 1)]
    before = StaffMember.objects.count()
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, rows))
    assert problems(response) == [
        (imports.MAX_ROWS + 2, "", "The file has more than 2000 rows: split it into several files.")
    ]
    assert StaffMember.objects.count() == before


def test_a_missing_required_column_is_reported_on_row_1(post):
    headers = [h for h in STAFF_HEADERS if h != "岗位"]
    row = staff_row(19)
    del row[3]
    response = post("nursery1", STAFF_URL, workbook(headers, [row]))
    assert problems(response) == [(1, "岗位", "This column is missing: keep the template's headers on row 1.")]


@pytest.mark.parametrize("username", ["simen", "health", "hrss", "leader", "fire"])
def test_only_an_institutions_own_officers_import_staff_and_certificates(client_as, post, username):
    assert client_as(username).get(STAFF_URL).status_code == 403
    assert client_as(username).get(CERTIFICATE_URL).status_code == 403
    assert post(username, STAFF_URL, workbook(STAFF_HEADERS, [staff_row(20)])).status_code == 403
    assert not StaffMember.objects.filter(name="导入20").exists()


def test_the_import_page_offers_the_template_and_lists_the_columns(client_as):
    response = client_as("nursery1").get(STAFF_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("training_import_template", kwargs={"kind": "staff"}) in page
    assert [column["header"] for column in response.context["columns"]] == STAFF_HEADERS
    assert "保育人员" in page  # the role column's accepted names


# --- Certificates --------------------------------------------------------------------------


def certificate_row(number: str, **changes) -> list:
    values = {
        "id_number": id_number(30),
        "kind": "育婴员",
        "level": "四级",
        "number": number,
        "issuer": "浙江省人力资源和社会保障厅",
        "issued_on": date(2024, 6, 30),
        "expires_on": None,
    }
    values.update(changes)
    return list(values.values())


def test_certificates_are_matched_to_staff_by_id_number(post, cast):
    member = add_staff(cast["nursery1"], sequence=30)
    other = add_staff(cast["nursery1"], sequence=31, role=StaffMember.Role.HEALTH_WORKER)
    rows = [
        certificate_row("TEST-IMP-0001"),
        certificate_row(
            "TEST-IMP-0002",
            id_number=id_number(31),
            kind="托幼机构卫生保健人员培训合格证",
            level="",
            expires_on="2029-06-30",
        ),
    ]
    response = post("nursery1", CERTIFICATE_URL, workbook(CERTIFICATE_HEADERS, rows))
    assert imported(response) == 2
    first = Certificate.objects.get(number="TEST-IMP-0001")
    assert (first.staff, first.kind.code, first.level, first.status) == (member, "infant-carer", "四级", "pending")
    second = Certificate.objects.get(number="TEST-IMP-0002")
    assert (second.staff, second.expires_on) == (other, date(2029, 6, 30))
    added = AuditEvent.objects.filter(event="certificate.added", object_id__in=[str(first.pk), str(second.pk)])
    assert added.count() == 2
    assert AuditEvent.objects.filter(event="certificates.imported").latest("pk").after == {"rows": 2}


def test_a_certificate_of_someone_not_on_the_staff_is_refused_without_saying_where_they_work(post, cast):
    add_staff(cast["nursery1"], sequence=32)
    add_staff(cast["nursery2"], sequence=33, institution_code="demo-lizhou-yangguang")
    rows = [
        certificate_row("TEST-IMP-0003", id_number=id_number(32)),
        certificate_row("TEST-IMP-0004", id_number=id_number(33)),  # on nursery2's staff
        certificate_row("TEST-IMP-0005", id_number=id_number(34)),  # on nobody's staff
    ]
    response = post("nursery1", CERTIFICATE_URL, workbook(CERTIFICATE_HEADERS, rows))
    found = problems(response)
    assert [(row, column) for row, column, _ in found] == [(3, "身份证号"), (4, "身份证号")]
    assert found[0][2] == found[1][2]
    assert found[0][2].startswith("No one with this ID number is on your institution's current staff")
    assert not Certificate.objects.filter(number__startswith="TEST-IMP-000").exists()


def test_certificate_rows_are_checked_for_kind_level_dates_and_numbers(post, cast):
    add_staff(cast["nursery1"], sequence=35)
    recorded = Certificate.objects.filter(staff__institution__organisation__code="demo-simen-xingxing").first()
    rows = [
        certificate_row("TEST-IMP-0010", id_number=id_number(35), kind="驾驶证"),
        certificate_row("TEST-IMP-0011", id_number=id_number(35), level="八级"),
        certificate_row("TEST-IMP-0012", id_number=id_number(35), expires_on=date(2020, 1, 1)),
        certificate_row("TEST-IMP-0013", id_number=id_number(35), issued_on=timezone.localdate() + timedelta(days=1)),
        certificate_row("TEST-IMP-0014", id_number=id_number(35)),
        certificate_row("TEST-IMP-0014", id_number=id_number(35)),
        certificate_row(recorded.number, id_number=id_number(35), kind=recorded.kind.name, level=recorded.level),
    ]
    response = post("nursery1", CERTIFICATE_URL, workbook(CERTIFICATE_HEADERS, rows))
    assert [(row, column) for row, column, _ in problems(response)] == [
        (2, "证书种类"), (3, "等级"), (4, "有效期至"), (5, "发证日期"), (7, "证书编号"), (8, "证书编号"),
    ]  # fmt: skip
    messages = [text for _, _, text in problems(response)]
    assert "Unknown kind of certificate “驾驶证”" in messages[0] and "五级、四级、三级" in messages[1]
    assert messages[4] == "The same certificate (kind and number) is on row 6 too."
    assert messages[5] == "A certificate of this kind with this number is already recorded."
    assert not Certificate.objects.filter(number__startswith="TEST-IMP-001").exists()


# --- Participants --------------------------------------------------------------------------


def village_programme(cast) -> TrainingProgramme:
    return TrainingProgrammeFactory(actor=cast["simen"], title="泗门镇指导员培训（导入测试）", township_code=SIMEN)


def participant_url(programme) -> str:
    return reverse("participant_import", kwargs={"pk": programme.pk})


def test_village_instructors_members_of_the_public_and_staff_join_from_a_file(post, cast):
    programme = village_programme(cast)
    member = add_staff(cast["nursery1"], sequence=40)
    rows = [
        ["村（社区）卫生健康指导员", "指导员甲", "139 0000 1111", VILLAGE_SIMEN, None],
        ["社会公众", "家长乙", None, None, None],
        ["机构从业人员", None, None, None, id_number(40)],
    ]
    response = post("simen", participant_url(programme), workbook(PARTICIPANT_HEADERS, rows))
    assert imported(response) == 3
    joined = {p.name: p for p in Participant.objects.filter(programme=programme)}
    assert set(joined) == {"指导员甲", "家长乙", member.name}
    instructor = joined["指导员甲"]
    assert instructor.kind == "village_instructor"
    assert (instructor.village.code, instructor.township.code) == (VILLAGE_SIMEN, SIMEN)
    assert instructor.phone == "13900001111"
    assert joined[member.name].staff == member and joined[member.name].kind == "staff"
    added = AuditEvent.objects.filter(event="participant.added", object_id__in=[str(p.pk) for p in joined.values()])
    assert added.count() == 3
    assert AuditEvent.objects.filter(event="participants.imported", object_id=str(programme.pk)).exists()


def test_a_village_outside_simen_is_refused_and_nothing_is_saved(post, cast):
    programme = village_programme(cast)
    rows = [
        ["村（社区）卫生健康指导员", "指导员丙", None, VILLAGE_SIMEN, None],
        ["村（社区）卫生健康指导员", "指导员丁", None, VILLAGE_LIZHOU, None],
        ["村（社区）卫生健康指导员", "指导员戊", None, None, None],
        ["村（社区）卫生健康指导员", "指导员己", None, SIMEN + "999", None],
    ]
    response = post("simen", participant_url(programme), workbook(PARTICIPANT_HEADERS, rows))
    found = problems(response)
    assert [(row, column) for row, column, _ in found] == [(3, "村（社区）代码"), (4, "村（社区）代码"),
                                                          (5, "村（社区）代码")]  # fmt: skip
    lizhou = Region.objects.get(code=VILLAGE_LIZHOU).name
    assert found[0][2] == f"{lizhou} is outside the area of the programme (泗门镇)."
    assert found[1][2].startswith("Required for a village health instructor")
    assert found[2][2] == f"No village or community has the code {SIMEN}999."
    assert not Participant.objects.filter(programme=programme).exists()


def test_staff_participants_are_found_only_among_the_rosters_the_organiser_sees(post, cast):
    programme = village_programme(cast)
    seen = add_staff(cast["nursery1"], sequence=41)
    add_staff(cast["nursery2"], sequence=42, institution_code="demo-lizhou-yangguang")
    rows = [
        ["机构从业人员", seen.name, None, None, id_number(41)],
        ["机构从业人员", None, None, None, id_number(42)],  # 梨洲街道: not in simen's sight
        ["机构从业人员", "别的名字", None, None, id_number(41)],
        ["社会公众", "公众庚", None, None, id_number(43)],
    ]
    response = post("simen", participant_url(programme), workbook(PARTICIPANT_HEADERS, rows))
    assert [(row, column) for row, column, _ in problems(response)] == [
        (3, "机构从业人员身份证号"), (4, "姓名"), (4, "机构从业人员身份证号"), (5, "机构从业人员身份证号"),
    ]  # fmt: skip
    messages = [text for _, _, text in problems(response)]
    assert messages[0].startswith("No one with this ID number is on the current staff")
    assert messages[1] == f"The roster holds this ID number under the name {seen.name}."
    assert messages[2] == "The same staff member is on row 2 too."
    assert not Participant.objects.filter(programme=programme).exists()


def test_only_the_organisers_officers_import_participants(client_as, post, cast):
    programme = village_programme(cast)
    rows = [["社会公众", "公众辛", None, None, None]]
    for username in ("hrss", "health", "lizhou", "nursery1"):
        assert client_as(username).get(participant_url(programme)).status_code == 403
        assert post(username, participant_url(programme), workbook(PARTICIPANT_HEADERS, rows)).status_code == 403
    assert client_as("stranger").get(participant_url(programme)).status_code == 404
    assert client_as("simen").get(participant_url(programme)).status_code == 200
    assert not Participant.objects.filter(programme=programme).exists()
