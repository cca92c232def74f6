"""The embedded default (`make run`, no broker) runs the scheduled jobs itself: escalations,
reminders and snapshots fire there too, in the web process, on Celery beat's own schedule."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Task
from django.conf import settings

from yuyao_childcare import celery_app, scheduler

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_each_beat_entry_runs_in_process_once_due(tmp_path, monkeypatch):
    ran = []
    apply = Task.apply

    def recording_apply(task, *args, **kwargs):
        result = apply(task, *args, **kwargs)
        ran.append((task.name, result.successful() or repr(result.result)))
        return result

    monkeypatch.setattr(Task, "apply", recording_apply)
    # The scheduler closes stale connections around each job; the test's transaction must stay open.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    embedded = scheduler.EmbeddedScheduler(app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=False)
    assert embedded.tick() > 0  # a fresh schedule starts counting from now: nothing is due yet
    assert ran == []

    long_ago = embedded.app.now() - timedelta(days=400)
    for entry in embedded.schedule.values():
        entry.last_run_at = long_ago
    embedded._heap = None  # rebuild the queue from the changed run times
    for _ in settings.CELERY_BEAT_SCHEDULE:
        assert embedded.tick() == 0  # one due job per tick
    assert embedded.tick() > 0  # then nothing is due until the next period

    expected = sorted((entry["task"], True) for entry in settings.CELERY_BEAT_SCHEDULE.values())
    assert sorted(ran) == expected


def threads_after_wsgi_import(tmp_path, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}}
    environment.update(VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"), **env)
    code = "import threading, yuyao_childcare.wsgi; print(sorted(t.name for t in threading.enumerate()))"
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_embedded_web_process_starts_the_scheduler(tmp_path):
    assert "'Beat'" in threads_after_wsgi_import(tmp_path, DJANGO_ENV="development")


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"DJANGO_ENV": "development", "REDIS_URL": "redis://127.0.0.1:6379/15"}, id="with-a-broker"),
        pytest.param({"DJANGO_ENV": "test"}, id="tests"),
    ],
)
def test_with_a_broker_or_in_tests_celery_beat_is_left_to_run_the_schedule(tmp_path, env):
    assert "'Beat'" not in threads_after_wsgi_import(tmp_path, **env)
