"""Working days under the Chinese public-holiday calendar, with its make-up working days.

Monday to Friday are working days and weekends rest days, except the dates listed in
``CalendarDay`` (loaded from ``registry/data/holidays.json``; the bureau adds each year's
calendar when the State Council publishes it)."""

from datetime import date, timedelta

from registry.models import CalendarDay


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def is_working_day(day: date, overrides: dict[date, bool] | None = None) -> bool:
    overrides = _overrides(day, day) if overrides is None else overrides
    return overrides.get(day, day.weekday() < 5)


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
