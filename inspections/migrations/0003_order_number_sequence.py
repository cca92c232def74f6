"""Rectification orders are numbered from ``registry.NumberSequence`` (kind
``rectification_order``) instead of by counting orders: the counters start after the highest
number each year already has, so no number is given twice."""

import re

from django.db import migrations

KIND = "rectification_order"
NUMBER = re.compile(r"^余卫托整〔(\d{4})〕(\d+)号$")


def counters_from_existing_orders(apps, schema_editor):
    order_model = apps.get_model("inspections", "RectificationOrder")
    sequence_model = apps.get_model("registry", "NumberSequence")
    highest: dict[int, int] = {}
    for number in order_model.objects.values_list("number", flat=True).iterator():
        match = NUMBER.match(number)
        if match:
            year, count = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), count)
    for year, last in highest.items():
        sequence, _created = sequence_model.objects.get_or_create(kind=KIND, year=year)
        if sequence.last < last:
            sequence.last = last
            sequence.save(update_fields=["last"])


def drop_counters(apps, schema_editor):
    apps.get_model("registry", "NumberSequence").objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0002_files_and_reminders"),
        ("registry", "0002_number_sequence"),
    ]

    operations = [
        migrations.RunPython(counters_from_existing_orders, drop_counters),
    ]
