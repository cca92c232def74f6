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
