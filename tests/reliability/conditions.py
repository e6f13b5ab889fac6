"""Markers and helpers shared by the reliability tests."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings

DATASET = Path(__file__).resolve().parents[2] / "reporting" / "data" / "annual-report-2023-24.csv"
HEADER = ["unit", "metric", "fiscal_year", "period", "region", "value", "note"]

postgresql_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL's row locks and concurrent connections "
    "(run with DATABASE_URL=postgres://...; CI does)",
)


def dataset_keys() -> list[tuple[str, str, str, str, str]]:
    """(unit, metric, fiscal_year, period, region) of every figure shipped."""
    with DATASET.open(encoding="utf-8") as handle:
        return [
            (r["unit"], r["metric"], r["fiscal_year"], r["period"], r["region"])
            for r in csv.DictReader(handle)
        ]


def long_form(rows: list[tuple]) -> bytes:
    """A long-form CSV file of (unit, metric, fiscal_year, period, region, value, note) rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
