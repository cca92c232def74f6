"""The standards and the holiday calendar the health bureau keeps."""

from django.db.models import QuerySet

from accounts import policy
from accounts.models import User
from registry import parameters
from registry.models import CalendarDay, Parameter


def parameter_list(*, actor: User) -> list[Parameter]:
    """Standards and limits with their allowed ranges; shown to holders of ``targets.manage``,
    who may change them. ``value`` is the readable value (``registry.parameters``)."""
    policy.require_duty(actor, "targets.manage")
    rows = list(parameters.readable())
    for row in rows:
        row.value = parameters.value_of(row)
    return rows


def calendar_day_list(*, actor: User, year: int) -> QuerySet:
    policy.require_duty(actor, "targets.manage")
    return CalendarDay.objects.filter(date__year=year)
