"""Limits an input takes from the model field it ends up in, so that a page, an API call and
an import refuse the same values and no stored value can break a later sum or date sum.

A model field declares its limits once (``validators=[...]``: ``DateWindow``, Django's
``MaxValueValidator``); ``of(Model, "field")`` gives them to a plain form or serializer
field, together with the portable integer range (PostgreSQL's: SQLite would store far more)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# What PostgreSQL holds; SQLite's 64 bits would let 2147483648 in and break the other engine.
INTEGER_RANGES = {
    "SmallIntegerField": (-32768, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "BigIntegerField": (-9223372036854775808, 9223372036854775807),
    "PositiveSmallIntegerField": (0, 32767),
    "PositiveIntegerField": (0, 2147483647),
    "PositiveBigIntegerField": (0, 9223372036854775807),
}


@deconstructible
class DateWindow:
    """A plausible date: not before 1 January of ``earliest`` nor after 31 December of the
    year ``years_ahead`` years from now (a hire date: ``DateWindow(1950, 1)``)."""

    def __init__(self, earliest: int, years_ahead: int):
        self.earliest, self.years_ahead = earliest, years_ahead

    def limits(self) -> tuple[date, date]:
        return date(self.earliest, 1, 1), date(timezone.localdate().year + self.years_ahead, 12, 31)

    def __call__(self, value):
        if not isinstance(value, date):
            return
        first, last = self.limits()
        if not first <= value <= last:
            raise ValidationError(
                _("Enter a date from %(first)s to %(last)s."),
                code="date_window",
                params={"first": first.isoformat(), "last": last.isoformat()},
            )

    def __eq__(self, other):
        return isinstance(other, DateWindow) and (self.earliest, self.years_ahead) == (
            other.earliest,
            other.years_ahead,
        )


def of(model, name: str) -> list:
    """The validators of ``model.name`` for a form or serializer field that feeds it: the
    field's own (digits, windows, maxima) and the portable integer range."""
    field = model._meta.get_field(name)
    validators = [v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)]
    validators += [v for v in field._validators if isinstance(v, MinValueValidator | MaxValueValidator)]
    low, high = INTEGER_RANGES.get(field.get_internal_type(), (None, None))
    if low is not None:
        validators += [MinValueValidator(low), MaxValueValidator(high)]
    return validators


# The windows the portal's dates use. A hire, an opening, a registration, an issue: since 1950
# and at the latest next year (a date entered ahead of time). Deadlines, programmes, fees in
# force: this century, up to five years ahead. The end of a validity: up to 50 years ahead.
HAPPENED = DateWindow(1950, 1)
PLANNED = DateWindow(2000, 5)
VALID_UNTIL = DateWindow(1950, 50)

ID_MAX = 9223372036854775807  # a BigAutoField's largest id: a bigger "id" names nothing
