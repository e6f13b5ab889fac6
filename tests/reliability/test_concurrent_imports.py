"""Concurrent imports on PostgreSQL end in exactly the state of some serial order.

Each import runs in its own thread with its own database connection, all
released at once by a barrier. The pipeline holds the fiscal years a file
touches (SELECT ... FOR UPDATE, in one order) before it reads the record, so
imports of the same years run one after another; the order in which their
batches were recorded is the serial order the final state must match.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from reporting.models import Figure, FiscalYear, ImportBatch
from reporting.services import import_file, prepare_correction
from tests.reliability.conditions import (
    dataset_keys,
    long_form,
    postgresql_only,
    record_state,
    run_at_once,
)
from tests.years import publish

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("imports", [2, 8])
def test_overlapping_concurrent_imports_match_a_serial_order(catalogue, clerk, imports):
    keys = dataset_keys()
    width = len(keys) // 2
    files = []
    for i in range(imports):
        # Overlapping windows of the shipped figures, across all three years,
        # every other file in reverse order (so row order cannot matter).
        start = (i * len(keys) // imports) % len(keys)
        window = [keys[(start + j) % len(keys)] for j in range(width)]
        if i % 2:
            window.reverse()
        rows = [(*key, 1000 * (i + 1) + j, f"file {i}") for j, key in enumerate(window)]
        files.append(rows)

    outcomes = run_at_once(
        [
            lambda rows=rows, i=i: import_file(
                content=long_form(rows), file_name=f"part-{i}.csv", user=clerk, source="command"
            )
            for i, rows in enumerate(files)
        ]
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert all(o.written and not o.has_errors for o in outcomes)
    # The serial order is the order the batches were recorded in.
    order = [o.batch.pk for o in outcomes]
    expected: dict = {}
    for _, i in sorted((pk, i) for i, pk in enumerate(order)):
        for *key, value, note in files[i]:
            expected[tuple(key)] = (Decimal(value), note)
    assert record_state() == expected
    assert Figure.objects.count() == len(expected)  # no duplicate
    # Each import planned against the record as the one before it left it.
    seen: set = set()
    for _, i in sorted((pk, i) for i, pk in enumerate(order)):
        batch = ImportBatch.objects.get(pk=order[i])
        window = {tuple(row[:5]) for row in files[i]}
        assert batch.new == len(window - seen)
        assert batch.new + batch.updated + batch.unchanged == len(window)
        seen |= window


def test_locking_a_year_while_an_import_runs_either_waits_or_refuses_the_import(
    catalogue, clerk, administrator
):
    year = FiscalYear.objects.get(label="2023-24")
    # Quarters only: figures that contradict nothing, so that publishing (its
    # review read before the race) has no new error to acknowledge.
    rows = [
        (*key, 7, "")
        for key in dataset_keys()
        if key[2] == "2023-24" and key[3] != "FY" and not key[4]
    ]
    for _ in range(4):
        outcome, locked = run_at_once(
            [
                lambda: import_file(
                    content=long_form(rows), file_name="q.csv", user=clerk, source="command"
                ),
                lambda: publish(year, user=administrator),
            ]
        )
        assert locked.fiscal_year == year  # the release made
        year.refresh_from_db()
        assert year.is_locked
        written = Figure.objects.for_year("2023-24").count()
        if outcome.written:  # the import went first; the lock waited for it
            assert written == len(rows)
            assert outcome.batch.created_at < year.locked_at
        else:  # the lock went first; the import was refused with a reason
            assert written == 0
            assert "was published" in " ".join(outcome.problems)
        # Reset for the next round.
        prepare_correction(fiscal_year=year, user=administrator, reason="Next round")
        Figure.objects.all().delete()


def test_an_import_waiting_on_a_year_being_locked_is_refused_once_the_lock_commits(
    catalogue, clerk, administrator
):
    from django.db import transaction

    year = FiscalYear.objects.get(label="2023-24")
    rows = [(*key, 7, "") for key in dataset_keys() if key[2] == "2023-24"]
    result = {}

    def importer():
        try:
            result["outcome"] = import_file(
                content=long_form(rows), file_name="late.csv", user=clerk, source="command"
            )
        finally:
            connection.close()

    with transaction.atomic():
        publish(year, user=administrator)
        thread = threading.Thread(target=importer)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the import did not wait for the year being locked"
    thread.join(timeout=30)

    outcome = result["outcome"]
    assert not outcome.written
    assert any("was published" in problem for problem in outcome.problems)
    assert not Figure.objects.for_year("2023-24").exists()
