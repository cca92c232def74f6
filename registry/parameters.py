"""Parameters the health bureau may change, read in one query."""

from decimal import Decimal

from registry.models import Parameter


def load() -> dict[str, Decimal | None]:
    return dict(Parameter.objects.values_list("key", "value"))


def get(key: str, default: Decimal | int | None = None) -> Decimal | None:
    value = Parameter.objects.filter(key=key).values_list("value", flat=True).first()
    return default if value is None else value


def upload_max_bytes() -> int:
    """The size limit of an uploaded document or photo (``upload.max_megabytes``), in bytes:
    what the apps pass to ``paperwork.files``, which reads no parameters."""
    return int(get("upload.max_megabytes", 10)) * 1024 * 1024
