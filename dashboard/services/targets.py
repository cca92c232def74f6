"""Targets: the value an indicator should reach in a region and year."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Region
from dashboard import rules
from dashboard.models import Indicator, Target


@transaction.atomic
def target_set(*, actor, indicator: Indicator, region: Region, year: int, value, source: str = "") -> Target:
    organisation = policy.acting_organisation(actor, rules.TARGETS_DUTY)
    if organisation is None:
        raise PermissionDenied(rules.TARGETS_DUTY)
    if region.level not in indicator.levels:
        raise ApplicationError(
            _("This indicator is not set for this kind of region."), fields={"region": [_("Not applicable.")]}
        )
    if not 2000 <= int(year) <= 2100:
        raise ApplicationError(_("Give a year between 2000 and 2100."), fields={"year": [_("Out of range.")]})
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        raise ApplicationError(_("A target is a number."), fields={"value": [_("Not a number.")]}) from None
    if value < 0 or (indicator.unit == Indicator.Unit.PERCENT and value > 100):
        raise ApplicationError(_("This target is out of range."), fields={"value": [_("Out of range.")]})
    target, created = Target.objects.update_or_create(
        indicator=indicator, region=region, year=year,
        defaults={"value": value, "source": source, "set_by": organisation, "updated_at": timezone.now()},
    )  # fmt: skip
    audit.record(actor=actor, event="target.set", obj=target, details={"value": str(value), "created": created})
    return target


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    policy.require_duty(actor, rules.TARGETS_DUTY)
    audit.record(actor=actor, event="target.deleted", obj=target, details={"value": str(target.value)})
    target.delete()
