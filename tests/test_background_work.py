"""Cache and background tasks.

With REDIS_URL set, the cache and a real Celery worker are exercised through Redis. Without a
broker (and always under DJANGO_ENV=test) tasks run in-process: the same code, no worker."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connections

from accounts import services
from accounts.demo import DEMO_PASSWORD
from accounts.models import Notification, NotificationPreference, User
from accounts.tasks import notification_email_task
from yuyao_childcare.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def redis_url() -> str:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis cache and broker are not configured")
    return settings.REDIS_URL


def mailbox_user(username: str = "mailbox") -> User:
    """A recipient with a verified email address (the demo cast has none)."""
    user = services.user_create(
        actor=None,
        username=username,
        real_name="演示·邮件收件人",
        password=DEMO_PASSWORD,
        email=f"{username}@example.gov.cn",
        must_change_password=False,
    )
    NotificationPreference.objects.create(user=user, email_verified=user.email)
    return user


# --- With Redis ---------------------------------------------------------------------------


def test_cache_round_trips_through_redis(redis_url):
    import redis

    assert settings.CACHES["default"]["BACKEND"] == "yuyao_childcare.cache.ForgivingRedisCache"  # RedisCache, forgiving
    key = f"test-background-work-{uuid.uuid4().hex}"
    value = {"名称": "余姚市", "count": 3}
    try:
        cache.set(key, value, timeout=60)
        assert cache.get(key) == value
        # The value really lives in Redis, not in this process.
        location = settings.CACHES["default"]["LOCATION"]  # REDIS_URL, or a database per test worker
        assert location.startswith(redis_url.rsplit("/", 1)[0])
        assert redis.Redis.from_url(location).exists(cache.make_key(key)) == 1
    finally:
        cache.delete(key)
    assert cache.get(key) is None


@pytest.fixture
def celery_worker_on_redis(redis_url):
    """A Celery worker thread consuming a queue of its own on the Redis broker.

    The test settings make tasks eager; this switches the project app to real delivery for one
    test and puts everything back afterwards. A private queue keeps another test run sharing the
    same Redis from taking the task, and results come back through Redis too."""
    from celery.backends.redis import RedisBackend
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    queue = f"test-{uuid.uuid4().hex}"
    changes = {
        "task_always_eager": False,
        "worker_hijack_root_logger": False,  # leave pytest's logging alone
        "worker_enable_remote_control": False,  # no pidbox queue left in Redis
    }
    saved = {name: celery_app.conf[name] for name in changes}
    celery_app.conf.update(changes)
    notification_email_task.backend = RedisBackend(app=celery_app, url=redis_url)

    def close_worker_connections(**kwargs):
        # The worker thread's own database connection must not outlive the test (PostgreSQL
        # refuses to drop a test database that still has a session).
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, queues=[queue], shutdown_timeout=30) as worker:
            yield queue, worker
    finally:
        task_postrun.disconnect(close_worker_connections)
        notification_email_task.backend = None  # back to the app's backend
        # The worker narrowed the app's consumption to its queue: widen it again.
        celery_app.amqp.queues._consume_from = None
        celery_app.amqp.queues.pop(queue, None)
        for name, value in saved.items():
            celery_app.conf[name] = value
        _forget_queue(redis_url, queue)


def _forget_queue(redis_url: str, queue: str) -> None:
    """Remove the private queue and its exchange binding from Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue)
    for key in client.scan_iter("_kombu.binding*"):
        if key.decode().endswith(f".{queue}"):
            client.delete(key)
        elif client.type(key) == b"set":
            for member in client.smembers(key):
                if queue.encode() in member:
                    client.srem(key, member)


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_worker_through_the_redis_broker(celery_worker_on_redis):

    queue, _worker = celery_worker_on_redis
    recipient = mailbox_user("mailbox-worker")
    notification = Notification.objects.create(recipient=recipient, title="备案材料待审核", body="请登录平台处理。")

    result = notification_email_task.apply_async((notification.pk,), queue=queue)
    assert result.get(timeout=30) is True  # the worker sent it and reported back through Redis

    result.forget()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mailbox-worker@example.gov.cn"]
    assert mail.outbox[0].subject == "备案材料待审核"
    notification.refresh_from_db()
    assert notification.emailed_at is not None

    # Delivered twice (a retry, a duplicate message): the worker sends nothing more.
    again = notification_email_task.apply_async((notification.pk,), queue=queue)
    assert again.get(timeout=30) is False
    again.forget()
    assert len(mail.outbox) == 1


# --- Without a broker: in-process --------------------------------------------------------


def test_tests_run_tasks_in_process():
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.task_eager_propagates is True
    if not settings.REDIS_URL:
        assert celery_app.conf.broker_url == "memory://"


@pytest.mark.parametrize(
    ("redis_url", "eager", "broker"),
    [("", True, "memory://"), ("redis://127.0.0.1:6379/0", False, "redis://127.0.0.1:6379/0")],
    ids=["embedded-default-runs-tasks-in-process", "with-redis-a-worker-runs-them"],
)
def test_development_shape_runs_tasks_in_process_only_without_a_broker(tmp_path, redis_url, eager, broker):
    script = (
        "import json, django; django.setup(); from yuyao_childcare.celery import app; "
        "print(json.dumps([app.conf.task_always_eager, app.conf.broker_url]))"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"}
    }
    env.update(DJANGO_ENV="development", DJANGO_SETTINGS_MODULE="yuyao_childcare.settings", VAR_DIR=str(tmp_path))
    if redis_url:
        env["REDIS_URL"] = redis_url
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [eager, broker]


@pytest.mark.django_db
def test_notification_send_emails_a_verified_recipient_once(django_capture_on_commit_callbacks):
    recipient = mailbox_user()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notification_send(recipient=recipient, title="整改通知", body="请于7日内完成整改。")
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mailbox@example.gov.cn"]
    assert mail.outbox[0].subject == "整改通知"
    assert mail.outbox[0].body == "请于7日内完成整改。"
    notification.refresh_from_db()
    emailed_at = notification.emailed_at
    assert emailed_at is not None

    # The task again, twice, for the same notification: nothing more is sent.
    assert notification_email_task.delay(notification.pk).get() is False
    assert notification_email_task.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at == emailed_at


@pytest.mark.django_db
def test_notification_send_without_an_email_sends_nothing(cast, django_capture_on_commit_callbacks):
    assert not cast["health"].email
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notification_send(recipient=cast["health"], title="站内消息")
    assert callbacks == []
    assert notification_email_task.delay(notification.pk).get() is False
    assert mail.outbox == []
    assert Notification.objects.get(pk=notification.pk).emailed_at is None


@pytest.mark.django_db
def test_the_email_task_ignores_a_notification_that_is_gone():
    assert notification_email_task.delay(2**31 - 1).get() is False
    assert mail.outbox == []
