"""The worst workbooks of issue 20 through the admin on a real gunicorn
worker: refused with a page naming the limit, the worker alive (not killed
at its timeout), its memory below its baseline + 300 MB.

Before: 50 empty ``<c/>`` cells a row ran 121 s and the worker was killed
(a 500); 1.2 million cell formats took 885 MB."""

from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.importing import hostile
from tests.reliability.conditions import postgresql_only
from tests.reliability.services import PASSWORD, Gunicorn, csrf_token, sign_in

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
IMPORT = "/admin/reporting/figure/import/"
MEMORY_MB = 300


def worker_pid(server: Gunicorn) -> int:
    (worker,) = server.workers()  # one worker
    return worker


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture
def server(catalogue, tmp_path, django_user_model):
    django_user_model.objects.create_superuser("bounded", "bounded@example.invalid", PASSWORD)
    db = connection.settings_dict  # this test's database, which the server must use too
    running = Gunicorn(
        tmp_path / "server.log",
        database_url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    try:
        running.wait_until_up()
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("name", ["empty-cells.xlsx", "many-styles.xlsx"])
def test_worst_workbooks_are_refused_by_a_worker_that_lives(server, name):
    session = requests.Session()
    assert sign_in(session, server.base, "bounded", PASSWORD).status_code == 302
    url = server.base + IMPORT
    token = csrf_token(session, url)  # the admin and the import page loaded: the baseline
    worker = worker_pid(server)
    baseline = memory_mb(worker, "VmRSS")

    response = session.post(
        url,
        data={"csrfmiddlewaretoken": token, "format": "1"},
        files={"import_file": (name, hostile.WORKBOOKS[name](), "application/octet-stream")},
        headers={"Referer": url},
        timeout=120,
    )

    assert response.status_code == 200
    assert "The file cannot be imported as it is" in response.text
    assert hostile.REFUSED_FOR[name] in response.text and "one import reads at most" in (
        response.text
    )
    assert worker_pid(server) == worker, "the worker was replaced"
    assert server.process.poll() is None
    assert memory_mb(worker, "VmHWM") < baseline + MEMORY_MB
    assert session.get(server.base + "/health/").status_code == 200
