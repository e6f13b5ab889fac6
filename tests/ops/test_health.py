"""/health/ answers for load balancers: 200 when the database answers,
whatever the cache's state, which it reports beside."""

import socket

from django.conf import settings
from django.test import override_settings
from django.urls import reverse


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_health_reports_ok_when_the_database_answers(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    redis = settings.CACHES["default"]["BACKEND"] == "alert.cache.FailOpenRedisCache"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok" if redis else "not configured",
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_needs_no_login_and_shows_no_figures(client, dataset):
    response = client.get(reverse("health"))
    assert set(response.json()) == {"status", "database", "cache"}


def test_an_unreachable_cache_is_reported_and_the_server_stays_in_rotation(client, db):
    unreachable = {
        "default": {
            "BACKEND": "alert.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "unreachable"}
