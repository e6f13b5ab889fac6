"""An import killed mid-write (SIGKILL: no cleanup code runs) leaves nothing behind.

`manage.py import_values` of a large generated file runs in a subprocess
against a database of its own; the test waits until the import has begun
writing, kills it, and then looks for any trace of it.
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
