"""The scan columns a certificate carried and this app's own reminder ledger are gone: they
live in paperwork.StoredFile and paperwork.ReminderSent (0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_scans_and_reminders_in_paperwork"),
    ]

    operations = [
        migrations.RemoveField(model_name="certificate", name="file"),
        migrations.RemoveField(model_name="certificate", name="original_name"),
        migrations.RemoveField(model_name="certificate", name="content_type"),
        migrations.RemoveField(model_name="certificate", name="size"),
        migrations.RemoveField(model_name="certificate", name="sha256"),
        migrations.DeleteModel(name="ReminderSent"),
    ]
