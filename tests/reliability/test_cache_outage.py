"""The cache is never a single point of failure.

A real gunicorn server on this test's PostgreSQL database and a
redis-server of the test's own, which the test stops, starts again and
empties while people work: signing in, the summary, the entry grid, an
import and the API keep working from the database; sessions outlive the
outage and the emptying; sign-in lockouts (django-axes, in the database)
still hold; /health/ says what the cache is doing and stays 200; and the
worker logs the outage once, not once per request.
"""

import time

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from reporting.models import Figure
from tests.importing.helpers import long_csv
from tests.reliability.conditions import postgresql_only
from tests.reliability.services import (
    Gunicorn,
    RedisServer,
    confirm_fields,
    csrf_token,
    grid_fields,
    sign_in,
)

LOCKOUT_AFTER = 3  # failed sign-ins

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def serve(tmp_path, redis: RedisServer, **env: str) -> Gunicorn:
    return Gunicorn(
        tmp_path / "server.log",
        database_url=database_url(),
        REDIS_URL=redis.url,
        DJANGO_AXES_FAILURE_LIMIT=str(LOCKOUT_AFTER),
        DJANGO_LOG_LEVEL="WARNING",
        **env,
    )


def health(server: Gunicorn) -> tuple[int, dict]:
    answer = requests.get(server.base + "/health/", timeout=10)
    return answer.status_code, answer.json()


def figure(metric: str, period: str) -> Figure:
    return Figure.objects.get(
        metric__unit__code="ICE",
        metric__code=metric,
        period__fiscal_year__label="2023-24",
        period__period=period,
        region=None,
    )


def save_grid(browser: requests.Session, server: Gunicorn, field: str, value: str):
    """Change one cell of ICE's 2023-24 grid and save the whole grid."""
    url = f"{server.base}/admin/reporting/figure/grid/{{unit}}/{{year}}/"
    ice = Figure.objects.filter(metric__unit__code="ICE").values_list(
        "metric__unit_id", "period__fiscal_year_id"
    )[0]
    url = url.format(unit=ice[0], year=ice[1])
    page = browser.get(url)
    assert page.status_code == 200, page.text[:500]
    fields = grid_fields(page.text)
    fields[field] = value
    return browser.post(url, data=fields, headers={"Referer": url}, allow_redirects=False)


def import_one_figure(browser: requests.Session, server: Gunicorn, value: str, note: str):
    page = server.base + "/admin/reporting/figure/import/"
    token = csrf_token(browser, page)
    content = long_csv(["ICE", "file-intakes", "2023-24", "Q2", "", value, note])
    preview = browser.post(
        page,
        data={"csrfmiddlewaretoken": token, "format": "0"},
        files={"import_file": ("q2.csv", content, "text/csv")},
        headers={"Referer": page},
    )
    assert preview.status_code == 200, preview.text[:500]
    return browser.post(
        server.base + "/admin/reporting/figure/process_import/",
        data=confirm_fields(preview.text),
        headers={"Referer": page},
        allow_redirects=False,
    )


def test_everything_keeps_working_while_the_cache_goes_away_and_comes_back(
    dataset, administrator, leader, redis, tmp_path
):
    redis.start()
    server = serve(tmp_path, redis)
    try:
        server.wait_until_up()
        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
        token = Token.objects.create(user=administrator)
        api = {"headers": {"Authorization": f"Token {token.key}"}, "timeout": 30}
        reader = requests.Session()
        assert sign_in(reader, server.base, "carol").status_code == 302
        assert reader.get(server.base + "/reports/2023-24/").status_code == 200

        redis.stop()

        # Still serving, from the database; the load balancer keeps it in rotation.
        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "unreachable"})
        assert reader.get(server.base + "/reports/2023-24/").status_code == 200  # same session
        clerk = requests.Session()
        assert sign_in(clerk, server.base, "alice").status_code == 302  # a new one
        q1 = figure("file-intakes", "Q1")
        assert requests.get(f"{server.base}/api/v1/figures/{q1.pk}/", **api).status_code == 200
        changed = requests.patch(
            f"{server.base}/api/v1/figures/{q1.pk}/", json={"value": "4242"}, **api
        )
        assert changed.status_code == 200, changed.text
        q3 = figure("file-intakes", "Q3")
        saved = save_grid(clerk, server, f"v-{q3.metric_id}-Q3", "1,234")
        assert saved.status_code == 302, saved.text[:2000]
        imported = import_one_figure(clerk, server, "5151", "during the outage")
        assert imported.status_code == 302, imported.text[:2000]
        assert figure("file-intakes", "Q1").value == 4242
        assert figure("file-intakes", "Q3").value == 1234
        assert figure("file-intakes", "Q2").note == "during the outage"
        # Sign-in throttling is counted in the database: it holds without the cache.
        for _ in range(LOCKOUT_AFTER):
            sign_in(requests.Session(), server.base, "carol", "wrong password")
        assert sign_in(requests.Session(), server.base, "carol").status_code == 429

        redis.start()  # a new, empty Redis: as after a restart or a flush

        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
        assert reader.get(server.base + "/reports/2023-24/").status_code == 200
        assert clerk.get(server.base + "/admin/").status_code == 200
        assert requests.get(f"{server.base}/api/v1/figures/{q1.pk}/", **api).json()["value"] == (
            "4242.00"
        )
    finally:
        server.stop()
    log = server.logged()
    assert log.count("Cache unreachable") == 1, log  # one worker, one line a minute
    assert "Traceback" not in log, log


def test_a_server_started_without_its_cache_serves_and_uses_it_once_it_answers(
    dataset, administrator, redis, tmp_path
):
    server = serve(tmp_path, redis)  # Redis is not running yet
    try:
        server.wait_until_up()
        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "unreachable"})
        browser = requests.Session()
        assert sign_in(browser, server.base, "alice").status_code == 302
        assert browser.get(server.base + "/reports/2023-24/").status_code == 200

        redis.start()

        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
        assert browser.get(server.base + "/reports/2023-24/").status_code == 200
        assert browser.get(server.base + "/admin/").status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.logged()


def test_a_cache_that_stops_answering_costs_each_call_its_timeout_not_the_request(
    dataset, leader, redis, tmp_path
):
    redis.start()
    server = serve(tmp_path, redis, ALERT_CACHE_TIMEOUT_MS="300")
    try:
        server.wait_until_up()
        reader = requests.Session()
        assert sign_in(reader, server.base, "carol").status_code == 302
        assert reader.get(server.base + "/reports/2023-24/").status_code == 200

        redis.pause()  # still accepts connections; never answers

        began = time.monotonic()
        page = reader.get(server.base + "/reports/2023-24/", timeout=60)
        took = time.monotonic() - began
        assert page.status_code == 200
        assert took < 20  # a few cache calls of 0.3 s each, not gunicorn's 120 s timeout
        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "unreachable"})

        redis.resume()

        assert health(server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
        assert reader.get(server.base + "/reports/2023-24/").status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.logged()
