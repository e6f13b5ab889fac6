"""Throttling: a client over its rate gets 429 and a Retry-After."""

import threading

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from reporting.api.throttling import UserRateThrottle as CountedUserRate


@pytest.fixture
def tight_rates(monkeypatch):
    rates = {"anon": "2/minute", "user": "3/minute", "bulk": "1/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)


def test_a_user_over_the_rate_gets_429(dataset, as_user, leader, tight_rates):
    client = as_user(leader)
    codes = [client.get(reverse("api:region-list")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Retry-After" in client.get(reverse("api:region-list"))


def test_the_bulk_upsert_has_its_own_tighter_rate(dataset, as_user, clerk, tight_rates):
    client = as_user(clerk)
    url = reverse("api:figure-bulk")
    assert client.post(url, [], format="json").status_code == 200
    assert client.post(url, [], format="json").status_code == 429


def test_every_request_counts_once_even_when_many_arrive_at_once(leader, monkeypatch):
    """One counter a window, raised atomically: 8 clients at once, 400 requests,
    a count of 400 (a list read and written back whole would lose some)."""
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "10000/minute"})
    monkeypatch.setattr(CountedUserRate, "timer", lambda self: 1_000_020.0)  # one window
    request = Request(APIRequestFactory().get("/api/v1/"))
    request.user = leader

    def client():
        for _ in range(50):
            assert CountedUserRate().allow_request(request, view=None)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    throttle = CountedUserRate()
    assert throttle.allow_request(request, view=None)
    window = int(throttle.now // throttle.duration)
    assert cache.get(f"{throttle.key}:{window}") == 401
