from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def stored_file_path(instance, filename):
    """``<folder>/<year>/<month>/<hash prefix>/<hash>``: ``paperwork.files.store`` passes the
    folder as the name; the uploaded name is never reused (it is kept in ``original_name``)."""
    return f"{filename}/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class StoredFile(models.Model):
    """An upload judged by its content (``paperwork.files``), kept under ``MEDIA_ROOT`` outside
    the web root. It has no scope of its own: it is reached only through the record that owns
    it (a filing attachment, an inspection photo or evidence, a certificate's scan), whose
    policy the serving view applies first."""

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    stored_at = models.DateTimeField(_("stored at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self):
        return self.original_name


class ReminderSent(models.Model):
    """One reminder sent, under a key that names it (``self-report:<review>:7d``,
    ``cert:<id>:<date>:soon``…), so that a task run twice, or by two workers, sends it once."""

    key = models.CharField(max_length=128, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self):
        return self.key


class ImportJobBase(models.Model):
    """What every background import from Excel records (the registry's and the workforce's):
    its file, who uploaded it when, its status and progress, the row report and the worker's
    heartbeat (``paperwork.jobs``). Each app adds its kinds, where the file is kept and what the
    rows go into, and its scope."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported: see the report")

    original_name = models.CharField(max_length=200)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    # The row report: [{"row": 3, "column": "<the column's header>", "message": "..."}]
    errors = models.JSONField(default=list, blank=True)
    # The worker's sign of life while running, and whether a dead worker left it (paperwork/jobs.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    interrupted = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
