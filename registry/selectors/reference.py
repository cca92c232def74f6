"""The standards and the holiday calendar the health bureau keeps."""

from dataclasses import dataclass
from datetime import date

from accounts import policy
from accounts.models import User
from registry import parameters, workdays
from registry.models import CalendarDay, Parameter


def parameter_list(*, actor: User) -> list[Parameter]:
    """Standards and limits with their allowed ranges; shown to holders of ``targets.manage``,
    who may change them. ``value`` is the readable value (``registry.parameters``), a whole
    number as an integer."""
    policy.require_duty(actor, "targets.manage")
    rows = list(parameters.readable())
    for row in rows:
        row.value = parameters.value_of(row)
        if row.whole_number and row.value is not None and row.value == row.value.to_integral_value():
            row.value = int(row.value)  # a year reads 2020, not 2020.00
    return rows


@dataclass(frozen=True)
class CalendarRow:
    date: date
    is_working_day: bool
    note: str
    by_bureau: bool  # the bureau's override rather than the published calendar

    @property
    def on_weekend(self) -> bool:
        return self.date.weekday() >= 5


def calendar_day_list(*, actor: User, year: int) -> list[CalendarRow]:
    """The days of ``year`` that break the Monday-to-Friday rule: the State Council's calendar
    (from the ``chinese-calendar`` package) with the bureau's overrides laid over it."""
    policy.require_duty(actor, "targets.manage")
    rows = {day: CalendarRow(day, working, name, False) for day, working, name in workdays.published_exceptions(year)}
    for entry in CalendarDay.objects.filter(date__year=year):
        rows[entry.date] = CalendarRow(entry.date, entry.is_working_day, entry.note, True)
    return sorted(rows.values(), key=lambda row: row.date)


def calendar_year_published(year: int) -> bool:
    """Whether the portal holds the State Council's calendar for ``year``."""
    return year in workdays.PUBLISHED_YEARS
