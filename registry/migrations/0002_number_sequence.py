"""One counter per kind of document and year (``NumberSequence``) replaces the filing numbers'
own counter; the filing counters move over as kind ``filing``."""

from django.db import migrations, models


def filing_counters_to_number_sequences(apps, schema_editor):
    old = apps.get_model("registry", "FilingNumberSequence")
    new = apps.get_model("registry", "NumberSequence")
    new.objects.bulk_create(new(kind="filing", year=row.year, last=row.last) for row in old.objects.all())


def number_sequences_to_filing_counters(apps, schema_editor):
    old = apps.get_model("registry", "FilingNumberSequence")
    new = apps.get_model("registry", "NumberSequence")
    old.objects.bulk_create(old(year=row.year, last=row.last) for row in new.objects.filter(kind="filing"))


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="NumberSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=32)),
                ("year", models.PositiveIntegerField()),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "year"), name="number_sequence_one_per_kind_year")
                ],
            },
        ),
        migrations.RunPython(filing_counters_to_number_sequences, number_sequences_to_filing_counters),
        migrations.DeleteModel(
            name="FilingNumberSequence",
        ),
    ]
