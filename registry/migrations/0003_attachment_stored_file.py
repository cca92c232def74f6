"""A filing attachment points at a paperwork.StoredFile instead of repeating its columns: each
attachment's file (same path, name, type, size and hash) becomes a stored file; 0004 drops the
old columns (in its own transaction: PostgreSQL alters no table with pending deferred checks).
Backwards, the columns are filled again from the stored files."""

import django.db.models.deletion
from django.db import migrations, models

import registry.models

FIELDS = ("file", "original_name", "content_type", "size", "sha256")


def forwards(apps, schema_editor):
    FilingAttachment = apps.get_model("registry", "FilingAttachment")
    StoredFile = apps.get_model("paperwork", "StoredFile")
    for attachment in FilingAttachment.objects.order_by("pk").iterator():
        attachment.stored = StoredFile.objects.create(
            stored_at=attachment.uploaded_at, **{field: getattr(attachment, field) for field in FIELDS}
        )
        attachment.save(update_fields=["stored"])


def backwards(apps, schema_editor):
    FilingAttachment = apps.get_model("registry", "FilingAttachment")
    for attachment in FilingAttachment.objects.select_related("stored").order_by("pk").iterator():
        for field in FIELDS:
            setattr(attachment, field, getattr(attachment.stored, field))
        attachment.save(update_fields=list(FIELDS))


class Migration(migrations.Migration):
    dependencies = [
        ("paperwork", "0001_initial"),
        ("registry", "0002_number_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="filingattachment",
            name="stored",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="paperwork.storedfile",
                verbose_name="file",
            ),
        ),
        # Blank defaults only so that the way back can re-add the columns before refilling them.
        migrations.AlterField(
            model_name="filingattachment",
            name="file",
            field=models.FileField(default="", max_length=200, upload_to=registry.models.attachment_path),
        ),
        migrations.AlterField(
            model_name="filingattachment", name="original_name", field=models.CharField(default="", max_length=200)
        ),
        migrations.AlterField(
            model_name="filingattachment", name="content_type", field=models.CharField(default="", max_length=100)
        ),
        migrations.AlterField(model_name="filingattachment", name="size", field=models.PositiveIntegerField(default=0)),
        migrations.AlterField(
            model_name="filingattachment", name="sha256", field=models.CharField(default="", max_length=64)
        ),
        migrations.RunPython(forwards, backwards),
    ]
