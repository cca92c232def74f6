"""The workforce API (/api/v1/training/…): scoped like the pages, ID numbers only masked except
for the audited reveal, the ban check on adding a person, bad input answered 400 with field
errors (never a 500), the HR bureau's verification moving the certification rate, programmes
run by their organiser, and lists at a fixed number of queries.

The cast (tests/conftest.py): ``nursery1`` heads institution A in 泗门镇, ``nursery2`` B in
梨洲街道; ``simen`` and ``lizhou`` are the two townships; ``health`` oversees staff and may
reveal, ``hrss`` verifies certificates and may reveal; ``leader``, ``fire`` and ``amr`` see no
roster at all.
"""

import json
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.crypto import keyed_hash
from accounts.models import Region, SecurityEvent
from inspections.services import enforcement
from registry.models import ClassGroup
from tests.conftest import CAST
from tests.helpers import error_of, patch_json, post_json, queries_of
from tests.training.helpers import add_staff, id_number, institution, pdf_scan
from training import selectors
from training.demo import SHARED_SEQUENCE, demo_id_number
from training.models import Certificate, CertificateKind, Participant, StaffMember, TrainingProgramme
from training.services import staff as staff_services

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
INSTITUTION_A, INSTITUTION_B = "demo-simen-xingxing", "demo-lizhou-yangguang"
SIMEN, LIZHOU = "330281103", "330281001"
MASKED = re.compile(r"^330281\*{8}[\dX]{4}$")
BAN_MESSAGE = (
    "This person cannot be added to the staff. Please contact the Yuyao Health Bureau (市卫生健康局) about this "
    "person before going further."
)


# --- Helpers ------------------------------------------------------------------------------


def full_numbers() -> list[str]:
    return [member.id_number for member in StaffMember.objects.all()]


def all_rows(client, url, params=None) -> list[dict]:
    """Every row of a paginated list, page after page."""
    rows, page = [], 1
    while True:
        response = client.get(url, {**(params or {}), "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        page += 1


def active_staff(**lookup):
    return StaffMember.objects.filter(StaffMember.active_q(timezone.localdate()), **lookup)


def person(**extra) -> dict:
    return {
        "name": "接口新人", "id_number": id_number(401), "gender": "female", "role": "caregiver",
        "education": "college", "hired_on": "2025-09-01", **extra,
    }  # fmt: skip


def certificate_body(member, **extra) -> dict:
    return {
        "staff": member.pk, "kind": "infant-carer", "level": "四级", "number": "接口证书0001",
        "issuer": "浙江省人力资源和社会保障厅", "issued_on": "2025-06-01", **extra,
    }  # fmt: skip


# --- Scope --------------------------------------------------------------------------------


def test_nursery1_sees_only_its_own_staff(client_as):
    own = institution(INSTITUTION_A)
    rows = all_rows(client_as("nursery1"), f"{API}/staff/")
    assert rows and {row["institution"]["id"] for row in rows} == {own.pk}
    assert len(rows) == active_staff(institution=own).count()
    other = active_staff(institution=institution(INSTITUTION_B)).first()
    assert error_of(client_as("nursery1").get(f"{API}/staff/{other.pk}/"), 404)["code"] == "not_found"
    # Filtering on another institution is a value outside the filter's set: 400, not its staff.
    foreign = client_as("nursery1").get(f"{API}/staff/", {"institution": other.institution_id})
    assert error_of(foreign, 400)["fields"].keys() == {"institution"}


def test_a_township_sees_the_staff_of_its_territory_only(client_as):
    rows = all_rows(client_as("simen"), f"{API}/staff/", {"status": "all"})
    assert rows and {row["institution"]["township_code"] for row in rows} == {SIMEN}
    assert len(rows) == StaffMember.objects.filter(institution__township__code=SIMEN).count()
    lizhou = client_as("lizhou")
    assert error_of(lizhou.get(f"{API}/staff/", {"township": SIMEN, "status": "all"}), 400)["fields"].keys() == {
        "township"
    }
    assert {row["institution"]["township_code"] for row in all_rows(lizhou, f"{API}/staff/")} == {LIZHOU}
    member_a = active_staff(institution__township__code=SIMEN).first()
    assert lizhou.get(f"{API}/staff/{member_a.pk}/").status_code == 404
    assert client_as("simen").get(f"{API}/staff/{member_a.pk}/").status_code == 200


@pytest.mark.parametrize("username", ["health", "hrss"])
def test_the_health_and_hr_bureaus_see_every_roster(username, client_as):
    client = client_as(username)
    assert client.get(f"{API}/staff/").json()["count"] == active_staff().count()
    assert client.get(f"{API}/staff/", {"status": "all"}).json()["count"] == StaffMember.objects.count()
    certificates = client.get(f"{API}/certificates/").json()["count"]
    assert certificates == Certificate.objects.count()


@pytest.mark.parametrize("username", ["leader", "fire", "amr", "edu", "mca", "stranger", "sysadmin"])
def test_others_see_no_staff_and_no_certificates(username, client_as):
    client = client_as(username)
    assert client.get(f"{API}/staff/", {"status": "all"}).json()["count"] == 0
    assert client.get(f"{API}/certificates/").json()["count"] == 0
    assert client.get(f"{API}/expiring/").json()["count"] == 0
    member = active_staff(institution=institution(INSTITUTION_A)).first()
    assert client.get(f"{API}/staff/{member.pk}/").status_code == 404
    certificate = Certificate.objects.filter(staff__institution=member.institution).first()
    assert client.get(f"{API}/certificates/{certificate.pk}/").status_code == 404


def test_list_filters_by_role_status_and_institution(client_as, cast):
    health = client_as("health")
    own = institution(INSTITUTION_A)
    rows = all_rows(health, f"{API}/staff/", {"institution": own.pk, "role": "caregiver"})
    assert rows and {(row["institution"]["id"], row["role"], row["active"]) for row in rows} == {
        (own.pk, "caregiver", True)
    }
    gone = staff_services.staff_leave(
        actor=cast["nursery1"], member=add_staff(cast["nursery1"], sequence=412), left_on=date(2025, 12, 31)
    )
    left = all_rows(health, f"{API}/staff/", {"status": "left"})
    assert gone.pk in {row["id"] for row in left} and not any(row["active"] for row in left)
    assert len(left) == StaffMember.objects.exclude(StaffMember.active_q(timezone.localdate())).count()
    everyone = health.get(f"{API}/staff/", {"status": "all", "township": SIMEN}).json()["count"]
    assert everyone == StaffMember.objects.filter(institution__township__code=SIMEN).count()


def test_bad_filters_answer_400_with_the_field(client_as):
    client = client_as("health")
    assert set(error_of(client.get(f"{API}/staff/", {"status": "gone"}))["fields"]) == {"status"}
    assert set(error_of(client.get(f"{API}/staff/", {"role": "boss"}))["fields"]) == {"role"}
    assert set(error_of(client.get(f"{API}/staff/", {"institution": "x"}))["fields"]) == {"institution"}
    assert set(error_of(client.get(f"{API}/certificates/", {"status": "lost"}))["fields"]) == {"status"}
    assert set(error_of(client.get(f"{API}/programmes/", {"kind": "party"}))["fields"]) == {"kind"}
    assert set(error_of(client.get(f"{API}/expiring/", {"institution": "x"}))["fields"]) == {"institution"}


# --- Masking ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", CAST)
def test_no_list_or_detail_answer_carries_a_full_id_number(username, client_as):
    numbers = full_numbers()
    client = client_as(username)
    member_a = active_staff(institution=institution(INSTITUTION_A)).first()
    member_b = active_staff(institution=institution(INSTITUTION_B)).first()
    pre_job = TrainingProgramme.objects.get(kind=TrainingProgramme.Kind.PRE_JOB, title__startswith="【演示】")
    urls = [
        f"{API}/staff/{member_a.pk}/",
        f"{API}/staff/{member_b.pk}/",
        f"{API}/certificates/{member_a.certificates.first().pk}/",
        f"{API}/programmes/{pre_job.pk}/participants/",
        f"{API}/rates/",
        f"{API}/village-coverage/",
    ]
    bodies = [client.get(url).content.decode() for url in urls]
    for url in (f"{API}/staff/", f"{API}/certificates/", f"{API}/expiring/"):
        rows = all_rows(client, url, {"status": "all"} if url.endswith("staff/") else None)
        bodies.append(json.dumps(rows, ensure_ascii=False))
        for row in rows if url.endswith("staff/") else []:
            assert MASKED.match(row["id_number_masked"]), row["id_number_masked"]
            assert "id_number" not in row
    leaked = [number for number in numbers for body in bodies if number in body]
    assert not leaked, f"{username} received full ID numbers: {leaked[:3]}"


def _refs(node, found: set) -> set:
    """Names of the schema components a piece of the OpenAPI document refers to."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def test_the_full_number_is_a_field_of_the_reveal_answer_only(client_as):
    schema = client_as("health").get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    answers = {}
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/training/"):
            for operation in operations.values():
                answers[path] = _refs(operation.get("responses", {}), answers.get(path, set()))
    assert "/api/v1/training/staff/{id}/reveal/" in answers and "/api/v1/training/rates/" in answers
    reachable = set().union(*answers.values())
    while True:  # components refer to components
        more = _refs([components[name] for name in reachable], set()) - reachable
        if not more:
            break
        reachable |= more
    with_number = sorted(name for name in reachable if "id_number" in components[name].get("properties", {}))
    assert with_number == ["StaffReveal"]
    assert {path for path, names in answers.items() if "StaffReveal" in names} == {
        "/api/v1/training/staff/{id}/reveal/"
    }


# --- The duplicate-employment flag --------------------------------------------------------


def test_the_duplicate_flag_is_shown_to_the_health_bureau_only(client_as):
    own = institution(INSTITUTION_A)
    shared = StaffMember.objects.get(institution=own, id_hash=keyed_hash(demo_id_number(SHARED_SEQUENCE)))
    rows = {row["id"]: row for row in all_rows(client_as("health"), f"{API}/staff/", {"institution": own.pk})}
    assert rows[shared.pk]["employed_elsewhere"] is True
    assert sum(row["employed_elsewhere"] for row in rows.values()) == 1
    assert client_as("health").get(f"{API}/staff/{shared.pk}/").json()["employed_elsewhere"] is True
    for username in ("nursery1", "simen", "hrss"):
        client = client_as(username)
        assert all("employed_elsewhere" not in row for row in all_rows(client, f"{API}/staff/"))
        assert "employed_elsewhere" not in client.get(f"{API}/staff/{shared.pk}/").json()


# --- Reveal -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["health", "hrss"])
def test_a_holder_of_the_reveal_duty_gets_the_number_with_a_reason_and_it_is_logged(username, client_as, cast):
    member = active_staff(institution=institution(INSTITUTION_A)).first()
    before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).count()
    response = post_json(client_as(username), f"{API}/staff/{member.pk}/reveal/", {"reason": "核对健康证信息"})
    assert response.status_code == 200, response.content
    assert response.json() == {"id": member.pk, "name": member.name, "id_number": member.id_number}
    assert "no-store" in response["Cache-Control"]
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).latest("pk")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).count() == before + 1
    assert event.user_id_value == cast[username].pk
    assert event.detail["pk"] == member.pk and event.detail["reason"] == "核对健康证信息"


def test_a_reveal_without_a_reason_shows_nothing_and_logs_nothing(client_as):
    member = active_staff(institution=institution(INSTITUTION_A)).first()
    client = client_as("health")
    before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).count()
    for body in ({}, {"reason": ""}, {"reason": "看看"}):
        response = post_json(client, f"{API}/staff/{member.pk}/reveal/", body)
        assert set(error_of(response)["fields"]) == {"reason"}
        assert member.id_number not in response.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).count() == before


def test_a_reveal_without_the_duty_is_refused(client_as):
    member = active_staff(institution=institution(INSTITUTION_A)).first()
    before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).count()
    for username, status in (("nursery1", 403), ("simen", 403), ("lizhou", 404), ("leader", 404)):
        response = post_json(client_as(username), f"{API}/staff/{member.pk}/reveal/", {"reason": "核对健康证信息"})
        assert response.status_code == status, username
        assert member.id_number not in response.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).count() == before


# --- Adding, changing and ending ----------------------------------------------------------


def test_an_institution_adds_a_person_and_gets_the_number_masked(client_as):
    response = post_json(client_as("nursery1"), f"{API}/staff/", person())
    assert response.status_code == 201, response.content
    body = response.json()
    member = StaffMember.objects.get(pk=body["id"])
    assert member.institution == institution(INSTITUTION_A) and member.id_number == id_number(401)
    assert body["id_number_masked"] == member.id_number_masked and id_number(401) not in response.content.decode()
    assert "employed_elsewhere" not in body
    # Named explicitly: the same; another institution's: out of sight.
    assert post_json(client_as("nursery1"), f"{API}/staff/", person(id_number=id_number(402),
                     institution=member.institution_id)).status_code == 201  # fmt: skip
    other = institution(INSTITUTION_B)
    assert post_json(client_as("nursery1"), f"{API}/staff/", person(institution=other.pk)).status_code == 404


@pytest.mark.parametrize("username", ["health", "hrss", "simen", "leader", "stranger"])
def test_only_an_institutions_officers_add_staff(username, client_as):
    count = StaffMember.objects.count()
    response = post_json(client_as(username), f"{API}/staff/", person(institution=institution(INSTITUTION_A).pk))
    assert response.status_code in (403, 404)
    assert error_of(client_as(username).post(f"{API}/staff/", {}), 403)["code"] == "permission_denied"
    assert StaffMember.objects.count() == count


def test_a_person_on_the_ban_list_is_refused_with_the_bureau_to_contact_and_nothing_else(client_as, cast):
    barred = id_number(777)
    enforcement.ban_add(
        actor=cast["health"], name="【测试】禁入者", id_number=barred, reason="【测试】虐童，终身禁入",
        decided_on=date(2025, 1, 15), document="【测试】余卫〔2025〕9号",
    )  # fmt: skip
    count = StaffMember.objects.count()
    response = post_json(client_as("nursery1"), f"{API}/staff/", person(id_number=barred), HTTP_ACCEPT_LANGUAGE="en")
    error = error_of(response)
    assert error == {"code": "invalid", "message": BAN_MESSAGE, "fields": {"id_number": [BAN_MESSAGE]}}
    text = response.content.decode()
    for detail in ("禁入者", "虐童", "余卫", "2025-01-15", barred):
        assert detail not in text
    assert StaffMember.objects.count() == count
    assert not StaffMember.objects.filter(id_hash=keyed_hash(barred)).exists()


def test_bad_input_is_answered_with_field_errors_in_chinese(client_as):
    client = client_as("nursery1")
    error = error_of(post_json(client, f"{API}/staff/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert error["message"] == "请更正以下错误。"
    assert set(error["fields"]) == {"name", "id_number", "gender", "role", "education", "hired_on"}
    assert error["fields"]["name"] == ["该字段是必填项。"]
    error = error_of(post_json(client, f"{API}/staff/", person(id_number="3302811992"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert error["fields"] == {"id_number": ["身份证号码应为18位。"]}
    english = error_of(post_json(client, f"{API}/staff/", {}, HTTP_ACCEPT_LANGUAGE="en"))
    assert english["fields"]["name"] == ["This field is required."]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"hired_on": "2025-13-01"}, "hired_on"),
        ({"hired_on": (date.today() + timedelta(days=30)).isoformat()}, "hired_on"),
        ({"role": "boss"}, "role"),
        ({"gender": 1}, "gender"),
        ({"id_number": id_number(403)[:17] + ("0" if id_number(403)[17] != "0" else "1")}, "id_number"),
        ({"id_number": "33028119921317001X"}, "id_number"),
        ({"class_group": 999999999}, "class_group"),
        ({"name": "名" * 65}, "name"),
        ({"institution": "abc"}, "institution"),
    ],
)
def test_bad_staff_fields_answer_400_never_500(body, field, client_as):
    count = StaffMember.objects.count()
    error = error_of(post_json(client_as("nursery1"), f"{API}/staff/", person(**body)))
    assert field in error["fields"], error
    assert StaffMember.objects.count() == count


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "{bad json", '{"name": {"a": 1}}', "[]"])
def test_malformed_bodies_answer_400(body, client_as):
    client = client_as("nursery1")
    member = active_staff(institution=institution(INSTITUTION_A)).first()
    for method, url in (
        ("post", f"{API}/staff/"),
        ("patch", f"{API}/staff/{member.pk}/"),
        ("post", f"{API}/staff/{member.pk}/leave/"),
        ("post", f"{API}/certificates/"),
        ("post", f"{API}/programmes/"),
    ):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code in (400, 403), (method, url, response.status_code, response.content)


def test_another_institutions_class_is_refused(client_as):
    foreign = ClassGroup.objects.filter(institution=institution(INSTITUTION_B)).first()
    error = error_of(post_json(client_as("nursery1"), f"{API}/staff/", person(class_group=foreign.pk)))
    assert set(error["fields"]) == {"class_group"}


def test_an_officer_changes_a_record_but_not_the_id_number(client_as):
    member = active_staff(institution=institution(INSTITUTION_A), role="caregiver").first()
    number = member.id_number
    group = ClassGroup.objects.filter(institution=member.institution).order_by("pk").last()
    client = client_as("nursery1")
    response = patch_json(client, f"{API}/staff/{member.pk}/", {"name": "改名后", "class_group": group.pk})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "改名后" and response.json()["class_group"]["id"] == group.pk
    error = error_of(patch_json(client, f"{API}/staff/{member.pk}/", {"id_number": id_number(404), "name": "又改"}))
    assert set(error["fields"]) == {"id_number"}
    member.refresh_from_db()
    assert member.id_number == number and member.name == "改名后"
    assert patch_json(client_as("simen"), f"{API}/staff/{member.pk}/", {"name": "x"}).status_code == 403
    assert patch_json(client_as("nursery2"), f"{API}/staff/{member.pk}/", {"name": "x"}).status_code == 404
    assert set(error_of(patch_json(client, f"{API}/staff/{member.pk}/", {"role": "boss"}))["fields"]) == {"role"}


def test_an_officer_ends_an_employment_once(client_as, cast):
    member = add_staff(cast["nursery1"], sequence=405)
    client = client_as("nursery1")
    assert set(error_of(post_json(client, f"{API}/staff/{member.pk}/leave/", {}))["fields"]) == {"left_on"}
    response = post_json(client, f"{API}/staff/{member.pk}/leave/", {"left_on": "2026-01-31"})
    assert response.status_code == 200, response.content
    assert response.json()["left_on"] == "2026-01-31" and response.json()["active"] is False
    assert (
        error_of(post_json(client, f"{API}/staff/{member.pk}/leave/", {"left_on": "2026-02-28"}))["code"] == "invalid"
    )
    left = all_rows(client, f"{API}/staff/", {"status": "left"})
    assert member.pk in {row["id"] for row in left}
    assert member.pk not in {row["id"] for row in all_rows(client, f"{API}/staff/")}
    assert (
        post_json(client_as("health"), f"{API}/staff/{member.pk}/leave/", {"left_on": "2026-01-31"}).status_code == 403
    )


# --- Certificates -------------------------------------------------------------------------


def _rate(client, pk) -> dict:
    response = client.get(f"{API}/institutions/{pk}/rate/")
    assert response.status_code == 200, response.content
    return response.json()["rate"]


def _township_row(client, pk) -> dict:
    rows = client.get(f"{API}/rates/{SIMEN}/").json()["institutions"]
    return next(row["rate"] for row in rows if row["institution"]["id"] == pk)


def test_verification_by_hrss_changes_the_institutions_rate(client_as, cast):
    own = institution(INSTITUTION_A)
    member = add_staff(cast["nursery1"], sequence=406)
    before = _rate(client_as("nursery1"), own.pk)
    assert before == _township_row(client_as("health"), own.pk)
    response = client_as("nursery1").post(f"{API}/certificates/", {**certificate_body(member), "scan": pdf_scan()})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending" and created["scan"]["content_type"] == "application/pdf"
    assert _rate(client_as("nursery1"), own.pk) == before  # waiting: does not count yet
    response = post_json(client_as("hrss"), f"{API}/certificates/{created['id']}/verify/", {"note": "核验通过"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified" and response.json()["verified_by"] == "市人力社保局"
    after = _rate(client_as("nursery1"), own.pk)
    assert (after["certified"], after["total"]) == (before["certified"] + 1, before["total"])
    assert after == _township_row(client_as("health"), own.pk) == _rate(client_as("hrss"), own.pk)
    assert after["percent"] == round(100 * after["certified"] / after["total"], 1)
    again = post_json(client_as("hrss"), f"{API}/certificates/{created['id']}/verify/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(again)["message"] == "This certificate has already been decided."


def test_only_hrss_verifies_or_rejects(client_as, cast):
    member = add_staff(cast["nursery1"], sequence=407)
    response = client_as("nursery1").post(f"{API}/certificates/", certificate_body(member))
    pk = response.json()["id"]
    for username, status in (("nursery1", 403), ("health", 403), ("simen", 403), ("lizhou", 404), ("fire", 404)):
        assert post_json(client_as(username), f"{API}/certificates/{pk}/verify/", {}).status_code == status
        assert post_json(client_as(username), f"{API}/certificates/{pk}/reject/", {"note": "x"}).status_code == status
    assert Certificate.objects.get(pk=pk).status == Certificate.Status.PENDING
    hrss = client_as("hrss")
    assert set(error_of(post_json(hrss, f"{API}/certificates/{pk}/reject/", {}))["fields"]) == {"note"}
    response = post_json(hrss, f"{API}/certificates/{pk}/reject/", {"note": "扫描件与证书编号不符"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["verification_note"] == "扫描件与证书编号不符"


def test_a_scan_is_judged_by_its_content(client_as, cast):
    member = add_staff(cast["nursery1"], sequence=408)
    fake = SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client_as("nursery1").post(f"{API}/certificates/", {**certificate_body(member), "scan": fake})
    assert set(error_of(response)["fields"]) == {"scan"}
    assert not Certificate.objects.filter(staff=member).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "no-such-kind"}, "kind"),
        ({"level": "九级"}, "level"),
        ({"issued_on": "2025-02-30"}, "issued_on"),
        ({"issued_on": (date.today() + timedelta(days=3)).isoformat()}, "issued_on"),
        ({"expires_on": "2024-01-01"}, "expires_on"),
        ({"number": ""}, "number"),
        ({"staff": "abc"}, "staff"),
    ],
)
def test_bad_certificate_fields_answer_400(changes, field, client_as, cast):
    member = add_staff(cast["nursery1"], sequence=409)
    response = client_as("nursery1").post(f"{API}/certificates/", {**certificate_body(member), **changes})
    assert field in error_of(response)["fields"]
    assert not Certificate.objects.filter(staff=member).exists()


def test_certificates_of_other_rosters_cannot_be_recorded(client_as):
    foreign = active_staff(institution=institution(INSTITUTION_B)).first()
    assert client_as("nursery1").post(f"{API}/certificates/", certificate_body(foreign)).status_code == 404
    assert client_as("hrss").post(f"{API}/certificates/", certificate_body(foreign)).status_code == 403
    assert not Certificate.objects.filter(number="接口证书0001").exists()


def test_the_institution_withdraws_an_unverified_certificate_only(client_as, cast):
    member = add_staff(cast["nursery1"], sequence=410)
    client = client_as("nursery1")
    pending = client.post(f"{API}/certificates/", certificate_body(member)).json()["id"]
    assert client_as("hrss").delete(f"{API}/certificates/{pending}/").status_code == 403
    assert client_as("nursery2").delete(f"{API}/certificates/{pending}/").status_code == 404
    assert client.delete(f"{API}/certificates/{pending}/").status_code == 204
    assert not Certificate.objects.filter(pk=pending).exists()
    verified = Certificate.objects.filter(staff__institution=member.institution, status="verified").first()
    assert error_of(client.delete(f"{API}/certificates/{verified.pk}/"))["code"] == "invalid"
    assert Certificate.objects.filter(pk=verified.pk).exists()


def test_the_certificate_list_filters(client_as):
    hrss = client_as("hrss")
    pending = all_rows(hrss, f"{API}/certificates/", {"status": "pending"})
    assert pending and {row["status"] for row in pending} == {"pending"}
    assert len(pending) == Certificate.objects.filter(status="pending").count()
    simen = all_rows(hrss, f"{API}/certificates/", {"township": SIMEN})
    assert {row["staff"]["institution"]["township_code"] for row in simen} == {SIMEN}
    member = Certificate.objects.filter(staff__institution__township__code=SIMEN).first().staff
    rows = all_rows(hrss, f"{API}/certificates/", {"staff": member.pk})
    assert {row["id"] for row in rows} == set(member.certificates.values_list("pk", flat=True))
    # Another township is outside the user's choices: refused, not an empty list.
    refused = client_as("lizhou").get(f"{API}/certificates/", {"township": SIMEN})
    assert refused.status_code == 400 and set(error_of(refused)["fields"]) == {"township"}


def test_certificate_kinds_for_every_member(client_as):
    rows = client_as("fire").get(f"{API}/certificate-kinds/").json()["results"]
    assert {row["code"] for row in rows} == set(
        CertificateKind.objects.filter(is_active=True).values_list("code", flat=True)
    )
    assert next(row for row in rows if row["code"] == "infant-carer")["counts_for_rate"] is True
    assert client_as("stranger").get(f"{API}/certificate-kinds/").json()["count"] == 0


def test_expiring_certificates_in_sight(client_as, cast):
    own = institution(INSTITUTION_A)
    rows = all_rows(client_as("nursery1"), f"{API}/expiring/")
    assert rows and {row["staff"]["institution"]["id"] for row in rows} == {own.pk}
    assert len(rows) == len(selectors.expiry_list(actor=cast["nursery1"]))
    assert any(row["expired"] for row in rows) and any(row["certificate"] for row in rows)
    assert not any(row["staff"]["institution"]["township_code"] == SIMEN
                   for row in all_rows(client_as("lizhou"), f"{API}/expiring/"))  # fmt: skip
    assert all_rows(client_as("health"), f"{API}/expiring/", {"institution": own.pk}) == rows


# --- Rates and coverage -------------------------------------------------------------------


def test_rates_by_township_for_the_bureaus_and_a_township(client_as):
    body = client_as("health").get(f"{API}/rates/").json()
    city = selectors.city_rate()
    assert (body["total"]["certified"], body["total"]["total"]) == (city.certified, city.total)
    assert body["definition"]["requires_verification"] is True and "育婴员" in body["definition"]["kinds"]
    assert SIMEN in {row["code"] for row in body["townships"]}
    simen = client_as("simen").get(f"{API}/rates/").json()
    assert [row["code"] for row in simen["townships"]] == [SIMEN]
    assert simen["townships"][0]["rate"] == next(r["rate"] for r in body["townships"] if r["code"] == SIMEN)
    assert client_as("leader").get(f"{API}/rates/").json()["total"] == {"certified": 0, "total": 0, "percent": None}


def test_an_institution_gets_its_own_rate(client_as):
    own = institution(INSTITUTION_A)
    body = client_as("nursery1").get(f"{API}/rates/").json()
    rate = selectors.institution_rate(institution=own)
    assert body["townships"] == []
    assert (body["total"]["certified"], body["total"]["total"]) == (rate.certified, rate.total)
    assert _rate(client_as("nursery1"), own.pk)["certified"] == rate.certified
    assert client_as("nursery1").get(f"{API}/institutions/{institution(INSTITUTION_B).pk}/rate/").status_code == 404
    assert client_as("leader").get(f"{API}/institutions/{own.pk}/rate/").status_code == 403
    assert client_as("nursery1").get(f"{API}/rates/{SIMEN}/").status_code == 404
    assert client_as("lizhou").get(f"{API}/rates/{SIMEN}/").status_code == 404


def test_the_township_breakdown_adds_up(client_as):
    body = client_as("hrss").get(f"{API}/rates/{SIMEN}/").json()
    assert body["township"] == {"code": SIMEN, "name": Region.objects.get(code=SIMEN).name}
    assert body["institutions"]
    assert body["total"]["total"] == sum(row["rate"]["total"] for row in body["institutions"])
    assert body["total"]["certified"] == sum(row["rate"]["certified"] for row in body["institutions"])


def test_village_coverage_by_who_asks(client_as):
    simen = client_as("simen").get(f"{API}/village-coverage/").json()
    assert [row["township"]["code"] for row in simen["townships"]] == [SIMEN]
    expected = selectors.village_coverage(township_codes=[SIMEN])[0]
    row = simen["townships"][0]
    assert (row["villages"], row["covered"], row["instructors"]) == (
        expected.villages, expected.covered, expected.instructors
    )  # fmt: skip
    assert row["covered"] > 0 and len(row["uncovered"]) == row["villages"] - row["covered"]
    city = client_as("health").get(f"{API}/village-coverage/").json()
    assert len(city["townships"]) == Region.objects.filter(level=Region.Level.TOWNSHIP).count()
    assert city["total"]["covered"] == sum(r["covered"] for r in city["townships"])
    assert client_as("nursery1").get(f"{API}/village-coverage/").json()["townships"] == []


# --- Programmes ---------------------------------------------------------------------------


def _programme(client, **changes) -> dict:
    body = {"kind": "trainer_city", "title": "接口师资培训", "region": "330281", "starts_on": "2026-03-01",
            "ends_on": "2026-03-31", **changes}  # fmt: skip
    return post_json(client, f"{API}/programmes/", body)


def test_programmes_are_created_by_those_whose_duties_name_the_kind(client_as):
    response = _programme(client_as("health"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organiser"]["code"] == "health" and body["may_run"] is True and body["sessions"] == []
    assert _programme(client_as("simen")).status_code == 403  # a township does not train city trainers
    response = _programme(client_as("simen"), kind="village_instructor", region=SIMEN)
    assert response.status_code == 201 and response.json()["organiser"]["code"] == "township-330281103"
    assert set(error_of(_programme(client_as("simen"), kind="village_instructor", region=LIZHOU))["fields"]) == {
        "region"
    }
    for username in ("fire", "nursery1", "leader", "stranger"):
        assert _programme(client_as(username)).status_code == 403
    for changes, field in (({"ends_on": "2026-02-01"}, "ends_on"), ({"region": "999"}, "region"),
                           ({"kind": "party"}, "kind"), ({"starts_on": "soon"}, "starts_on")):  # fmt: skip
        assert field in error_of(_programme(client_as("health"), **changes))["fields"]


def test_programme_list_and_filters(client_as):
    rows = all_rows(client_as("fire"), f"{API}/programmes/")
    assert len(rows) == TrainingProgramme.objects.count()
    instructors = all_rows(client_as("fire"), f"{API}/programmes/", {"kind": "village_instructor"})
    assert instructors and {row["kind"] for row in instructors} == {"village_instructor"}
    simen = all_rows(client_as("nursery2"), f"{API}/programmes/", {"township": SIMEN})
    assert simen and all(row["region"]["code"].startswith(SIMEN) for row in simen)
    assert client_as("sysadmin").get(f"{API}/programmes/").json()["count"] == 0


def test_running_a_programme(client_as, cast):
    health = client_as("health")
    programme = _programme(health).json()
    url = f"{API}/programmes/{programme['id']}"
    session = post_json(health, f"{url}/sessions/", {"held_on": "2026-03-02", "place": "指导中心", "hours": "6.0",
                                                     "trainer": "主讲老师"})  # fmt: skip
    assert session.status_code == 201, session.content
    assert health.get(f"{url}/").json()["sessions"][0]["id"] == session.json()["id"]
    assert post_json(client_as("hrss"), f"{url}/sessions/", {"held_on": "2026-03-02", "place": "x", "hours": "1",
                                                             "trainer": "x"}).status_code == 403  # fmt: skip
    for changes, field in (({"held_on": "2026-05-01"}, "held_on"), ({"hours": "0"}, "hours"),
                           ({"hours": "abc"}, "hours")):  # fmt: skip
        body = {"held_on": "2026-03-02", "place": "指导中心", "hours": "6.0", "trainer": "主讲老师", **changes}
        assert field in error_of(post_json(health, f"{url}/sessions/", body))["fields"]
    # Participants: a member of the public, a village instructor, a staff member of institution A.
    public = post_json(health, f"{url}/participants/", {"kind": "public", "name": "王某", "phone": "13900001234"})
    assert public.status_code == 201, public.content
    assert public.json()["phone_masked"] == "139****1234" and "13900001234" not in public.content.decode()
    village = Region.objects.filter(parent__code=SIMEN, level=Region.Level.VILLAGE).order_by("code").first()
    assert set(error_of(post_json(health, f"{url}/participants/", {"kind": "village_instructor", "name": "李某"}))[
        "fields"]) == {"village"}  # fmt: skip
    instructor = post_json(health, f"{url}/participants/",
                           {"kind": "village_instructor", "name": "李某", "village": village.code})  # fmt: skip
    assert instructor.status_code == 201 and instructor.json()["township"]["code"] == SIMEN
    member = add_staff(cast["nursery1"], sequence=411)
    staff = post_json(health, f"{url}/participants/", {"kind": "staff", "staff": member.pk})
    assert staff.status_code == 201 and staff.json()["staff"]["id"] == member.pk
    assert member.id_number not in staff.content.decode()
    assert "staff" in error_of(post_json(health, f"{url}/participants/", {"kind": "staff", "staff": member.pk}))[
        "fields"]  # fmt: skip
    ids = [public.json()["id"], instructor.json()["id"], staff.json()["id"]]
    # Who sees which participants: the organiser all; an institution its own staff; a township its villages.
    assert {row["id"] for row in all_rows(health, f"{url}/participants/")} == set(ids)
    assert [row["id"] for row in all_rows(client_as("nursery1"), f"{url}/participants/")] == [ids[2]]
    assert {row["id"] for row in all_rows(client_as("simen"), f"{url}/participants/")} == {ids[1], ids[2]}
    assert all_rows(client_as("lizhou"), f"{url}/participants/") == []
    # Attendance and the assessment.
    session_url = f"{API}/sessions/{session.json()['id']}/attendance/"
    response = post_json(health, session_url, {"participants": ids[:2]})
    assert response.status_code == 200 and response.json() == {"session": session.json()["id"], "present": ids[:2]}
    other = Participant.objects.exclude(programme_id=programme["id"]).first()
    assert set(error_of(post_json(health, session_url, {"participants": [other.pk]}))["fields"]) == {"participants"}
    assert set(error_of(post_json(health, session_url, {"participants": ["x"]}))["fields"]) == {"participants"}
    assert post_json(client_as("simen"), session_url, {"participants": ids[:1]}).status_code == 403
    assessment = f"{API}/participants/{ids[0]}/assessment/"
    response = post_json(health, assessment, {"assessment": "passed", "score": "88", "completed_on": "2026-03-31",
                                              "certificate_number": "结业2026001"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["completed_on"] == "2026-03-31" and response.json()["sessions_attended"] == [
        session.json()["id"]
    ]
    assert error_of(post_json(health, assessment, {"assessment": "failed", "completed_on": "2026-03-31"}))
    assert "score" in error_of(post_json(health, assessment, {"assessment": "passed", "score": "150"}))["fields"]
    assert post_json(client_as("nursery1"), f"{API}/participants/{ids[2]}/assessment/",
                     {"assessment": "passed"}).status_code == 403  # fmt: skip
    assert post_json(client_as("lizhou"), assessment, {"assessment": "passed"}).status_code == 404


# --- Fixed numbers of queries -------------------------------------------------------------


def _add_roster(size: int, start: int = 0) -> None:
    """``size`` more caregivers at institution A, each with a certificate waiting for the HR
    bureau (written directly: only the number of rows matters here)."""
    own = institution(INSTITUTION_A)
    kind = CertificateKind.objects.get(code="infant-carer")
    members = []
    for sequence in range(start, start + size):
        number = id_number(sequence, born=date(1981, 1, 1) + timedelta(days=sequence))
        members.append(StaffMember(
            institution=own, name=f"批量{sequence}", id_number=number, id_hash=keyed_hash(number),
            gender="female", role="caregiver", education="college", hired_on=date(2024, 1, 1),
        ))  # fmt: skip
    StaffMember.objects.bulk_create(members)
    created = StaffMember.objects.filter(institution=own, name__startswith="批量", certificates__isnull=True)
    Certificate.objects.bulk_create(
        Certificate(
            staff=member,
            kind=kind,
            level="四级",
            number=f"批量{member.pk}",
            issuer="人社",
            issued_on=date(2024, 6, 1),
            status="pending",
        )  # fmt: skip
        for member in created
    )


@pytest.mark.parametrize("username", ["nursery1", "health", "simen", "hrss"])
def test_the_staff_and_certificate_lists_keep_a_fixed_number_of_queries(username, client_as):
    client = client_as(username)
    own = institution(INSTITUTION_A)
    _add_roster(10)
    small = [queries_of(client, f"{API}/staff/", {"institution": own.pk}), queries_of(client, f"{API}/certificates/")]
    _add_roster(500, start=10)
    assert StaffMember.objects.filter(institution=own).count() > 500
    large = [queries_of(client, f"{API}/staff/", {"institution": own.pk}), queries_of(client, f"{API}/certificates/")]
    assert large == small
    assert max(large) <= 10


def test_the_list_queries_stay_pinned(client_as, django_assert_max_num_queries):
    _add_roster(500)
    client = client_as("health")
    with django_assert_max_num_queries(10):
        assert client.get(f"{API}/staff/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"{API}/certificates/", {"status": "pending"}).status_code == 200
    # One more than the others: the township filter's choices (every township) are read once.
    with django_assert_max_num_queries(10):
        assert client.get(f"{API}/programmes/").status_code == 200


def test_pages_of_the_roster_never_overlap_when_people_share_a_name_and_post(client_as):
    """Sixty people of one name and post in one institution: the API's pages give each exactly
    once, since the order ends with the primary key."""
    _add_roster(60)
    StaffMember.objects.filter(name__startswith="批量").update(name="同名")
    client = client_as("nursery1")
    seen, url = [], f"{API}/staff/?active=1"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"] if row["name"] == "同名"]
        url = body["next"]
    assert len(seen) == 60 and len(set(seen)) == 60
    assert StaffMember._meta.ordering[-1] == "pk"
