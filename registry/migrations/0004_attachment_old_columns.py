"""The columns a filing attachment repeated are gone: its file is a paperwork.StoredFile (0003)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_attachment_stored_file"),
    ]

    operations = [
        migrations.RemoveField(model_name="filingattachment", name="file"),
        migrations.RemoveField(model_name="filingattachment", name="original_name"),
        migrations.RemoveField(model_name="filingattachment", name="content_type"),
        migrations.RemoveField(model_name="filingattachment", name="size"),
        migrations.RemoveField(model_name="filingattachment", name="sha256"),
        migrations.AlterField(
            model_name="filingattachment",
            name="stored",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="paperwork.storedfile",
                verbose_name="file",
            ),
        ),
    ]
