"""The database going away gives a plain 503 page, and the app recovers by itself.

Real failures on a real server, no mocks: the request's own PostgreSQL
backend is terminated (pg_terminate_backend) between two requests of one
session, and then the server's address stops answering (a closed port).
"""

import socket

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from tests.reliability.conditions import postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def terminate_backend_of(django_connection) -> None:
    with django_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    settings = django_connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname="postgres",
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def assert_plain_503(response):
    assert response.status_code == 503
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    assert response["Retry-After"]


def test_a_dropped_connection_gives_a_503_page_and_the_next_request_recovers(
    client, dataset, leader
):
    page = reverse("admin:reporting_figure_changelist")
    client.force_login(leader)
    assert client.get(page).status_code == 200

    terminate_backend_of(connection)

    assert_plain_503(client.get(page))
    assert client.get(page).status_code == 200  # a fresh connection, nobody restarted anything


def test_an_unreachable_server_gives_503s_until_it_answers_again(client, dataset, leader):
    page = reverse("admin:reporting_figure_changelist")
    client.force_login(leader)
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port()
    try:
        assert_plain_503(client.get(page))
        health = client.get(reverse("health"))
        assert health.status_code == 503
        assert health.json()["database"] == "unreachable"
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert client.get(page).status_code == 200
    assert client.get(reverse("health")).status_code == 200
