import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from registry import parameters, workdays
from registry.models import CalendarDay, Parameter

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@transaction.atomic
def registry_reference_load() -> int:
    """Parameters; rows already right are left alone. The holiday calendar is not data here:
    it comes from the ``chinese-calendar`` package (``registry.workdays``)."""
    return parameters_define(json.loads((DATA_DIR / "parameters.json").read_text(encoding="utf-8"))["parameters"])


def parameters_define(items: list[dict]) -> int:
    """Create the parameters an app defines and rewrite each one's range and default (they
    belong to the definition); an existing value may have been changed by the bureau: keep it.
    Item keys: key, value, min, max, whole, label, source. Returns how many were created."""
    created = 0
    for item in items:
        definition = {
            "minimum": _decimal(item["min"]),
            "maximum": _decimal(item["max"]),
            "whole_number": item["whole"],
            "default": _decimal(item["value"]),
        }
        # update() rather than get(): a value stored before ranges existed may not load
        if not Parameter.objects.filter(key=item["key"]).update(**definition):
            Parameter.objects.create(
                key=item["key"], value=definition["default"], label=item["label"], source=item["source"], **definition
            )
            created += 1
    return created


def _decimal(number) -> Decimal | None:
    return None if number is None else Decimal(str(number))


def parameter_problem(parameter: Parameter, value: Decimal | None) -> str | None:
    """Why ``value`` may not be stored for ``parameter`` (its own range), or None."""
    if value is None:
        if parameter.default is None:
            return None  # no national figure: empty means no check
        return _("This standard cannot be left empty.")
    if not value.is_finite():
        return _("Enter a finite number.")
    if value.is_zero() and value.is_signed():
        return _("Enter 0 without a sign.")
    minimum = parameters.COLUMN_MIN if parameter.minimum is None else parameter.minimum
    maximum = parameters.COLUMN_MAX if parameter.maximum is None else parameter.maximum
    if not minimum <= value <= maximum:
        return _("Enter a value from %(minimum)s to %(maximum)s.") % {
            "minimum": f"{minimum.normalize():f}",
            "maximum": f"{maximum.normalize():f}",
        }
    if parameter.whole_number and value != value.to_integral_value():
        return _("This standard takes whole numbers only.")
    if value != value.quantize(parameters.CENT):
        return _("Enter at most two decimal places.")
    return None


@transaction.atomic
def parameter_set(*, actor, key: str, value: Decimal | None) -> Parameter:
    """The health bureau changes a standard (national figures are parameters, not code),
    within the parameter's own range. A stored value that no longer loads is replaced."""
    policy.require_duty(actor, "targets.manage")
    parameter = parameters.readable(Parameter.objects.select_for_update().filter(key=key)).first()
    if parameter is None:
        raise ApplicationError(_("Unknown parameter."))
    problem = parameter_problem(parameter, value)
    if problem:
        raise ApplicationError(problem, fields={key: [problem]})
    old = parameter.stored
    parameter.value = value
    parameter.save(update_fields=["value"])
    audit.record(
        actor=actor, event="parameter.changed", obj=parameter, details={"key": key, "from": str(old), "to": str(value)}
    )
    return parameter


@transaction.atomic
def calendar_day_set(*, actor, day: date, is_working_day: bool, note: str) -> CalendarDay | None:
    """Record a day the published calendar gets wrong or does not know yet (a year the
    ``chinese-calendar`` package does not cover); a day on which the bureau agrees with the
    published calendar (or, for an unknown year, with Monday to Friday) needs no entry, and an
    existing one is removed."""
    policy.require_duty(actor, "targets.manage")
    if workdays.published_working_day(day) == is_working_day:
        CalendarDay.objects.filter(date=day).delete()
        audit.record(actor=actor, event="calendar.cleared", details={"date": day.isoformat()})
        return None
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_working_day": is_working_day, "note": note}
    )
    audit.record(actor=actor, event="calendar.set", obj=entry, details={"working": is_working_day})
    return entry
