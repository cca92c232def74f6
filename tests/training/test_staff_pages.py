"""The staff pages with the demo accounts: rosters in sight and their filters, the Excel export,
masking of ID numbers everywhere but the audited reveal, the duplicate-employment flag for the
health bureau only, adding staff through the page (and the ban-list block), editing, leaving,
and a fixed number of queries for a roster of 10 and of 500."""

import io
import re
from datetime import date, timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.crypto import keyed_hash
from accounts.models import AuditEvent, SecurityEvent
from inspections.services import enforcement
from tests.factories import InstitutionFactory
from tests.helpers import english
from tests.training.helpers import add_staff, id_number, institution
from training.demo import SHARED_SEQUENCE, demo_id_number
from training.models import Certificate, CertificateKind, StaffMember

pytestmark = pytest.mark.django_db

INSTITUTION_A = "demo-simen-xingxing"  # nursery1, 泗门镇
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, 梨洲街道
SHARED_ID = demo_id_number(SHARED_SEQUENCE)  # on both rosters


def _member(code: str = INSTITUTION_A, **filters) -> StaffMember:
    return (
        StaffMember.objects.filter(institution__organisation__code=code, left_on__isnull=True, **filters)
        .order_by("pk")
        .first()
    )


def _listed(response) -> list[StaffMember]:
    return list(response.context["page"].object_list)


def _valid_form(**extra) -> dict:
    return {
        "name": "测试·新保育员",
        "id_number": id_number(101),
        "gender": "female",
        "role": "caregiver",
        "education": "college",
        "class_group": "",
        "hired_on": "2025-09-01",
        "health_certificate_expires": "2027-09-01",
        "background_checked_on": "2025-08-20",
        **extra,
    }


# --- Who sees which roster ----------------------------------------------------------------


def test_an_institution_sees_only_its_own_staff_without_an_institution_filter(client_as):
    response = client_as("nursery1").get(reverse("staff_list"), {"status": "all"})
    assert response.status_code == 200
    codes = {member.institution.organisation.code for member in response.context["page"].paginator.object_list}
    assert codes == {INSTITUTION_A}
    assert "institution" not in [field.name for field in response.context["filter"].shown]
    assert (
        response.context["page"].paginator.count
        == StaffMember.objects.filter(institution__organisation__code=INSTITUTION_A).count()
    )


def test_a_township_sees_the_rosters_of_its_territory_only(client_as):
    simen = client_as("simen").get(reverse("staff_list"), {"status": "all"})
    townships = {m.institution.township.code for m in simen.context["page"].paginator.object_list}
    assert townships == {"330281103"}
    assert (
        simen.context["page"].paginator.count
        == StaffMember.objects.filter(institution__township__code="330281103").count()
    )
    lizhou = client_as("lizhou").get(reverse("staff_list"), {"status": "all"})
    seen = {m.institution.organisation.code for m in lizhou.context["page"].paginator.object_list}
    assert INSTITUTION_A not in seen and INSTITUTION_B in seen


@pytest.mark.parametrize("username", ["leader", "fire", "amr", "mca", "editor", "edu", "auditor", "stranger"])
def test_everyone_else_gets_an_empty_roster(client_as, username):
    response = client_as(username).get(reverse("staff_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_the_bureaus_see_every_roster_and_filter_it(client_as):
    client = client_as("hrss")
    everyone = client.get(reverse("staff_list"))
    active = StaffMember.objects.filter(StaffMember.active_q(timezone.localdate())).count()
    assert everyone.context["page"].paginator.count == active
    nursery2 = institution(INSTITUTION_B)
    only_b = client.get(reverse("staff_list"), {"institution": nursery2.pk, "role": "caregiver"})
    listed = list(only_b.context["page"].paginator.object_list)
    assert listed and {(m.institution_id, m.role) for m in listed} == {(nursery2.pk, "caregiver")}
    township = client.get(reverse("staff_list"), {"township": "330281001"})
    assert {m.institution.township.code for m in township.context["page"].paginator.object_list} == {"330281001"}
    name = _member(INSTITUTION_B).name
    by_name = client.get(reverse("staff_list"), {"q": name})
    assert {m.name for m in by_name.context["page"].paginator.object_list} == {name}


def test_leavers_are_listed_apart(cast, client_as):
    member = add_staff(cast["nursery1"], sequence=20)
    client_as("nursery1").post(reverse("staff_leave", args=[member.pk]), {"left_on": timezone.localdate()})
    client = client_as("nursery1")
    assert member not in client.get(reverse("staff_list")).context["page"].paginator.object_list
    assert list(client.get(reverse("staff_list"), {"status": "left"}).context["page"].paginator.object_list) == [member]


def test_a_foreign_institution_in_the_filter_lists_nothing(client_as):
    foreign = institution(INSTITUTION_B)
    for value in (foreign.pk, "abc", 10**15):
        response = client_as("simen").get(reverse("staff_list"), {"institution": value})
        # simen sees one township: nursery2's id is an error in Chinese, and its name never shows.
        assert response.status_code == 200
        assert response.context["filter"].error_lines() == ["托育机构: 请从列表中选择一个机构。"]
        assert response.context["page"].paginator.count == 0
        assert foreign.name not in response.content.decode()


def test_the_institution_filter_renders_only_the_chosen_institution(client_as):
    nursery1, nursery2 = institution(INSTITUTION_A), institution(INSTITUTION_B)
    page = client_as("health").get(reverse("staff_list"), {"institution": nursery1.pk}).content.decode()
    assert f'data-picker-url="{reverse("institution_choices")}"' in page
    assert f'<option value="{nursery1.pk}" selected>{nursery1.name} · {nursery1.township.name}</option>' in page
    assert nursery2.name not in page  # a roster of A names nobody of B, and the filter offers no list


def test_the_roster_page_does_not_grow_with_the_institutions(client_as, django_assert_max_num_queries):
    client = client_as("health")
    before = len(client.get(reverse("staff_list")).content)
    InstitutionFactory.create_batch(100)
    with django_assert_max_num_queries(16):
        after = len(client.get(reverse("staff_list")).content)
    assert after - before < 200  # an <option> per institution would be 5 kB more


def test_the_officers_get_the_add_and_import_links_and_others_do_not(client_as):
    own = client_as("nursery1").get(reverse("staff_list")).content.decode()
    assert reverse("staff_create") in own
    try:  # the import page is another part's; the link is drawn when it exists
        assert reverse("staff_import") in own
    except NoReverseMatch:
        pass
    township = client_as("simen").get(reverse("staff_list")).content.decode()
    assert reverse("staff_create") not in township


def test_a_staff_member_out_of_sight_is_404(client_as):
    member = _member(INSTITUTION_A)
    for username in ("lizhou", "nursery2", "leader", "fire", "stranger"):
        assert client_as(username).get(reverse("staff_detail", args=[member.pk])).status_code == 404
    for username in ("nursery1", "simen", "health", "hrss"):
        assert client_as(username).get(reverse("staff_detail", args=[member.pk])).status_code == 200


# --- Masking and the reveal --------------------------------------------------------------------


def test_id_numbers_are_masked_on_the_list_the_record_and_the_export(client_as):
    member = _member(INSTITUTION_A)
    full, masked = member.id_number, member.id_number_masked
    assert masked == full[:6] + "********" + full[-4:]
    for username in ("nursery1", "simen", "health", "hrss"):
        client = client_as(username)
        listing = client.get(reverse("staff_list"), {"institution": member.institution_id}).content.decode()
        record = client.get(reverse("staff_detail", args=[member.pk])).content.decode()
        for page in (listing, record):
            assert masked in page and full not in page
    export = client_as("health").get(reverse("staff_export"), {"institution": member.institution_id})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("机构名称", "乡镇（街道）", "姓名", "身份证号（脱敏）")
    values = [str(value) for row in rows for value in row if value]
    assert masked in values and not any(full in value for value in values)


def test_the_export_follows_the_page_scope_and_filters(client_as):
    response = client_as("nursery1").get(reverse("staff_export"), {"role": "caregiver"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "同时在其他机构在职" not in header  # the flag is the health bureau's
    expected = StaffMember.objects.filter(
        StaffMember.active_q(timezone.localdate()), institution__organisation__code=INSTITUTION_A, role="caregiver"
    ).count()
    assert len(body) == expected and {row[0] for row in body} == {institution(INSTITUTION_A).name}
    assert {row[5] for row in body} == {"保育人员"}  # the role, in Chinese
    shared = StaffMember.objects.get(id_hash=keyed_hash(SHARED_ID), institution__organisation__code=INSTITUTION_A)
    health = client_as("health").get(reverse("staff_export"), {"q": shared.name})
    rows = list(load_workbook(io.BytesIO(health.content)).active.iter_rows(values_only=True))
    flag = rows[0].index("同时在其他机构在职")
    flags = {row[3]: row[flag] for row in rows[1:]}
    assert flags.pop(shared.id_number_masked) == "是"
    assert set(flags.values()) <= {"否"}


def test_the_health_bureau_reveals_a_number_with_a_reason_and_it_is_logged(client_as):
    member = _member(INSTITUTION_A)
    response = client_as("health").post(reverse("staff_reveal", args=[member.pk]), {"reason": "核查重复任职"})
    assert response.status_code == 200
    assert member.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username="health").latest("pk")
    assert event.detail["pk"] == member.pk and event.detail["reason"] == "核查重复任职"
    assert member.id_number not in str(event.detail)


def test_a_reveal_without_a_reason_is_refused_with_the_message(client_as):
    member = _member(INSTITUTION_A)
    client = english(client_as("hrss"))
    response = client.post(reverse("staff_reveal", args=[member.pk]), {"reason": " "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why you need the full ID number." in page and member.id_number not in page
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).exists()


def test_only_holders_of_the_reveal_duty_reveal(client_as):
    member = _member(INSTITUTION_A)
    url = reverse("staff_reveal", args=[member.pk])
    for username, status in (("nursery1", 403), ("simen", 403), ("lizhou", 404), ("leader", 404)):
        assert client_as(username).post(url, {"reason": "属地核查"}).status_code == status
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).exists()
    # The reveal form is on the record only for those who may use it.
    record = reverse("staff_detail", args=[member.pk])
    assert 'data-testid="reveal-form"' in client_as("hrss").get(record).content.decode()
    assert 'data-testid="reveal-form"' not in client_as("nursery1").get(record).content.decode()


# --- The duplicate-employment flag ------------------------------------------------------------


def test_the_duplicate_flag_is_shown_to_the_health_bureau_only(client_as):
    shared_a = StaffMember.objects.get(id_hash=keyed_hash(SHARED_ID), institution__organisation__code=INSTITUTION_A)
    shared_b = StaffMember.objects.get(id_hash=keyed_hash(SHARED_ID), institution__organisation__code=INSTITUTION_B)
    health = client_as("health")
    listing = health.get(reverse("staff_list"), {"q": shared_a.name})
    flagged = {m.pk for m in listing.context["page"].object_list if m.employed_elsewhere}
    assert {shared_a.pk, shared_b.pk} <= flagged
    assert 'data-testid="duplicate-flag"' in health.get(reverse("staff_detail", args=[shared_a.pk])).content.decode()
    for username, member in (("nursery1", shared_a), ("nursery2", shared_b)):
        client = client_as(username)
        roster = client.get(reverse("staff_list"))
        assert member in roster.context["page"].paginator.object_list  # nursery2's roster has the person too
        for page in (roster, client.get(reverse("staff_detail", args=[member.pk]))):
            text = page.content.decode()
            assert 'data-testid="duplicate-flag"' not in text
            other = INSTITUTION_B if username == "nursery1" else INSTITUTION_A
            assert institution(other).name not in text


def test_the_duplicate_list_groups_people_on_two_rosters_for_the_health_bureau(client_as):
    response = client_as("health").get(reverse("staff_duplicates"))
    assert response.status_code == 200
    groups = response.context["groups"]
    shared = next(group for group in groups if group[0].id_hash == keyed_hash(SHARED_ID))
    assert {m.institution.organisation.code for m in shared} == {INSTITUTION_A, INSTITUTION_B}
    page = response.content.decode()
    assert shared[0].id_number_masked in page and SHARED_ID not in page
    for username in ("nursery1", "nursery2", "simen", "hrss", "leader"):
        assert client_as(username).get(reverse("staff_duplicates")).status_code == 403


# --- Adding, editing, leaving -----------------------------------------------------------------


def test_an_officer_adds_a_caregiver_through_the_page(client_as):
    nursery1 = institution(INSTITUTION_A)
    group = nursery1.class_groups.order_by("pk").first()
    response = client_as("nursery1").post(reverse("staff_create"), _valid_form(class_group=group.pk))
    member = StaffMember.objects.get(name="测试·新保育员")
    assert response.status_code == 302 and response["Location"] == reverse("staff_detail", args=[member.pk])
    assert (member.institution, member.class_group, member.id_number) == (nursery1, group, id_number(101))
    assert AuditEvent.objects.filter(event="staff.added", object_id=str(member.pk)).exists()


@pytest.mark.parametrize("username", ["health", "hrss", "simen", "leader", "stranger"])
def test_nobody_but_an_institutions_officers_adds_staff(client_as, username):
    client = client_as(username)
    assert client.get(reverse("staff_create")).status_code == 403
    assert client.post(reverse("staff_create"), _valid_form()).status_code == 403
    assert not StaffMember.objects.filter(name="测试·新保育员").exists()


def test_a_person_on_the_ban_list_is_not_added_and_the_page_says_only_whom_to_contact(cast, client_as):
    barred = id_number(901, born=date(1978, 3, 9))
    enforcement.ban_add(
        actor=cast["health"],
        name="测试·禁入者",
        id_number=barred,
        reason="测试·虐童终身禁入",
        decided_on=date(2025, 6, 1),
    )
    before = StaffMember.objects.count()
    response = client_as("nursery1").post(reverse("staff_create"), _valid_form(name="测试·禁入者", id_number=barred))
    assert response.status_code == 200
    assert StaffMember.objects.count() == before
    page = response.content.decode()
    errors = re.search(r'data-testid="form-errors">(.*?)</div>', page, re.S).group(1)
    assert "市卫生健康局" in errors  # contact the health bureau (Chinese page)
    assert barred not in page and barred[:6] + "********" + barred[-4:] not in page
    assert "测试·禁入者" not in page and "虐童" not in page  # neither the typed name nor the list entry
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH, username="nursery1").latest("pk")
    assert barred not in str(event.detail)
    in_english = english(client_as("nursery1")).post(reverse("staff_create"), _valid_form(id_number=barred))
    assert "Please contact the Yuyao Health Bureau" in in_english.content.decode()


def test_a_wrong_id_number_is_explained_and_not_echoed_but_the_rest_is_kept(client_as):
    wrong = id_number(102)[:17] + ("0" if id_number(102)[17] != "0" else "1")
    response = english(client_as("nursery1")).post(reverse("staff_create"), _valid_form(id_number=wrong))
    page = response.content.decode()
    assert "The last character of this ID number does not match" in page
    assert wrong not in page and "测试·新保育员" in page
    assert not StaffMember.objects.filter(name="测试·新保育员").exists()


def test_a_class_of_another_institution_cannot_be_chosen(client_as):
    foreign = institution(INSTITUTION_B).class_groups.first()
    response = client_as("nursery1").post(reverse("staff_create"), _valid_form(class_group=foreign.pk))
    assert response.status_code == 200 and response.context["form"].errors["class_group"]
    assert not StaffMember.objects.filter(name="测试·新保育员").exists()


def test_an_officer_edits_a_record_and_others_may_not(client_as):
    member = _member(INSTITUTION_A, role="cook")
    url = reverse("staff_edit", args=[member.pk])
    form = client_as("nursery1").get(url).context["form"]
    data = {name: ("" if value is None else getattr(value, "pk", value)) for name, value in form.initial.items()}
    data.update(education="bachelor", health_certificate_expires="2028-01-31")
    response = client_as("nursery1").post(url, data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.education, member.health_certificate_expires) == ("bachelor", date(2028, 1, 31))
    assert AuditEvent.objects.filter(event="staff.changed", object_id=str(member.pk)).exists()
    assert client_as("simen").post(url, data).status_code == 403
    assert client_as("health").get(url).status_code == 403
    assert client_as("nursery2").get(url).status_code == 404


def test_an_officer_records_a_leaving_once(cast, client_as):
    member = add_staff(cast["nursery1"], sequence=21)
    url = reverse("staff_leave", args=[member.pk])
    client = english(client_as("nursery1"))
    assert client.post(url, {}).status_code == 302
    member.refresh_from_db()
    assert member.left_on is None
    response = client.post(url, {"left_on": timezone.localdate().isoformat()}, follow=True)
    member.refresh_from_db()
    assert member.left_on == timezone.localdate()
    assert "has left the staff" in response.content.decode()
    again = client.post(url, {"left_on": timezone.localdate().isoformat()}, follow=True)
    assert "This person has already left." in again.content.decode()
    assert client_as("simen").post(url, {"left_on": "2026-01-01"}).status_code == 403


# --- A fixed number of queries ----------------------------------------------------------------


def _bulk_roster(size: int) -> None:
    """``size`` more caregivers of institution A, each with a verified certificate."""
    nursery1 = institution(INSTITUTION_A)
    born = date(1976, 2, 2)
    members = []
    for sequence in range(size):
        number = id_number(sequence, born=born + timedelta(days=sequence // 1000))
        members.append(
            StaffMember(
                institution=nursery1,
                name=f"批量{sequence}",
                id_number=number,
                id_hash=keyed_hash(number),
                gender="female",
                role="caregiver",
                education="college",
                hired_on=date(2024, 1, 1),
                health_certificate_expires=date(2027, 1, 1),
            )  # fmt: skip
        )
    members = StaffMember.objects.bulk_create(members)
    kind = CertificateKind.objects.get(code="infant-carer")
    Certificate.objects.bulk_create(
        Certificate(
            staff=member,
            kind=kind,
            level="五级",
            number=f"批量{member.pk}",
            issuer="测试",
            status="verified",
            issued_on=date(2024, 1, 1),
        )  # fmt: skip
        for member in members
    )


@pytest.mark.parametrize("size", [10, 500])
def test_the_roster_page_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    _bulk_roster(size)
    for username in ("nursery1", "health", "simen"):
        client = client_as(username)
        with django_assert_max_num_queries(16):
            response = client.get(reverse("staff_list"))
        assert response.status_code == 200
        assert response.context["page"].paginator.count >= size
        with django_assert_max_num_queries(16):
            assert client.get(reverse("staff_list"), {"role": "caregiver", "page": 2}).status_code == 200
