"""The database going away gives a plain 503 page, and the app recovers by itself.

Real failures on a real server, no mocks. In the test process: the request's
own PostgreSQL backend is terminated (pg_terminate_backend) between two
requests of one session, and then the server's address stops answering (a
closed port). Through gunicorn: a PostgreSQL cluster of the test's own is
stopped and started again while a client reads and writes.
"""

import os
import socket
import threading
import time
from decimal import Decimal

import psycopg
import pytest
import requests
from django.db import connection
from django.urls import reverse

from tests.reliability.conditions import postgresql_only
from tests.reliability.services import (
    PASSWORD,
    ROOT,
    Gunicorn,
    PostgresCluster,
    grid_fields,
    sign_in,
)

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


# -- the database stopped and started under a client, through gunicorn --------

MAKE_ADMINISTRATOR = f"""
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from reporting.roles import ADMINISTRATORS
alice = User.objects.create_user("alice", password="{PASSWORD}", is_staff=True)
alice.groups.add(Group.objects.get(name=ADMINISTRATORS))
print(Token.objects.create(user=alice).key)
"""


def manage(database_url: str, *args: str) -> str:
    import subprocess
    import sys

    env = os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "alert.settings_test",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# What each kind of request answers when all is well.
EXPECTED = {"summary": 200, "api read": 200, "api write": 200, "grid page": 200, "grid save": 302}


class Client:
    """Reads the summary (HTML, signed in) and a figure (API); writes figures
    through the API (a token) and the entry grid (the signed-in session),
    a new value each time; remembers every answer."""

    def __init__(self, base: str, token: str, figures: list[int], grid: tuple[str, str, int]):
        self.base = base
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Token {token}"
        self.browser = requests.Session()
        assert sign_in(self.browser, base, "alice").status_code == 302
        self.figures = figures
        self.grid_url, self.grid_cell, self.grid_figure = grid
        self.grid_form: dict[str, str] | None = None  # the last grid page read
        self.answers: list[tuple[str, int, float]] = []  # kind, status, time
        self.acknowledged: dict[Decimal, int] = {}  # value -> figure
        self.refused: dict[Decimal, int] = {}
        self.strange: list[str] = []
        self.count = 0

    def once(self) -> None:
        self.count += 1
        figure = self.figures[self.count // 4 % len(self.figures)]  # each kind, each figure
        kind = ("summary", "api read", "api write", "grid save")[self.count % 4]
        value = Decimal(700_000 + self.count)
        try:
            if kind == "summary":
                self.note(kind, self.browser.get(self.base + "/reports/2023-24/", timeout=30))
            elif kind == "api read":
                url = f"{self.base}/api/v1/figures/{figure}/"
                self.note(kind, self.api.get(url, timeout=30))
            elif kind == "api write":
                url = f"{self.base}/api/v1/figures/{figure}/"
                answer = self.api.patch(url, json={"value": str(value)}, timeout=30)
                self.note(kind, answer)
                saved = answer.status_code == 200
                (self.acknowledged if saved else self.refused)[value] = figure
            else:
                url = self.base + self.grid_url
                page = self.browser.get(url, timeout=30)
                self.note("grid page", page)
                if page.status_code == 200:
                    self.grid_form = grid_fields(page.text)
                # Else Save on the page read before, as a person would press it.
                answer = self.browser.post(
                    url,
                    data=self.grid_form | {self.grid_cell: str(value)},
                    headers={"Referer": url},
                    allow_redirects=False,
                    timeout=30,
                )
                self.note(kind, answer)
                saved = answer.status_code == 302
                (self.acknowledged if saved else self.refused)[value] = self.grid_figure
        except requests.RequestException as exc:  # a dropped connection is an answer too
            self.strange.append(f"{kind}: {exc}")

    def note(self, kind: str, answer) -> None:
        self.answers.append((kind, answer.status_code, time.monotonic()))
        if answer.status_code == 503:
            problem = self.problem_with_503(kind, answer)
            if problem:
                self.strange.append(problem)
        elif answer.status_code != EXPECTED[kind]:
            self.strange.append(f"{kind}: {answer.status_code} {answer.text[:300]}")

    @staticmethod
    def problem_with_503(kind: str, answer) -> str | None:
        if not answer.headers.get("Retry-After"):
            return f"{kind}: 503 without Retry-After"
        if kind.startswith("api"):
            if answer.json().get("code") != "database_unavailable":
                return f"{kind}: not the API's 503: {answer.text[:300]}"
        elif "text/html" not in answer.headers["Content-Type"]:
            return f"{kind}: 503 as {answer.headers['Content-Type']}"
        elif "Temporarily unavailable" not in answer.text or "Traceback" in answer.text:
            return f"{kind}: not the 503 page: {answer.text[:300]}"
        return None

    def run_while(self, busy) -> None:
        while busy():
            self.once()


def in_background(action) -> threading.Thread:
    thread = threading.Thread(target=action)
    thread.start()
    return thread


@pytest.fixture
def cluster():
    made = PostgresCluster()
    try:
        yield made
    finally:
        made.remove()


def test_the_database_stopped_and_started_under_load_gives_503s_then_recovers_losing_nothing(
    cluster, tmp_path
):
    server = None
    try:
        cluster.start()
        cluster.create_database("alert")
        url = cluster.url("alert")
        manage(url, "migrate", "--noinput")
        manage(url, "load_dataset", "--drafts")
        token = manage(url, "shell", "-c", MAKE_ADMINISTRATOR).strip().splitlines()[-1]
        with psycopg.connect(url) as db:
            figures = [
                row[0]
                for row in db.execute(
                    "SELECT f.id FROM reporting_figure f"
                    " JOIN units_metric m ON m.id = f.metric_id"
                    " JOIN units_unit u ON u.id = m.unit_id WHERE u.code = 'ICE'"
                    " ORDER BY f.id LIMIT 4"
                )
            ]
            # The grid's figure: another of ICE's (no two writers on one figure).
            grid_figure, metric, period, unit, year = db.execute(
                "SELECT f.id, f.metric_id, p.period, m.unit_id, p.fiscal_year_id"
                " FROM reporting_figure f JOIN units_metric m ON m.id = f.metric_id"
                " JOIN units_unit u ON u.id = m.unit_id"
                " JOIN reporting_reportingperiod p ON p.id = f.period_id"
                " WHERE u.code = 'ICE' AND f.region_id IS NULL ORDER BY f.id DESC LIMIT 1"
            ).fetchone()
        grid = (f"/admin/reporting/figure/grid/{unit}/{year}/", f"v-{metric}-{period}", grid_figure)
        # Two workers, each keeping its connection (as in production) for the outage to break.
        server = Gunicorn(
            tmp_path / "server.log", database_url=url, workers=2, DJANGO_CONN_MAX_AGE="60"
        )
        server.wait_until_up()
        client = Client(server.base, token, figures, grid)

        until = time.monotonic() + 3
        client.run_while(lambda: time.monotonic() < until)
        assert client.strange == [] and client.answers

        stopping = in_background(cluster.stop)  # requests go on while it shuts down
        client.run_while(stopping.is_alive)
        stopped_at = time.monotonic()
        until = stopped_at + 4
        client.run_while(lambda: time.monotonic() < until)
        during = [a for a in client.answers if a[2] >= stopped_at]
        assert during and {a[1] for a in during} == {503}
        assert {a[0] for a in during} == set(EXPECTED)

        cluster.start()
        back_at = time.monotonic()
        until = back_at + 4
        client.run_while(lambda: time.monotonic() < until)
        server_log = server.logged()
    finally:
        if server is not None:
            server.stop()

    assert client.strange == [], client.strange  # 200 or a proper 503: never a 500
    after = [a for a in client.answers if a[2] >= back_at]
    assert {a[0] for a in after} == set(EXPECTED)
    # Nobody restarted gunicorn, and every request succeeds again.
    assert all(status == EXPECTED[kind] for kind, status, _ in after), server_log
    for written in ({grid[2]}, set(figures)):  # through the grid and the API, each way
        assert written & set(client.acknowledged.values()) and written & set(
            client.refused.values()
        )

    with psycopg.connect(url) as db:
        history = {
            (Decimal(value), figure)
            for figure, value in db.execute(
                "SELECT id, value FROM reporting_historicalfigure WHERE value >= 700000"
            )
        }
        current = dict(db.execute("SELECT id, value FROM reporting_figure"))
    missing = {v for v, figure in client.acknowledged.items() if (v, figure) not in history}
    assert missing == set(), "writes acknowledged but not on record"
    written = {v for v, figure in client.refused.items() if (v, figure) in history}
    assert written == set(), "writes refused but on record"
    for figure in figures:
        last = max((v for v, f in client.acknowledged.items() if f == figure), default=None)
        if last is not None:
            assert current[figure] == last
