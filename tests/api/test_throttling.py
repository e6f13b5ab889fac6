"""Throttling: a client over its rate gets 429 and a Retry-After."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle


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


def test_a_users_count_is_shared_by_all_their_clients(dataset, leader, tight_rates):
    """The count lives in the shared cache (Redis under several servers), keyed
    by the user: a second session or a token does not start a new allowance."""
    first, second = APIClient(), APIClient()
    first.force_login(leader)
    second.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
    url = reverse("api:region-list")
    codes = [client.get(url).status_code for client in (first, second, first, second)]
    assert codes == [200, 200, 200, 429]
