"""Celery beat without a broker: the embedded default's scheduled jobs, run in-process.

``make run`` has no Redis, so no ``celery beat`` can send the jobs of ``CELERY_BEAT_SCHEDULE``
(escalations, reminders, snapshots) to a worker. The web process that serves the embedded
default starts one thread that runs Celery's own scheduler over the same schedule and executes
each due job right there. Celery decides what is due (crontab and intervals alike) and keeps the
last run times in ``var/celerybeat-schedule``, so the development server's restarts on code
changes neither skip a job nor repeat it.
"""

import logging

from celery import beat
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class EmbeddedScheduler(beat.PersistentScheduler):
    """Runs each due job in this process instead of sending it to a broker."""

    producer = None  # nothing is published

    def setup_schedule(self):
        # As `celery beat` does at start: import the apps' tasks modules, so every job is known.
        self.app.loader.import_default_modules()
        super().setup_schedule()

    def install_default_entries(self, data):
        """None: Celery's own result-cleanup job is for result backends, and there is none."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        entry = self.reserve(entry) if advance else entry
        close_old_connections()
        try:
            # ``apply`` runs the task here and returns its result; it never raises (the result
            # holds the error), so one failing job leaves the others on schedule.
            result = self.app.tasks[entry.task].apply(entry.args, entry.kwargs)
        finally:
            close_old_connections()
        if result.failed():
            logger.error("Scheduled job %s failed: %r", entry.name, result.result)
        return result


def start(app, *, schedule_filename: str) -> beat.Service:
    """Start the scheduler thread (a daemon: it ends with the process)."""
    thread = beat.EmbeddedService(
        app,
        thread=True,
        scheduler_cls=EmbeddedScheduler,
        schedule_filename=schedule_filename,
        remote_control=False,
    )
    thread.start()
    return thread


def start_if_embedded(app):
    """In the embedded default only (``EMBEDDED_SCHEDULER``): with a broker, celery beat runs."""
    if settings.EMBEDDED_SCHEDULER:
        start(app, schedule_filename=str(settings.VAR_DIR / "celerybeat-schedule"))
