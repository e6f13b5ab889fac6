"""`make run`'s server (DJANGO_DEBUG=1) answers a wrong address with the
site's own 404, never Django's debug page listing every URL pattern; the debug
pages need DJANGO_DEBUG_PAGES=1 as well (issue 23)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def development_server(tmp_path):
    """runserver as `make run` starts it, on an empty SQLite file of its own."""

    def start(**extra: str) -> str:
        port = _free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "ALERT_CACHE"))
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "alert.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            **extra,
        }
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/health/", timeout=1)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        return url

    servers: list[subprocess.Popen] = []
    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_runs_server_answers_a_wrong_address_with_the_sites_own_404(development_server):
    site = development_server()
    for path in ["/api/", "/no-such-page/"]:
        status, page = _get(site + path)
        assert status == 404
        assert "There is no page at this address" in page
        assert "URLconf" not in page and "reporting:summary" not in page
        assert "Using the URLconf" not in page
    # Static files are still served in development (WhiteNoise, from the source folders).
    status, css = _get(site + "/static/css/site.css")
    assert status == 200 and ":root" in css


def test_the_debug_pages_need_an_explicit_setting(development_server):
    site = development_server(DJANGO_DEBUG_PAGES="1")
    status, page = _get(site + "/api/")
    assert status == 404
    assert "Using the URLconf" in page
