"""The audit trail in words a reader understands: the model's verbose name instead of its table,
each changed field by its verbose name, choice values by their labels, yes/no for flags, and
times in the portal's time zone (the triggers store the row as JSON, with times in UTC).

Nothing here queries the database: the models are looked up in Django's app registry, and a
related row is shown by its id (``#12``), so a page of the trail costs the same however many
foreign keys its rows name."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# Bookkeeping columns shown nowhere: they change with every save and say nothing to a reader.
HIDDEN_COLUMNS = {"id"}
LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@functools.cache
def _models_by_table() -> dict[str, type[models.Model]]:
    return {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}


def model_for(table_name: str):
    return _models_by_table().get(table_name)


def table_label(table_name: str) -> str:
    """The model's verbose name (in the active language), or the table itself if unknown."""
    model = model_for(table_name)
    if model is None:
        return table_name
    if model._meta.auto_created or "verbose_name" not in model._meta.original_attrs:
        # A link table, or a model without a name of its own (django-guardian's permission
        # rows): named by what it links, "权限 – 用户 – 单位"; the app's name for the rest.
        names = [_model_name(f.related_model) for f in model._meta.local_fields if f.is_relation]
        if names:
            return " – ".join(names)
        internal = _("internal record")
        return f"{apps.get_app_config(model._meta.app_label).verbose_name} · {internal}"
    return str(model._meta.verbose_name)


def _model_name(model) -> str:
    if model._meta.auto_created or "verbose_name" not in model._meta.original_attrs:
        return str(apps.get_app_config(model._meta.app_label).verbose_name)
    return str(model._meta.verbose_name)


def table_choices() -> list[tuple[str, str]]:
    """The audited tables as (table, verbose name), sorted by name, for the filter."""
    from accounts import audit

    seen = {}
    for model in audit.audited_models():
        seen.setdefault(model._meta.db_table, table_label(model._meta.db_table))
    return sorted(seen.items(), key=lambda item: item[1])


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(LOCAL_FORMAT)


def _fields_by_column(model) -> dict[str, models.Field]:
    return {field.column: field for field in model._meta.concrete_fields} if model is not None else {}


def _readable(value, field: models.Field | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or (field is not None and isinstance(field, models.BooleanField)):
        return _("Yes") if value in (True, 1, "1", "true") else _("No")
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if field is not None and field.is_relation:
        return f"#{value}"
    if (field is not None and isinstance(field, models.DateTimeField)) or _looks_like_datetime(value):
        parsed = parse_datetime(str(value).replace(" ", "T", 1)) if isinstance(value, str) else value
        if isinstance(parsed, datetime):
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, UTC)
            return local_time(parsed)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "；".join(f"{key}：{_readable(item, None)}" for key, item in value.items()) or "—"
    if isinstance(value, list):
        return "、".join(_readable(item, None) for item in value) or "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _looks_like_datetime(value) -> bool:
    """A UTC time as the triggers write it: ``2026-11-09 02:03:04.123`` or ISO with a zone."""
    return isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T" and value[13] == ":"


def _label(column: str, field: models.Field | None) -> str:
    return str(field.verbose_name) if field is not None else column


def changes(event) -> list[Change]:
    """The fields an entry changed, as (field, before, after) in readable words: for a change
    only the fields that differ; for a creation or deletion every field that holds a value; for
    a named event the details it recorded."""
    model = model_for(event.table_name)
    fields = _fields_by_column(model)
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [Change("", _readable(before, None), _readable(after, None))]
    rows = []
    for column in dict.fromkeys([*before, *after]):
        if column in HIDDEN_COLUMNS and event.kind != "action":
            continue
        old, new = before.get(column), after.get(column)
        if event.kind == "update" and old == new:
            continue
        if event.kind in ("insert", "delete", "action") and (old in (None, "") and new in (None, "")):
            continue
        field = fields.get(column) if event.kind != "action" else None
        rows.append(
            Change(
                field=_label(column, field) if event.kind != "action" else _action_label(column),
                before=_readable(old, field) if column in before else "",
                after=_readable(new, field) if column in after else "",
            )
        )
    return rows


def _detail_labels() -> dict[str, str]:
    """Keys that named events and security-log entries record, in words; others as recorded."""
    return {
        "role": _("role"), "region": _("region"), "reason": _("reason"), "count": _("count"), "rows": _("rows"),
        "filters": _("filters"), "model": _("record type"), "pk": _("record number"), "field": _("field"),
        "lookup": _("looked up by"), "api": _("through the API"), "attachment": _("attachment"),
        "kind": _("kind"), "filing": _("filing"), "note": _("note"),
        "status": _("status"), "user": _("user"), "number": _("number"), "deadline": _("deadline"),
        "year": _("year"), "township": _("township"), "name": _("name"), "date": _("date"),
    }  # fmt: skip


def _action_label(key: str) -> str:
    return _detail_labels().get(key, key)


def detail_rows(detail) -> list[tuple[str, str]]:
    """A security-log entry's detail (or a named event's) as (label, value) pairs: the record
    type by its verbose name, the field by its verbose name."""
    if not isinstance(detail, dict):
        return [("", _readable(detail, None))] if detail else []
    model = None
    if isinstance(detail.get("model"), str) and "." in detail["model"]:
        try:
            model = apps.get_model(detail["model"])
        except (LookupError, ValueError):
            model = None
    rows = []
    for key, value in detail.items():
        if key == "model" and model is not None:
            shown = str(model._meta.verbose_name)
        elif key == "field" and model is not None:
            try:
                shown = str(model._meta.get_field(value).verbose_name)
            except FieldDoesNotExist:  # a field renamed since the entry was written
                shown = str(value)
        else:
            shown = _readable(value, None)
        rows.append((_action_label(key), shown))
    return rows


@dataclass
class Entry:
    event: object
    when: str
    who: str
    what: str
    table: str
    changes: list[Change]


def entries(events, *, names: dict[int, str]) -> list[Entry]:
    """The rows of one page (or export) of the trail, ready to show."""
    return [
        Entry(
            event=event,
            when=local_time(event.at),
            who=(names.get(event.actor_id) or f"#{event.actor_id}") if event.actor_id else _("system"),
            what=str(event.get_kind_display()),
            table=table_label(event.table_name) if event.table_name else "",
            changes=changes(event),
        )
        for event in events
    ]
