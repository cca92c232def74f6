import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.errors import ApplicationError
from registry import parameters, workdays
from registry.models import CalendarDay, ClassGroup, Filing, Parameter
from registry.services import reference
from registry.standards import class_group_warnings
from tests.helpers import messages_of, text_of


def test_a_filing_submitted_before_the_national_day_holiday_is_due_after_it(db):
    # Wed 2026-09-30 + 5 working days: Oct 1-7 are holidays, Sat Oct 10 is a make-up working day.
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_spring_festival_and_its_make_up_saturdays(db):
    # Fri 2026-02-13: Sat 14 is worked, 15-23 are holidays, Sat 28 is worked.
    assert workdays.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert workdays.working_days_between(date(2026, 2, 20), date(2026, 2, 28)) == 5


def test_a_year_without_a_calendar_counts_monday_to_friday(db):
    assert workdays.add_working_days(date(2027, 1, 1), 5) == date(2027, 1, 8)


def test_the_published_calendar_needs_no_rows_of_its_own(db):
    # 2025 National Day: Oct 1-8 off, Sun Sep 28 and Sat Oct 11 worked; nothing stored in the database.
    CalendarDay.objects.all().delete()
    assert workdays.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert workdays.add_working_days(date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert workdays.working_days_between(date(2025, 10, 5), date(2025, 10, 12)) == 3  # Thu 9, Fri 10, Sat 11
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_the_bureau_s_entry_overrides_the_published_calendar(cast):
    reference.calendar_day_set(actor=cast["health"], day=date(2026, 10, 10), is_working_day=False, note="本地调整")
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 14)
    # agreeing with the published calendar again removes the entry
    reference.calendar_day_set(actor=cast["health"], day=date(2026, 10, 10), is_working_day=True, note="")
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_a_year_the_package_does_not_know_uses_the_bureau_s_entries(cast):
    year = max(workdays.PUBLISHED_YEARS) + 1
    friday = next(date(year, 1, day) for day in range(1, 8) if date(year, 1, day).weekday() == 4)
    assert workdays.add_working_days(friday, 1) == date.fromordinal(friday.toordinal() + 3)
    reference.calendar_day_set(
        actor=cast["health"], day=date.fromordinal(friday.toordinal() + 1), is_working_day=True, note="调休"
    )
    assert workdays.add_working_days(friday, 1) == date.fromordinal(friday.toordinal() + 1)


def test_the_page_says_in_chinese_when_a_year_s_calendar_is_missing(client_as, cast):
    client = client_as("health")
    year = max(workdays.PUBLISHED_YEARS) + 1
    page = text_of(client.get(f"/registry/parameters/?year={year}"))
    assert f"尚未收录国务院{year}年节假日安排" in page and "周一至周五均按工作日计算" in page
    published = text_of(client.get(f"/registry/parameters/?year={year - 1}"))
    assert "平台尚未收录" not in published and "春节" in published
    assert client.get("/registry/parameters/?year=999999").status_code == 200


def test_moving_to_the_package_keeps_only_the_bureau_s_own_rows(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registry.migrations.0007_calendar_from_package")
    CalendarDay.objects.all().delete()
    CalendarDay.objects.create(date=date(2026, 10, 1), is_working_day=False, note="from holidays.json")
    CalendarDay.objects.create(date=date(2026, 10, 9), is_working_day=False, note="bureau")
    CalendarDay.objects.create(date=date(2099, 1, 2), is_working_day=False, note="bureau, future year")
    migration.drop_rows_the_package_repeats(apps, None)
    assert sorted(CalendarDay.objects.values_list("note", flat=True)) == ["bureau", "bureau, future year"]


def test_the_health_bureau_changes_a_standard_and_the_check_follows(cast):
    group = ClassGroup(name="托小班", age_band="toddler", places=15, enrolled=10, caregivers=2)
    assert class_group_warnings(group, parameters.load()) == []  # 10 children at 1:5 need 2 caregivers
    reference.parameter_set(actor=cast["health"], key="class.toddler.children_per_caregiver", value=Decimal(4))
    warnings = class_group_warnings(group, parameters.load())  # at 1:4 they need 3
    assert len(warnings) == 1 and "3" in warnings[0].message


def test_only_the_health_bureau_changes_standards(cast):
    with pytest.raises(PermissionDenied):
        reference.parameter_set(actor=cast["simen"], key="slots_per_1000.new", value=Decimal(10))
    assert Parameter.objects.get(key="slots_per_1000.new").value == 9


def test_reloading_the_reference_data_keeps_the_bureau_s_changes(cast):
    reference.parameter_set(actor=cast["health"], key="slots_per_1000.new", value=Decimal(10))
    reference.registry_reference_load()
    assert Parameter.objects.get(key="slots_per_1000.new").value == 10


def test_a_calendar_entry_for_a_plain_day_is_removed(cast):
    reference.calendar_day_set(actor=cast["health"], day=date(2027, 1, 1), is_working_day=False, note="元旦")
    assert CalendarDay.objects.filter(date=date(2027, 1, 1), is_working_day=False).exists()
    reference.calendar_day_set(actor=cast["health"], day=date(2027, 1, 1), is_working_day=True, note="")
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


def test_the_page_refuses_a_non_number_with_a_message_and_changes_nothing(client_as):
    response = client_as("health").post(
        "/registry/parameters/update/", {"key": "slots_per_1000.new", "value": "nine"}, follow=True
    )
    assert response.status_code == 200
    assert Parameter.objects.get(key="slots_per_1000.new").value == 9
    assert len(list(response.context["messages"])) == 1


# --- Each parameter's own range (issue 16) -----------------------------------------------------

UPLOAD = "upload.max_megabytes"  # whole megabytes, 1 to 50


@pytest.mark.parametrize(
    "raw", ["100000000", "Infinity", "-Infinity", "NaN", "sNaN", "-0", "1e20", "10" * 10, "", "   ", "0", "51", "10.5"]
)
def test_the_page_refuses_a_value_outside_the_parameter_s_own_range_with_a_message(client_as, raw):
    response = client_as("health").post("/registry/parameters/update/", {"key": UPLOAD, "value": raw}, follow=True)
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message != "标准参数已保存。" and re.search("[\u4e00-\u9fff]", message), message
    assert parameters.get(UPLOAD) == 10
    assert Parameter.objects.get(key=UPLOAD).value == 10


def test_the_message_names_the_range_and_the_page_shows_it(client_as):
    client = client_as("health")
    response = client.post("/registry/parameters/update/", {"key": UPLOAD, "value": "100000000"}, follow=True)
    assert "1" in messages_of(response)[0] and "50" in messages_of(response)[0]
    page = text_of(client.get("/registry/parameters/"))
    assert "1–50" in page and "0.5–100" in page  # upload size; slots per 1,000 people


def test_a_value_inside_the_range_is_saved(client_as):
    response = client_as("health").post("/registry/parameters/update/", {"key": UPLOAD, "value": " 50 "}, follow=True)
    assert messages_of(response) == ["标准参数已保存。"]
    assert parameters.get(UPLOAD) == 50


def test_a_parameter_without_a_national_figure_may_be_emptied_and_one_with_a_figure_may_not(cast):
    reference.parameter_set(actor=cast["health"], key="indoor_area_per_child", value=None)
    with pytest.raises(ApplicationError):
        reference.parameter_set(actor=cast["health"], key="slots_per_1000.new", value=None)
    assert parameters.get("slots_per_1000.new") == 9


def _store_raw(key, value):
    """What a row saved before ranges existed holds (the service refuses it now)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_parameter SET value = %s WHERE key = %s", [value, key])


def _stored_values():
    """Values a column could be left holding: SQLite keeps whatever it is given, PostgreSQL's
    numeric(10, 2) refuses all but NaN."""
    if connection.vendor == "postgresql":
        return ["NaN"]
    return [100000000, 1e20, "NaN", "Infinity", -5]


@pytest.mark.parametrize("stored", _stored_values())
def test_a_value_stored_out_of_range_breaks_no_page_and_saving_a_valid_one_repairs_it(client_as, cast, stored):
    filing = Filing.objects.select_related("institution").first()
    institution = filing.institution
    _store_raw(UPLOAD, stored)
    _store_raw("slots_per_1000.new", stored)
    _store_raw("class.toddler.max_children", stored)
    assert 1 <= parameters.upload_max_bytes() // 1024 // 1024 <= 50
    assert Decimal("0.5") <= parameters.load()["slots_per_1000.new"] <= 100
    client = client_as("health")
    for url in [
        "/registry/parameters/",
        f"/registry/institutions/{institution.pk}/",
        f"/registry/filings/{filing.pk}/",
        "/registry/residential-areas/",
        "/api/v1/residential-areas/",
        f"/api/v1/institutions/{institution.pk}/",
        "/dashboard/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post("/registry/parameters/update/", {"key": UPLOAD, "value": "10"}, follow=True)
    assert messages_of(response) == ["标准参数已保存。"]
    assert Parameter.objects.get(key=UPLOAD).value == 10


def test_reloading_the_reference_data_gives_existing_rows_their_range_and_keeps_the_value(cast):
    reference.parameter_set(actor=cast["health"], key=UPLOAD, value=Decimal(20))
    Parameter.objects.filter(key=UPLOAD).update(minimum=None, maximum=None, whole_number=False, default=None)
    reference.registry_reference_load()
    row = Parameter.objects.get(key=UPLOAD)
    assert (row.value, row.minimum, row.maximum, row.whole_number, row.default) == (20, 1, 50, True, 10)
