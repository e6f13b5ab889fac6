"""Django's Redis cache, for which an unreachable Redis is a cache miss.

Nothing in the cache is the only copy of anything (sessions are in the
database, pages are rendered again, throttle counts start again), so while
Redis cannot be reached every read misses and every write is dropped: the
site keeps working from the database, slower, instead of answering 500s.
This is django-redis's ``IGNORE_EXCEPTIONS`` for Django's own backend, on its
public methods only.

Each process logs that the cache is unreachable at most once a minute (a
warning naming the error), not once per request, and logs again when it
answers. ``reachable()`` asks Redis directly, for ``/health/``.

Only connection failures and timeouts are forgiven (a bad key or an
unpicklable value is still a bug and still raises), and never by `clear()`.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger("alert.cache")

# redis-py's own, and the socket's where one escapes it.
UNREACHABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)
LOG_EVERY_SECONDS = 60


class _Outage:
    """This process's memory of the cache being unreachable: when it was last
    logged, so that a busy server writes one line a minute, not one a request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.logged_at: float | None = None  # None while the cache answers

    def failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            if self.logged_at is not None and now - self.logged_at < LOG_EVERY_SECONDS:
                return
            self.logged_at = now
        logger.warning(
            "Cache unreachable (%s: %s); serving from the database until it answers",
            operation,
            error,
        )

    def answered(self) -> None:
        if self.logged_at is None:  # the common case: no lock taken
            return
        with self.lock:
            if self.logged_at is None:
                return
            self.logged_at = None
        logger.info("Cache reachable again")


class FailOpenRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that treats an
    unreachable Redis as empty: reads miss, writes do nothing.

    Set ``socket_connect_timeout`` and ``socket_timeout`` in ``OPTIONS``
    (settings do) so that a Redis that stops answering costs a request a
    fraction of a second, not minutes.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.outage = _Outage()

    def _attempt(self, fallback, method, *args):
        try:
            result = method(*args)
        except UNREACHABLE as error:
            self.outage.failed(method.__name__, error)
            return fallback
        self.outage.answered()
        return result

    def reachable(self) -> bool:
        """Whether Redis answers now (one round trip, nothing stored)."""
        return self._attempt(None, super().has_key, "health") is not None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # False, as if the key were there: a caller using ``add`` as a claim
        # must not believe it holds one the cache never recorded.
        return self._attempt(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._attempt(missing, super().incr, key, delta, version)
        if result is missing:
            # Django's answer for a key that is not there, which callers handle.
            raise ValueError(f"Key {key!r} not found (the cache is unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._attempt(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._attempt(None, super().delete_many, keys, version)

    # clear() is left as it is: emptying the cache (after a restore) is an
    # operator's act, and one that did not happen must say so.
