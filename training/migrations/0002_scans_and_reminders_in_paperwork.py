"""A certificate has a scan (a paperwork.StoredFile) instead of being a file itself, and
reminders sent go to the one ledger (paperwork.ReminderSent): each certificate's scan (same
path, name, type, size and hash) becomes a stored file, each reminder key moves; a certificate
without a scan keeps none. 0003 drops the old columns and table (in its own transaction:
PostgreSQL alters no table with pending deferred checks). Backwards, both are filled again."""

import django.db.models.deletion
from django.db import migrations, models

FIELDS = ("file", "original_name", "content_type", "size", "sha256")
# The keys of this app's reminders (``training.reminders``).
PREFIXES = ("cert:", "health:")


def forwards(apps, schema_editor):
    Certificate = apps.get_model("training", "Certificate")
    OldReminder = apps.get_model("training", "ReminderSent")
    StoredFile = apps.get_model("paperwork", "StoredFile")
    ReminderSent = apps.get_model("paperwork", "ReminderSent")
    for certificate in Certificate.objects.exclude(file="").order_by("pk").iterator():
        certificate.scan = StoredFile.objects.create(
            stored_at=certificate.created_at, **{field: getattr(certificate, field) for field in FIELDS}
        )
        certificate.save(update_fields=["scan"])
    ReminderSent.objects.bulk_create(
        [ReminderSent(key=old.key, sent_at=old.sent_at) for old in OldReminder.objects.order_by("pk")],
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    Certificate = apps.get_model("training", "Certificate")
    OldReminder = apps.get_model("training", "ReminderSent")
    ReminderSent = apps.get_model("paperwork", "ReminderSent")
    for certificate in Certificate.objects.filter(scan__isnull=False).select_related("scan").order_by("pk"):
        for field in FIELDS:
            setattr(certificate, field, getattr(certificate.scan, field))
        certificate.save(update_fields=list(FIELDS))
    ours = ReminderSent.objects.none()
    for prefix in PREFIXES:
        ours |= ReminderSent.objects.filter(key__startswith=prefix)
    OldReminder.objects.bulk_create([OldReminder(key=row.key, sent_at=row.sent_at) for row in ours.order_by("pk")])
    ours.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("paperwork", "0001_initial"),
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="scan",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="paperwork.storedfile",
                verbose_name="scan",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
