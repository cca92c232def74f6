"""Working days under the Chinese public-holiday calendar, with its make-up working days.

Three sources, the first that speaks wins:

1. ``CalendarDay``: what the health bureau enters on the parameter page, for a year the
   package below does not know yet (the State Council publishes each year's calendar in
   November) or to correct one day of it;
2. the ``chinese-calendar`` package, kept up to date with the State Council's notices;
3. Monday to Friday, for a year neither knows (the page says so: see ``year_status``).
"""

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday, holidays, workdays

from registry.models import CalendarDay

PUBLISHED_YEARS = range(min(holidays).year, max(holidays).year + 1)
_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def published_working_day(day: date) -> bool:
    """The State Council's answer when the package knows the year, else Monday to Friday."""
    if day.year in PUBLISHED_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_working_day(day: date, overrides: dict[date, bool] | None = None) -> bool:
    overrides = _overrides(day, day) if overrides is None else overrides
    return overrides.get(day, published_working_day(day))


def add_working_days(start: date, count: int) -> date:
    """The date ``count`` working days after ``start`` (the day of submission not counted)."""
    overrides = _overrides(start, start + timedelta(days=count * 3 + 30))
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    return sum(is_working_day(start + timedelta(days=offset), overrides) for offset in range(1, (end - start).days + 1))


def published_exceptions(year: int) -> list[tuple[date, bool, str]]:
    """The days of ``year`` on which the State Council's calendar breaks the Monday-to-Friday
    rule, as (date, is working day, festival in Chinese); empty for a year the package does
    not know."""
    rows = [(day, False, name) for day, name in holidays.items() if day.year == year and day.weekday() < 5]
    rows += [(day, True, name) for day, name in workdays.items() if day.year == year and day.weekday() >= 5]
    return sorted((day, working, _CHINESE_NAMES.get(name, name)) for day, working, name in rows)
