from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from registry import parameters, workdays
from registry.models import CalendarDay, ClassGroup, Parameter
from registry.services import reference
from registry.standards import class_group_warnings


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
