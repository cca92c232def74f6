"""Parameters the health bureau may change, read in one query."""

from decimal import Decimal

from registry.models import Parameter


def load() -> dict[str, Decimal | None]:
    return dict(Parameter.objects.values_list("key", "value"))


def get(key: str, default: Decimal | int | None = None) -> Decimal | None:
    value = Parameter.objects.filter(key=key).values_list("value", flat=True).first()
    return default if value is None else value
