import django.utils.timezone
from django.db import migrations, models

import paperwork.models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ReminderSent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=128, unique=True)),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"verbose_name": "reminder sent", "verbose_name_plural": "reminders sent"},
        ),
        migrations.CreateModel(
            name="StoredFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "file",
                    models.FileField(max_length=200, upload_to=paperwork.models.stored_file_path, verbose_name="file"),
                ),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                ("content_type", models.CharField(max_length=100, verbose_name="type")),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64)),
                ("stored_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="stored at")),
            ],
            options={"verbose_name": "stored file", "verbose_name_plural": "stored files"},
        ),
    ]
