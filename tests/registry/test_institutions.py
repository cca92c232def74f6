"""Institution pages, class groups, the Excel export and the API: scope, masking, editing,
standards warnings after saving, and fixed query counts."""

from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Region, SecurityEvent
from registry import selectors
from registry.models import ClassGroup, Institution
from registry.services import institutions as services
from tests.factories import ClassGroupFactory, InstitutionFactory, village_of
from tests.helpers import text_of

SIMEN = "330281103"
LIZHOU = "330281001"
NURSERY1 = "【演示】泗门镇小星星托育园"
NURSERY2 = "【演示】梨洲街道阳光宝贝托育中心"


def _pk(name: str) -> int:
    return Institution.objects.get(name=name).pk


def _add_institutions(count: int) -> None:
    """``count`` institutions named 测试… with a class each, over ten villages of 泗门镇."""
    villages = [village_of(SIMEN, index) for index in range(10)]
    for index in range(count):
        institution = InstitutionFactory(village=villages[index % 10], contact_phone="13912345678")
        ClassGroupFactory(institution=institution)


def _sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return list(workbook.active.iter_rows(values_only=True))


# --- The list -----------------------------------------------------------------------------


def test_a_township_official_lists_only_institutions_in_the_township(client_as):
    page = text_of(client_as("simen").get("/registry/institutions/"))
    assert NURSERY1 in page and "【演示】泗门镇童趣家庭托育点" in page
    assert NURSERY2 not in page and "梨洲街道" not in page.split("<tbody>")[1]


def test_an_institution_lists_only_itself(client_as):
    response = client_as("nursery1").get("/registry/institutions/")
    assert [institution.name for institution in response.context["page"]] == [NURSERY1]


def test_the_health_bureau_lists_every_institution(client_as):
    response = client_as("health").get("/registry/institutions/")
    assert response.context["page"].paginator.count == Institution.objects.count()
    assert len(response.context["page"]) == 25  # paginated


def _township_choices(client) -> list:
    return client.get("/registry/institutions/").context["filter"].form.fields["township"].choices


def test_the_township_filter_offers_only_the_townships_the_user_sees(client_as):
    simen_choices = _township_choices(client_as("simen"))
    assert [code for code, _label in simen_choices] == ["", SIMEN]
    nursery_choices = _township_choices(client_as("nursery1"))
    assert [code for code, _label in nursery_choices] == ["", SIMEN]
    health_choices = _township_choices(client_as("health"))
    assert len(health_choices) == 1 + Region.objects.filter(level=Region.Level.TOWNSHIP).count()


def test_a_foreign_township_in_the_filter_is_refused_and_lists_nothing(client_as):
    response = client_as("simen").get(f"/registry/institutions/?township={LIZHOU}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "township" in response.context["filter"].errors


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filing_status=filed", {"【演示】泗门镇童趣家庭托育点", "【演示】泗门镇中心幼儿园托班"}),
        ("provider_type=family_care_point", {"【演示】泗门镇童趣家庭托育点"}),
        ("inclusive=yes", {"【演示】泗门镇中心幼儿园托班", "【演示】泗门镇爱心托育中心"}),
        ("inclusive=no&status=preparing", {NURSERY1}),
        ("text=小星星", {NURSERY1}),
        ("demonstration=yes", set()),
    ],
)
def test_filters_narrow_the_list(query, expected, client_as):
    response = client_as("simen").get(f"/registry/institutions/?{query}")
    assert {institution.name for institution in response.context["page"]} == expected


def test_the_list_shows_slots_and_flags(client_as):
    page = text_of(client_as("health").get("/registry/institutions/?text=阳明街道示范"))
    row = page.split("<tbody>")[1]
    assert "【演示】阳明街道示范托育中心" in row and ">45<" in row
    assert "badge text-bg-success" in row and "badge text-bg-primary" in row


@pytest.mark.parametrize("size", [10, 60])
def test_the_list_page_and_api_keep_a_fixed_query_count(size, client_as, django_assert_max_num_queries):
    _add_institutions(size)
    for username in ("simen", "health", "nursery1"):
        client = client_as(username)
        with django_assert_max_num_queries(14):
            assert client.get("/registry/institutions/").status_code == 200
        with django_assert_max_num_queries(14):
            assert client.get("/registry/institutions/?inclusive=no&text=测试&page=2").status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get("/api/v1/institutions/").status_code == 200
        with django_assert_max_num_queries(11):
            assert client.get("/registry/institutions/export/").status_code == 200


def test_the_lists_slots_and_enrolled_are_each_rows_class_groups_summed_without_grouping_the_register(
    client_as, django_assert_max_num_queries
):
    """The page's figures are its rows' own sums (none without a class), computed for the rows
    read, not by grouping every institution of the register before paging."""
    _add_institutions(3)
    InstitutionFactory(village=village_of(SIMEN, 0), name="测试无班级机构")
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(14):
        response = client_as("health").get("/registry/institutions/", {"text": "测试"})
    rows = list(response.context["page"])
    assert len(rows) == 4
    for institution in rows:
        groups = ClassGroup.objects.filter(institution=institution)
        expected_slots = sum(group.places for group in groups) if groups else None
        expected_enrolled = sum(group.enrolled for group in groups) if groups else None
        assert (institution.slots, institution.enrolled) == (expected_slots, expected_enrolled)
    listed = [query["sql"] for query in queries if query["sql"].startswith('SELECT "registry_institution"."id"')]
    assert listed and not [sql for sql in listed if 'GROUP BY "registry_institution"' in sql]


# --- The export ---------------------------------------------------------------------------


def test_the_export_opens_with_chinese_headers_and_has_only_the_townships_rows(client_as):
    rows = _sheet_rows(client_as("simen").get("/registry/institutions/export/"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ("机构名称", "统一社会信用代码", "法人类型", "机构类型", "乡镇（街道）")
    township_column = header.index("乡镇（街道）")
    assert body and {row[township_column] for row in body} == {"泗门镇"}
    assert {row[0] for row in body} == set(
        Institution.objects.filter(township__code=SIMEN).values_list("name", flat=True)
    )


def test_the_export_has_the_same_scope_and_filters_as_the_page(client_as):
    client = client_as("health")
    page = client.get("/registry/institutions/?filing_status=filed&inclusive=yes")
    rows = _sheet_rows(client.get("/registry/institutions/export/?filing_status=filed&inclusive=yes"))
    assert {row[0] for row in rows[1:]} == {institution.name for institution in page.context["page"]}
    assert len(rows) - 1 == page.context["page"].paginator.count > 0
    only_itself = _sheet_rows(client_as("nursery1").get("/registry/institutions/export/"))
    assert [row[0] for row in only_itself[1:]] == [NURSERY1]


def test_the_export_masks_contact_phones_for_everyone(client_as):
    rows = _sheet_rows(client_as("health").get("/registry/institutions/export/?text=小星星"))
    phone_column = rows[0].index("联系电话")
    assert rows[1][phone_column] == "138****0000"
    assert "13800000000" not in str(rows)


def test_the_export_writes_a_name_beginning_with_equals_as_text_not_a_formula(client_as):
    village = Region.objects.filter(parent__code=SIMEN).first()
    services.institution_create(
        actor=None, name="=HYPERLINK(\"http://example.com\")", legal_form="company", provider_type="standalone",
        village=village, address="测试路1号",
    )  # fmt: skip
    response = client_as("simen").get("/registry/institutions/export/?text=HYPERLINK")
    workbook = load_workbook(BytesIO(response.content))
    cell = workbook.active["A2"]
    assert cell.value == '=HYPERLINK("http://example.com")'
    assert cell.data_type == "s"


def test_an_export_with_a_bad_filter_is_not_made_and_says_why(client_as):
    response = client_as("simen").get(f"/registry/institutions/export/?township={LIZHOU}")
    assert response.status_code == 302
    assert response["Location"].startswith("/registry/institutions/?")
    assert [str(m) for m in get_messages(response.wsgi_request)]


# --- The record ---------------------------------------------------------------------------


def test_the_record_shows_every_part(client_as):
    pk = _pk("【演示】泗门镇爱心托育中心")
    response = client_as("health").get(f"/registry/institutions/{pk}/")
    page = text_of(response)
    institution = Institution.objects.get(pk=pk)
    for text in (institution.credit_code, institution.address, "演示法人", "演示负责人", "演示登记0005", "市民政局"):
        assert text in page
    assert 'id="classes"' in page and ">17<" in page  # enrolled in the overfull toddler class
    assert "2200.00" in page  # the fee
    filing = institution.filings.get()
    assert f"/registry/filings/{filing.pk}/" in page


def test_the_record_lists_the_standards_warnings(client_as):
    pk = _pk("【演示】泗门镇爱心托育中心")
    response = client_as("simen").get(f"/registry/institutions/{pk}/")
    warnings = response.context["overview"].warnings
    assert len(warnings) == 3  # enrolled > places, class size, caregiver ratio
    page = text_of(response)
    assert 'data-testid="standards-warnings"' in page
    for warning in warnings:
        assert warning.message in page


@pytest.mark.parametrize(
    ("username", "shown"),
    [("nursery1", "13800000000"), ("health", "13800000000"), ("simen", "138****0000"), ("mca", "138****0000"),
     ("leader", "138****0000")],
)  # fmt: skip
def test_the_contact_phone_is_masked_except_for_own_members_and_filing_reviewers(username, shown, client_as):
    page = text_of(client_as(username).get(f"/registry/institutions/{_pk(NURSERY1)}/"))
    assert f'data-testid="contact-phone">{shown}<' in page
    if "*" in shown:
        assert "13800000000" not in page


def test_a_reviewer_reading_a_full_contact_phone_is_logged(client_as):
    client_as("health").get(f"/registry/institutions/{_pk(NURSERY1)}/")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username="health").exists()
    client_as("nursery1").get(f"/registry/institutions/{_pk(NURSERY1)}/")
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username="nursery1").exists()


def test_another_township_gets_404_on_an_institution_outside_it(client_as):
    assert client_as("lizhou").get(f"/registry/institutions/{_pk(NURSERY1)}/").status_code == 404
    assert client_as("nursery2").get(f"/registry/institutions/{_pk(NURSERY1)}/").status_code == 404
    assert client_as("stranger").get(f"/registry/institutions/{_pk(NURSERY1)}/").status_code == 404
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OUT_OF_SCOPE, username="lizhou").exists()


def test_only_the_institutions_own_staff_see_the_edit_buttons(client_as):
    pk = _pk(NURSERY1)
    assert f"/registry/institutions/{pk}/edit/" in text_of(client_as("nursery1").get(f"/registry/institutions/{pk}/"))
    health_page = text_of(client_as("health").get(f"/registry/institutions/{pk}/"))
    assert f"/registry/institutions/{pk}/edit/" not in health_page
    assert "/registry/classes/" not in health_page


# --- Editing the record -------------------------------------------------------------------


def _edit_data(institution: Institution, **changes) -> dict:
    data = {
        "name": institution.name, "provider_type": institution.provider_type, "address": institution.address,
        "legal_representative": institution.legal_representative, "person_in_charge": institution.person_in_charge,
        "contact_phone": institution.contact_phone, "indoor_area": str(institution.indoor_area),
        "outdoor_area": str(institution.outdoor_area), "opened_on": str(institution.opened_on or ""),
    }  # fmt: skip
    for flag in ("full_day", "half_day", "hourly", "temporary", "meals_served"):
        if getattr(institution, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def test_an_institution_edits_its_own_record(client_as):
    institution = Institution.objects.get(name=NURSERY1)
    data = _edit_data(institution, address="泗门镇新地址8号", half_day="on", contact_phone="13911112222")
    response = client_as("nursery1").post(f"/registry/institutions/{institution.pk}/edit/", data)
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.address == "泗门镇新地址8号" and institution.half_day
    assert institution.contact_phone == "13911112222"


def test_the_legal_form_and_credit_code_cannot_be_edited_by_the_institution(client_as):
    institution = Institution.objects.get(name=NURSERY1)
    data = _edit_data(institution, credit_code="91350100M000100Y43", legal_form="nonprofit", address="新址1号")
    client_as("nursery1").post(f"/registry/institutions/{institution.pk}/edit/", data)
    fresh = Institution.objects.get(pk=institution.pk)
    assert fresh.address == "新址1号"
    assert (fresh.credit_code, fresh.legal_form) == (institution.credit_code, institution.legal_form)


def test_bad_input_on_the_record_is_explained_and_nothing_changes(client_as):
    institution = Institution.objects.get(name=NURSERY1)
    data = _edit_data(institution, indoor_area="-5", address="不应保存")
    response = client_as("nursery1").post(f"/registry/institutions/{institution.pk}/edit/", data)
    assert response.status_code == 400
    assert "indoor_area" in response.context["form"].errors
    assert Institution.objects.get(pk=institution.pk).address == institution.address
    response = client_as("nursery1").post(f"/registry/institutions/{institution.pk}/edit/", {})
    assert response.status_code == 400 and "name" in response.context["form"].errors


def test_another_institution_gets_404_and_the_health_bureau_403_on_the_edit(client_as):
    institution = Institution.objects.get(name=NURSERY1)
    url = f"/registry/institutions/{institution.pk}/edit/"
    data = _edit_data(institution, address="不应保存")
    assert client_as("nursery2").get(url).status_code == 404
    assert client_as("nursery2").post(url, data).status_code == 404
    assert client_as("health").get(url).status_code == 403
    assert client_as("health").post(url, data).status_code == 403
    assert client_as("simen").post(url, data).status_code == 403
    assert Institution.objects.get(pk=institution.pk).address == institution.address


# --- Class groups -------------------------------------------------------------------------


def test_a_class_over_the_standards_is_saved_and_the_warnings_shown(client_as):
    institution = Institution.objects.get(name=NURSERY1)
    data = {"name": "新托小班", "age_band": "toddler", "places": "16", "enrolled": "18", "caregivers": "2"}
    client = client_as("nursery1")
    response = client.post(f"/registry/institutions/{institution.pk}/classes/", data)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/registry/institutions/{institution.pk}/#classes"
    )
    group = ClassGroup.objects.get(institution=institution, name="新托小班")
    expected = [w.message for w in selectors.class_group_warnings(group=group)]
    assert len(expected) == 4  # enrolled > places, class size (enrolled and places), 18 children need 4 caregivers
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    for message in expected:
        assert any(message in text for text in shown)
    page = text_of(client.get(f"/registry/institutions/{institution.pk}/"))
    for message in expected:
        assert message in page


def test_bad_class_input_is_explained_and_nothing_is_saved(client_as):
    institution = Institution.objects.get(name=NURSERY1)
    before = ClassGroup.objects.filter(institution=institution).count()
    data = {"name": "", "age_band": "teenagers", "places": "-1", "enrolled": "abc", "caregivers": "1"}
    response = client_as("nursery1").post(f"/registry/institutions/{institution.pk}/classes/", data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "age_band", "places", "enrolled"}
    assert ClassGroup.objects.filter(institution=institution).count() == before


def test_a_class_is_edited_and_deleted_by_its_own_institution(client_as):
    group = ClassGroup.objects.get(institution__name=NURSERY1, name="托大班")
    client = client_as("nursery1")
    assert client.get(f"/registry/classes/{group.pk}/edit/").status_code == 200
    data = {"name": "托大班", "age_band": "older", "places": "20", "enrolled": "19", "caregivers": "3"}
    assert client.post(f"/registry/classes/{group.pk}/edit/", data).status_code == 302
    group.refresh_from_db()
    assert group.enrolled == 19
    assert client.post(f"/registry/classes/{group.pk}/delete/").status_code == 302
    assert not ClassGroup.objects.filter(pk=group.pk).exists()


def test_classes_of_another_institution_are_404_and_of_a_visible_one_403(client_as):
    group = ClassGroup.objects.get(institution__name=NURSERY1, name="托大班")
    data = {"name": "改", "age_band": "older", "places": "20", "enrolled": "1", "caregivers": "1"}
    assert client_as("nursery2").post(f"/registry/classes/{group.pk}/edit/", data).status_code == 404
    assert client_as("nursery2").post(f"/registry/classes/{group.pk}/delete/").status_code == 404
    assert client_as("lizhou").get(f"/registry/classes/{group.pk}/edit/").status_code == 404
    assert client_as("health").post(f"/registry/classes/{group.pk}/delete/").status_code == 403
    assert client_as("simen").post(f"/registry/classes/{group.pk}/edit/", data).status_code == 403
    institution_b = _pk(NURSERY2)
    assert client_as("nursery1").post(f"/registry/institutions/{institution_b}/classes/", data).status_code == 404
    group.refresh_from_db()
    assert group.name == "托大班" and group.enrolled == 18


# --- API ----------------------------------------------------------------------------------


def test_the_api_list_is_scoped_and_never_carries_contact_phones(client_as):
    body = client_as("simen").get("/api/v1/institutions/").json()
    assert body["count"] == Institution.objects.filter(township__code=SIMEN).count()
    assert {row["township_code"] for row in body["results"]} == {SIMEN}
    assert all("contact_phone" not in row and "legal_representative" not in row for row in body["results"])
    assert "1380000" not in str(body)


def test_the_api_list_filters_and_refuses_bad_filters_with_the_error_shape(client_as):
    body = client_as("health").get("/api/v1/institutions/?provider_type=family_care_point&filing_status=filed").json()
    assert [row["name"] for row in body["results"]] == ["【演示】泗门镇童趣家庭托育点"]
    response = client_as("simen").get(f"/api/v1/institutions/?township={LIZHOU}&inclusive=maybe")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"township", "inclusive"}


def test_the_api_record_has_class_groups_and_warnings(client_as):
    institution = InstitutionFactory(township_code=SIMEN, contact_phone="13800000004")
    for name, band, places, enrolled in (
        ("乳儿班", "infant", 10, 8),
        ("托小班", "toddler", 15, 17),
        ("托大班", "older", 20, 18),
    ):
        ClassGroupFactory(
            institution=institution, name=name, age_band=band, places=places, enrolled=enrolled, caregivers=3
        )
    pk = institution.pk
    body = client_as("simen").get(f"/api/v1/institutions/{pk}/").json()
    assert {group["name"] for group in body["class_groups"]} == {"乳儿班", "托小班", "托大班"}
    # The 托小班 is over its places, the class size and the caregiver ratio.
    assert len(body["warnings"]) == 3 and body["slots"] == 45 and body["enrolled"] == 43
    assert body["contact_phone"] == "138****0004" and body["contact_phone_masked"] is True
    assert client_as("lizhou").get(f"/api/v1/institutions/{pk}/").status_code == 404


def test_the_api_record_shows_the_full_phone_to_the_institution_itself(client_as):
    body = client_as("nursery1").get(f"/api/v1/institutions/{_pk(NURSERY1)}/").json()
    assert body["contact_phone"] == "13800000000" and body["contact_phone_masked"] is False
