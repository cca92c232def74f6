import json
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from registry.models import CalendarDay, Parameter

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@transaction.atomic
def registry_reference_load() -> int:
    """Parameters and the holiday calendar; rows already right are left alone."""
    changed = 0
    for item in json.loads((DATA_DIR / "parameters.json").read_text(encoding="utf-8"))["parameters"]:
        _, created = Parameter.objects.get_or_create(
            key=item["key"], defaults={"value": item["value"], "label": item["label"], "source": item["source"]}
        )
        changed += created  # an existing value may have been changed by the bureau: keep it
    calendar = json.loads((DATA_DIR / "holidays.json").read_text(encoding="utf-8"))
    for year, days in calendar.items():
        if year.startswith("_"):
            continue
        for text, working in [(d, False) for d in days["holidays"]] + [(d, True) for d in days["workdays"]]:
            day = date.fromisoformat(text)
            if (day.weekday() < 5) == working:
                continue  # a holiday on a weekend, or a weekday worked: the plain rule holds
            _, created = CalendarDay.objects.update_or_create(
                date=day, defaults={"is_working_day": working, "note": days["source"]}
            )
            changed += created
    return changed


@transaction.atomic
def parameter_set(*, actor, key: str, value) -> Parameter:
    """The health bureau changes a standard (national figures are parameters, not code)."""
    policy.require_duty(actor, "targets.manage")
    parameter = Parameter.objects.select_for_update().filter(key=key).first()
    if parameter is None:
        raise ApplicationError(_("Unknown parameter."))
    if value is not None and value < 0:
        raise ApplicationError(_("A standard cannot be negative."), fields={key: [_("Must be 0 or more.")]})
    old = parameter.value
    parameter.value = value
    parameter.save(update_fields=["value"])
    audit.record(
        actor=actor, event="parameter.changed", obj=parameter, details={"key": key, "from": str(old), "to": str(value)}
    )
    return parameter


@transaction.atomic
def calendar_day_set(*, actor, day: date, is_working_day: bool, note: str) -> CalendarDay | None:
    """Record a public holiday on a weekday or a make-up working day on a weekend; a day that
    follows the plain Monday-to-Friday rule needs no entry (an existing one is removed)."""
    policy.require_duty(actor, "targets.manage")
    if (day.weekday() < 5) == is_working_day:
        CalendarDay.objects.filter(date=day).delete()
        audit.record(actor=actor, event="calendar.cleared", details={"date": day.isoformat()})
        return None
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_working_day": is_working_day, "note": note}
    )
    audit.record(actor=actor, event="calendar.set", obj=entry, details={"working": is_working_day})
    return entry
