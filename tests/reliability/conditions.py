"""Markers and helpers shared by the reliability tests."""

import csv
import io
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reporting.importing.longform import COLUMNS, KEY_COLUMNS

DATASET = Path(__file__).resolve().parents[2] / "reporting" / "data" / "annual-report-2023-24.csv"

postgresql_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL's row locks and concurrent connections "
    "(run with DATABASE_URL=postgres://...; CI does)",
)


def dataset_keys() -> list[tuple[str, str, str, str, str]]:
    """(unit, metric, fiscal_year, period, region) of every figure shipped."""
    with DATASET.open(encoding="utf-8") as handle:
        return [tuple(r[column] for column in KEY_COLUMNS) for r in csv.DictReader(handle)]


def long_form(rows: list[tuple]) -> bytes:
    """A long-form CSV file of (unit, metric, fiscal_year, period, region, value, note) rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def run_at_once(jobs):
    """Run each job in its own thread, released together; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an import never finished"
    return results


def record_state() -> dict:
    """Every figure on record: key -> (value, note)."""
    from reporting.models import Figure

    return {
        (
            v.metric.unit.code,
            v.metric.code,
            v.period.fiscal_year.label,
            v.period.period,
            v.region.name if v.region else "",
        ): (v.value, v.note)
        for v in Figure.objects.select_related("metric__unit", "period__fiscal_year", "region")
    }
