"""The columns an inspection file repeated and this app's own reminder ledger are gone: they
live in paperwork.StoredFile and paperwork.ReminderSent (0004)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_files_and_reminders_in_paperwork"),
    ]

    operations = [
        migrations.RemoveField(model_name="inspectionfile", name="file"),
        migrations.RemoveField(model_name="inspectionfile", name="original_name"),
        migrations.RemoveField(model_name="inspectionfile", name="content_type"),
        migrations.RemoveField(model_name="inspectionfile", name="size"),
        migrations.RemoveField(model_name="inspectionfile", name="sha256"),
        migrations.AlterField(
            model_name="inspectionfile",
            name="stored",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="paperwork.storedfile"
            ),
        ),
        migrations.DeleteModel(name="ReminderSent"),
    ]
