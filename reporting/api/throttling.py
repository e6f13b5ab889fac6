"""The API's rate limits, counted with one atomic increment a request.

DRF's own throttles keep the time of every request in the window as one
list, read and written back whole on each request. Under several app
servers two requests can read the same list, and one of them is never
counted; and the list grows with the rate (3,000 times pickled on every
request at the default user rate). Here each window of the rate's period has
one counter in the shared cache, raised with ``incr``, which is atomic in
Redis and in local memory: every request counts, on every server, for a
constant cost.

A fixed window lets a client spend its allowance at the end of one window
and again at the start of the next; the limits are set with that in mind.
"""

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

from alert.cache import UNREACHABLE, FailOpenRedisCache


class CountedRate(throttling.SimpleRateThrottle):
    """DRF's rate throttle, counted by window counter (``allow_request``, ``wait``)."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        return self._count(key) <= self.num_requests

    def _count(self, key: str) -> int:
        """Raise the window's counter; its new value."""
        backend = caches[DEFAULT_CACHE_ALIAS]  # DRF's ``cache`` is a proxy of it
        if isinstance(backend, RedisCache):
            # One round trip: INCR creates the counter at 1, EXPIRE ends it with
            # its window. (Django's incr asks whether the key exists first.)
            name = backend.make_and_validate_key(key)
            try:
                client = backend._cache.get_client(name, write=True)
                count, _ = (
                    client.pipeline(transaction=False)
                    .incr(name)
                    .expire(name, self.duration + 1)
                    .execute()
                )
            except UNREACHABLE as error:
                if not isinstance(backend, FailOpenRedisCache):
                    raise
                backend.outage.failed("incr", error)
                return 0  # fail open: while the cache is down, nothing is counted
            return count
        try:
            return backend.incr(key)
        except ValueError:  # the window's first request; or another one created it meanwhile
            return 1 if backend.add(key, 1, self.duration + 1) else backend.incr(key)

    def wait(self) -> float:
        """Seconds until the window ends (the answer's Retry-After)."""
        return max(self.window_ends - self.now, 1)


class UserRateThrottle(throttling.UserRateThrottle, CountedRate):
    """A signed-in client's rate (``user``), per user."""


class AnonRateThrottle(throttling.AnonRateThrottle, CountedRate):
    """An anonymous client's rate (``anon``), per address."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, CountedRate):
    """A view's own rate (its ``throttle_scope``), per user or address."""
