"""An import killed mid-write (SIGKILL: no cleanup code runs) leaves nothing behind.

`manage.py import_values` of a large generated file runs in a subprocess
against a database of its own; the test waits until the import has begun
writing, kills it, and then looks for any trace of it. Then the same through
the admin on gunicorn: the worker confirming a large preview is killed, and
the preview is still there for its owner to confirm again.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
YEARS = 60  # about 9,000 figures: seconds of writing, time enough to kill it in the act


def manage(*args, database_url: str, check=True, **popen):
    env = os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "alert.settings_test",
        "DJANGO_DEBUG": "1",
    }
    command = [sys.executable, "manage.py", *args]
    if popen:
        return subprocess.Popen(command, cwd=ROOT, env=env, **popen)
    return subprocess.run(command, cwd=ROOT, env=env, check=check, capture_output=True, timeout=120)


def kill_when(process, writing, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the import finished before it could be killed; make the file larger")
        if writing():
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            return
        time.sleep(0.002)
    pytest.fail("the import never began writing")


def test_killed_import_leaves_no_partial_data_on_sqlite(tmp_path):
    # Its own SQLite file, whatever the suite's database: it runs in every run.
    database = tmp_path / "records.sqlite3"
    url = f"sqlite:///{database}"
    manage("migrate", "--noinput", database_url=url)
    # Drafts: this test is about a killed import, not about published years.
    manage("load_dataset", "--drafts", database_url=url)
    big = tmp_path / "big.csv"
    manage("generate_sample_years", "--years", str(YEARS), "--output", str(big), database_url=url)
    journal = Path(f"{database}-journal")

    process = manage(
        "import_values",
        str(big),
        database_url=url,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # SQLite creates the rollback journal when a write transaction begins.
    kill_when(process, journal.exists)

    import sqlite3

    with sqlite3.connect(database) as db:  # opening it rolls the hot journal back
        counts = db.execute(
            "SELECT (SELECT count(*) FROM reporting_figure),"
            " (SELECT count(*) FROM reporting_importbatch WHERE file_name = 'big.csv'),"
            " (SELECT count(*) FROM reporting_historicalfigure"
            "   WHERE history_change_reason LIKE '%big.csv%')"
        ).fetchone()
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    shipped = sum(1 for _ in (ROOT / "reporting/data/annual-report-2023-24.csv").open()) - 1
    assert counts == (shipped, 0, 0)


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="the PostgreSQL variant"
)
@pytest.mark.django_db(transaction=True)
def test_killed_import_leaves_no_partial_data_on_postgresql(dataset, tmp_path):
    from reporting.models import Figure, ImportBatch

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    big = tmp_path / "big.csv"
    manage("generate_sample_years", "--years", str(YEARS), "--output", str(big), database_url=url)
    before = Figure.objects.count()
    history_before = Figure.history.count()

    process = manage(
        "import_values",
        str(big),
        database_url=url,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def writing() -> bool:
        # A transaction gets an xid with its first write.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return cursor.fetchone()[0] > 0

    kill_when(process, writing)
    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 10
    while writing() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert Figure.objects.count() == before
    assert Figure.history.count() == history_before
    assert not ImportBatch.objects.filter(file_name="big.csv").exists()


def worker_with_connection_from(workers: list[int], local_port: int) -> int:
    """Which of these processes holds the TCP connection from ``local_port``
    (the database backend's client_port): its sockets' inodes, in /proc."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == local_port:
            inodes.add(fields[9])
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no worker holds the connection from port {local_port}")


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="the PostgreSQL variant"
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_confirming_an_import_loses_nothing_and_the_owner_confirms_again(
    dataset, administrator, tmp_path
):
    import threading

    import requests

    from alert.uploads.models import HeldUpload
    from reporting.models import Figure, ImportBatch
    from tests.reliability.services import Gunicorn, confirm_fields, csrf_token, sign_in

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    big = tmp_path / "big.csv"
    manage("generate_sample_years", "--years", str(YEARS), "--output", str(big), database_url=url)
    server = Gunicorn(tmp_path / "server.log", database_url=url, workers=2, GUNICORN_TIMEOUT="600")
    try:
        server.wait_until_up()
        browser = requests.Session()
        assert sign_in(browser, server.base, "alice").status_code == 302
        page = server.base + "/admin/reporting/figure/import/"
        preview = browser.post(
            page,
            data={"csrfmiddlewaretoken": csrf_token(browser, page), "format": "0"},
            files={"import_file": ("big.csv", big.read_bytes(), "text/csv")},
            headers={"Referer": page},
            timeout=600,
        )
        assert preview.status_code == 200, preview.text[:2000]
        fields = confirm_fields(preview.text)
        held = fields["import_file_name"]
        before = (Figure.objects.count(), Figure.history.count())

        def confirm():
            return browser.post(
                server.base + "/admin/reporting/figure/process_import/",
                data=fields,
                headers={"Referer": page},
                allow_redirects=False,
                timeout=600,
            )

        answers = []

        def confirm_in_background():
            try:
                answers.append(confirm())
            except requests.RequestException as exc:  # the worker died under it
                answers.append(exc)

        confirming = threading.Thread(target=confirm_in_background)
        confirming.start()

        def writing_backend() -> int | None:
            with connection.cursor() as cursor:
                # Writing figures: INSERT, UPDATE and DELETE hold the table's
                # RowExclusiveLock until the transaction ends.
                cursor.execute(
                    "SELECT a.client_port FROM pg_stat_activity a"
                    " JOIN pg_locks l ON l.pid = a.pid JOIN pg_class c ON c.oid = l.relation"
                    " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()"
                    " AND c.relname = 'reporting_figure' AND l.mode = 'RowExclusiveLock'"
                )
                row = cursor.fetchone()
            return row[0] if row else None

        deadline = time.monotonic() + 300
        while (port := writing_backend()) is None:
            assert confirming.is_alive(), f"the confirm finished before it was killed: {answers}"
            assert time.monotonic() < deadline, "the confirm never began writing figures"
            time.sleep(0.002)
        victim = worker_with_connection_from(server.workers(), port)
        os.kill(victim, signal.SIGKILL)
        confirming.join(timeout=60)
        assert answers and isinstance(answers[0], requests.RequestException), answers

        # The server notices the dead client and rolls its transaction back.
        deadline = time.monotonic() + 10
        while writing_backend() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (Figure.objects.count(), Figure.history.count()) == before
        assert not ImportBatch.objects.filter(
            file_name="big.csv", status=ImportBatch.Status.CONFIRMED
        ).exists()
        assert HeldUpload.objects.filter(name=held).exists()  # still held for its owner

        again = confirm()  # the same owner, the same preview, another worker

        assert victim not in server.workers()
        assert again.status_code == 302, again.text[:2000]
        assert (
            ImportBatch.objects.filter(
                file_name="big.csv", status=ImportBatch.Status.CONFIRMED
            ).count()
            == 1
        )
        assert Figure.objects.count() > before[0]
        assert not HeldUpload.objects.filter(name=held).exists()
    finally:
        server.stop()
    assert "Traceback" not in server.logged().replace("WORKER TIMEOUT", "")
