"""The standards and the holiday calendar the health bureau keeps."""

from django.db.models import QuerySet

from accounts import policy
from accounts.models import User
from registry.models import CalendarDay, Parameter


def parameter_list(*, actor: User) -> QuerySet:
    """Standards and limits; shown to holders of ``targets.manage``, who may change them."""
    policy.require_duty(actor, "targets.manage")
    return Parameter.objects.all()


def calendar_day_list(*, actor: User, year: int) -> QuerySet:
    policy.require_duty(actor, "targets.manage")
    return CalendarDay.objects.filter(date__year=year)
