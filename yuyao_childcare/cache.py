"""A Redis cache that forgives Redis being away.

The portal caches only what it can compute again (menu counts, review figures) or counts
allowances (rate limits). While Redis is down or unreachable, a read answers "not cached", a
write is dropped and a count starts again, each with a warning in the log, so that pages keep
answering instead of failing with a server error; the cache fills again when Redis is back.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


def _forgiving(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ForgivingRedisCache, self), name)(*args, **kwargs)
        except UNAVAILABLE as error:
            log.warning("cache %s skipped, Redis is unavailable: %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


def _default(key, default=None, *args, **kwargs):
    return default


def _delta(key, delta=1, *args, **kwargs):
    return delta


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", _default)
    get_many = _forgiving("get_many", {})
    has_key = _forgiving("has_key", False)
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", [])
    # "Added": a caller that guards a one-off step with add() goes on without the guard.
    add = _forgiving("add", True)
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
    delete_many = _forgiving("delete_many", None)
    incr = _forgiving("incr", _delta)
    decr = _forgiving("decr", lambda key, delta=1, *args, **kwargs: -delta)
    clear = _forgiving("clear", False)
