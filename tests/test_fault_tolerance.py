"""What a page does when a service it leans on is away (the fault drills of bench/faults/ run the
same against real services): a database outage answers 503 with a Chinese page (or the API's
error shape) and a Retry-After, never a traceback; a cache whose Redis is away answers "nothing
cached" instead of failing the page."""

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client, override_settings

from yuyao_childcare.cache import ForgivingRedisCache


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF="tests.fault_urls", DEBUG=False)
@pytest.mark.parametrize("url", ["/page/", "/cut/"])
def test_a_database_outage_answers_503_in_chinese_with_retry_after(client, url):
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统暂时无法使用" in page and "未保存任何内容" in page
    assert "Traceback" not in page and "5432" not in page


@override_settings(ROOT_URLCONF="tests.fault_urls", DEBUG=False)
def test_a_database_outage_in_the_api_answers_the_error_shape(client):
    response = client.get("/api/v1/things/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "Nothing was saved" in response.json()["error"]["message"]


@override_settings(ROOT_URLCONF="tests.fault_urls", DEBUG=False)
def test_any_other_fault_is_still_a_500(client):
    response = client.get("/broken/")
    assert response.status_code == 500 and "系统暂时出错" in response.content.decode()


def unreachable_cache() -> ForgivingRedisCache:
    # Port 1 refuses connections at once: Redis is "stopped".
    return ForgivingRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})


def test_a_cache_without_redis_answers_nothing_cached_and_drops_writes():
    cache = unreachable_cache()
    assert cache.get("menu-counts", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("a", 1) is None and cache.set_many({"a": 1}) == []
    assert cache.add("once", True) is True  # the guarded step goes on without its guard
    assert cache.incr("allowance") == 1 and cache.incr("allowance", 5) == 5  # each count starts again
    assert cache.decr("allowance") == -1
    assert cache.delete("a") is False and cache.has_key("a") is False
    assert cache.get_or_set("figures", lambda: 42) == 42


def test_the_plain_redis_cache_would_fail_the_page():
    """The reason for the class above: Django's own Redis cache raises when Redis is away."""
    plain = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with pytest.raises(Exception) as raised:
        plain.get("menu-counts")
    assert "refused" in str(raised.value).lower() or "connect" in str(raised.value).lower()


def test_production_settings_use_the_forgiving_cache(monkeypatch):
    import importlib

    from yuyao_childcare import settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6399/0")
    try:
        fresh = importlib.reload(settings)
        assert fresh.CACHES["default"]["BACKEND"] == "yuyao_childcare.cache.ForgivingRedisCache"
        assert fresh.CACHES["default"]["OPTIONS"]["socket_timeout"] <= 2
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(settings)


def test_the_heartbeat_thread_beats_while_the_import_runs_and_stops_after(monkeypatch, settings):
    """The worker's sign of life comes from a thread of its own (so that it is seen during the
    long data transaction) and stops with the import; 0 seconds turns it off."""
    import time

    from paperwork import jobs

    beats = []
    monkeypatch.setattr(jobs, "beat", lambda model, job_id: beats.append(job_id))
    settings.IMPORT_HEARTBEAT_SECONDS = 0.05
    with jobs.Heartbeat(object, 7) as heartbeat:
        time.sleep(0.4)
    assert len(beats) >= 3 and set(beats) == {7}
    assert not heartbeat.thread.is_alive()
    after = len(beats)
    time.sleep(0.2)
    assert len(beats) == after
    settings.IMPORT_HEARTBEAT_SECONDS = 0
    with jobs.Heartbeat(object, 8) as silent:
        time.sleep(0.1)
    assert silent.thread is None and 8 not in beats
