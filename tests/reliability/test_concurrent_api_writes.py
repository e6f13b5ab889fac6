"""Concurrent bulk writes through the REST API match a serial order (PostgreSQL)."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reporting.importing.longform import COLUMNS
from reporting.models import Figure, ImportBatch
from tests.reliability.conditions import dataset_keys, postgresql_only, record_state, run_at_once

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def bulk_url() -> str:
    return reverse("api:figure-bulk")


def payload(rows: list[tuple]) -> str:
    return json.dumps(
        [dict(zip(COLUMNS, (*row[:5], str(row[5]), row[6], ""), strict=True)) for row in rows]
    )


def test_concurrent_api_bulk_writes_match_a_serial_order(catalogue, clerk):
    url = bulk_url()
    keys = dataset_keys()
    width = len(keys) // 2
    files = []
    for i in range(6):
        start = (i * len(keys) // 6) % len(keys)
        window = [keys[(start + j) % len(keys)] for j in range(width)]
        files.append([(*key, 500 * (i + 1) + j, f"api {i}") for j, key in enumerate(window)])

    def writer(rows):
        def job():
            client = Client()
            client.force_login(clerk)
            return client.post(url, payload(rows), content_type="application/json")

        return job

    responses = run_at_once([writer(rows) for rows in files])

    failures = [r for r in responses if isinstance(r, Exception) or r.status_code >= 300]
    assert not failures, [getattr(r, "content", r) for r in failures]
    batches = list(ImportBatch.objects.filter(source="api").order_by("pk"))
    assert len(batches) == len(files)
    # Replay the files in the order their batches were recorded.
    by_note = {f"api {i}": rows for i, rows in enumerate(files)}
    expected: dict = {}
    for batch in batches:
        note = Figure.history.filter(import_batch=batch).values_list("note", flat=True)[0]
        for *key, value, row_note in by_note[note]:
            expected[tuple(key)] = (Decimal(value), row_note)
    assert record_state() == expected
