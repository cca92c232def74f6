"""Inspection photos and evidence point at a paperwork.StoredFile instead of repeating its
columns, and reminders sent go to the one ledger (paperwork.ReminderSent): each file (same
path, name, type, size and hash) becomes a stored file, each reminder key moves. 0005 drops
the old columns and table (in its own transaction: PostgreSQL alters no table with pending
deferred checks). Backwards, the columns and the ledger are filled again."""

import django.db.models.deletion
from django.db import migrations, models

import inspections.models

FIELDS = ("file", "original_name", "content_type", "size", "sha256")
# The keys of this app's reminders (``inspections.reminders``).
PREFIXES = ("self-report:", "inspection:")


def forwards(apps, schema_editor):
    InspectionFile = apps.get_model("inspections", "InspectionFile")
    OldReminder = apps.get_model("inspections", "ReminderSent")
    StoredFile = apps.get_model("paperwork", "StoredFile")
    ReminderSent = apps.get_model("paperwork", "ReminderSent")
    for row in InspectionFile.objects.order_by("pk").iterator():
        row.stored = StoredFile.objects.create(
            stored_at=row.uploaded_at, **{field: getattr(row, field) for field in FIELDS}
        )
        row.save(update_fields=["stored"])
    ReminderSent.objects.bulk_create(
        [ReminderSent(key=old.key, sent_at=old.sent_at) for old in OldReminder.objects.order_by("pk")],
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    InspectionFile = apps.get_model("inspections", "InspectionFile")
    OldReminder = apps.get_model("inspections", "ReminderSent")
    ReminderSent = apps.get_model("paperwork", "ReminderSent")
    for row in InspectionFile.objects.select_related("stored").order_by("pk").iterator():
        for field in FIELDS:
            setattr(row, field, getattr(row.stored, field))
        row.save(update_fields=list(FIELDS))
    ours = ReminderSent.objects.none()
    for prefix in PREFIXES:
        ours |= ReminderSent.objects.filter(key__startswith=prefix)
    OldReminder.objects.bulk_create([OldReminder(key=row.key, sent_at=row.sent_at) for row in ours.order_by("pk")])
    ours.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("paperwork", "0001_initial"),
        ("inspections", "0003_order_number_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspectionfile",
            name="stored",
            field=models.OneToOneField(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="paperwork.storedfile"
            ),
        ),
        # Blank defaults only so that the way back can re-add the columns before refilling them.
        migrations.AlterField(
            model_name="inspectionfile",
            name="file",
            field=models.FileField(default="", max_length=200, upload_to=inspections.models.inspection_file_path),
        ),
        migrations.AlterField(
            model_name="inspectionfile", name="original_name", field=models.CharField(default="", max_length=200)
        ),
        migrations.AlterField(
            model_name="inspectionfile", name="content_type", field=models.CharField(default="", max_length=100)
        ),
        migrations.AlterField(model_name="inspectionfile", name="size", field=models.PositiveIntegerField(default=0)),
        migrations.AlterField(
            model_name="inspectionfile", name="sha256", field=models.CharField(default="", max_length=64)
        ),
        migrations.RunPython(forwards, backwards),
    ]
