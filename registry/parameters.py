"""Parameters the health bureau may change, read in one query.

Each parameter carries its allowed range (``minimum``, ``maximum``, ``whole_number``) and its
``default`` from its definition; the service refuses values outside the range. Reads do not
trust the stored value either: it is fetched as text (a value the column cannot hold, such as
one saved before ranges existed, breaks Django's decimal conversion) and a number outside the
range reads as the nearest bound, anything that is not a finite number as the default. So no
stored value can break a page, and saving a valid value repairs the row.
"""

from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from registry.models import Parameter

DEFINITION_FIELDS = ("minimum", "maximum", "whole_number", "default")
CENT = Decimal("0.01")
COLUMN_MAX = Decimal("99999999.99")  # max_digits=10, decimal_places=2
COLUMN_MIN = Decimal(0)  # no standard is negative


def readable(queryset: QuerySet | None = None) -> QuerySet:
    """Parameters with their value deferred and annotated as text (``stored``): safe to fetch
    whatever the column holds. Read the value with ``value_of``."""
    queryset = Parameter.objects.all() if queryset is None else queryset
    return queryset.defer("value").annotate(stored=Cast("value", output_field=TextField()))


def value_of(row) -> Decimal | None:
    """The value pages may use, from a ``readable`` instance or a dict of its fields."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    text = get("stored")
    if text is None:
        return None  # not set: no check
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return get("default")
    if not value.is_finite():
        return get("default")
    if value.is_zero():
        value = Decimal(0)  # -0 reads as 0
    # A row loaded before ranges existed has none: the column's capacity bounds it then.
    minimum = COLUMN_MIN if get("minimum") is None else get("minimum")
    maximum = COLUMN_MAX if get("maximum") is None else get("maximum")
    return min(max(value, minimum), maximum).quantize(CENT)


def load() -> dict[str, Decimal | None]:
    rows = readable().values("key", "stored", *DEFINITION_FIELDS)
    return {row["key"]: value_of(row) for row in rows}


def get(key: str, default: Decimal | int | None = None) -> Decimal | None:
    row = readable(Parameter.objects.filter(key=key)).values("stored", *DEFINITION_FIELDS).first()
    value = None if row is None else value_of(row)
    return default if value is None else value


def upload_max_bytes() -> int:
    """The size limit of an uploaded document or photo (``upload.max_megabytes``), in bytes:
    what the apps pass to ``paperwork.files``, which reads no parameters."""
    return int(get("upload.max_megabytes", 10)) * 1024 * 1024
