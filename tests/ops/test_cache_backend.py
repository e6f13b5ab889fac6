"""The Redis cache backend when Redis refuses connections (a closed port, a
real refusal): reads miss, writes do nothing, one log line a minute."""

import logging
import socket

import pytest
from django.core.cache import caches
from django.test import override_settings

from alert import cache as cache_module


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def unreachable():
    settings = {
        "default": {
            "BACKEND": "alert.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=settings):
        yield caches["default"]


def test_reads_miss_and_writes_do_nothing(unreachable):
    assert unreachable.get("page", "missed") == "missed"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("page") is False
    unreachable.set("page", "body")
    assert unreachable.set_many({"a": 1, "b": 2}) == ["a", "b"]  # not stored
    assert unreachable.add("claim", 1) is False  # nobody may believe they hold it
    assert unreachable.delete("page") is False
    unreachable.delete_many(["a", "b"])
    assert unreachable.get_or_set("page", lambda: "rendered") == "rendered"
    with pytest.raises(ValueError):  # as for a key that is not there
        unreachable.incr("count")
    assert unreachable.reachable() is False


def test_clearing_an_unreachable_cache_still_fails_loudly(unreachable):
    from redis.exceptions import ConnectionError

    with pytest.raises(ConnectionError):
        unreachable.clear()  # an operator's act (after a restore) that did not happen


def test_the_outage_is_logged_once_a_minute_not_once_a_call(unreachable, caplog, monkeypatch):
    with caplog.at_level(logging.WARNING, logger="alert.cache"):
        for _ in range(20):
            unreachable.get("page")
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Cache unreachable"]

    # A minute later, still down: one more line.
    later = cache_module.time.monotonic() + cache_module.LOG_EVERY_SECONDS + 1
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: later)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="alert.cache"):
        for _ in range(5):
            unreachable.get("page")
    assert len(caplog.records) == 1
