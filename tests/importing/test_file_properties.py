"""Property tests (issue 10): whatever a file holds, the readers and the
pipeline either refuse it with a message or import it exactly; never an
unexpected exception, never a partial write.

Bounded (a few dozen examples each, small files) so that the whole module runs
in seconds; the hostile files at full size are in test_hostile_files.py.
"""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from reporting.importing.longform import COLUMNS
from reporting.models import Figure, FiscalYear, ImportBatch
from reporting.services import import_file
from tabular.readers import FORMATS, Sheet, UnreadableFile, read_sheets
from tests.importing.helpers import long_csv, long_xlsx, record
from units.models import Metric

BOUNDED = settings(
    max_examples=40,
    # Generous for a shared 2-core machine, yet a runaway read fails loudly.
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GOOD = ["ICE", "file-intakes", "2023-24", "Q1", "", "680", "a note", "a public note"]
VALID = {
    "csv": long_csv(
        GOOD, ["CFSEU", "est-value-of-drugs-seized", "2023-24", "FY", "", "$1,234.50", "", ""]
    ),
    "json": json.dumps([dict(zip(COLUMNS, GOOD, strict=True))]).encode(),
    "xlsx": long_xlsx(GOOD),
}


@st.composite
def mutated(draw, fmt: str) -> bytes:
    """A valid file with a few bytes replaced, inserted or removed."""
    content = bytearray(VALID[fmt])
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(content) - 1))
        change = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        byte = draw(st.integers(0, 255))
        if change == "replace":
            content[position] = byte
        elif change == "insert":
            content.insert(position, byte)
        elif change == "delete":
            del content[position]
        else:
            del content[position:]
            break
    return bytes(content)


any_file = st.one_of(
    st.tuples(st.sampled_from(FORMATS), st.binary(max_size=3000)),
    *(st.tuples(st.just(fmt), mutated(fmt)) for fmt in FORMATS),
)


def read_or_refuse(content: bytes, fmt: str) -> list[Sheet] | None:
    try:
        sheets = read_sheets(content, f"file.{fmt}", fmt)
    except UnreadableFile as exc:
        assert str(exc).strip()
        return None
    assert all(isinstance(sheet, Sheet) for sheet in sheets)
    return sheets


@settings(BOUNDED, max_examples=150)
@given(any_file)
def test_any_bytes_are_read_or_refused_with_a_message(file):
    fmt, content = file
    read_or_refuse(content, fmt)


@BOUNDED
@given(any_file)
def test_any_bytes_through_the_pipeline_are_refused_whole_or_imported_whole(catalogue, file):
    fmt, content = file
    with transaction.atomic():
        before, figures = record(), Figure.objects.count()
        outcome = import_file(
            content=content, file_name=f"file.{fmt}", source=ImportBatch.Source.COMMAND
        )
        if outcome.has_errors:
            assert not outcome.written and record() == before
            assert outcome.problems and all(p.strip() for p in outcome.problems)
            assert outcome.batch.status == ImportBatch.Status.REJECTED
        else:
            assert outcome.written
            assert Figure.objects.count() == figures + outcome.counts["new"]
        transaction.set_rollback(True)


def written_as(fmt: str, rows: list[list[object]]) -> bytes:
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return out.getvalue().encode()
    if fmt == "json":
        return json.dumps(
            [dict(zip(COLUMNS, row, strict=True)) for row in rows],
            default=str,  # a Decimal as its digits
        ).encode()
    book = Workbook()
    book.active.append(list(COLUMNS))
    for row in rows:
        book.active.append([float(cell) if isinstance(cell, Decimal) else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


notes = st.text(alphabet="abcdefghij XYZ 0123456789.,;'\"-", max_size=30).map(str.strip)


@BOUNDED
@given(data=st.data(), fmt=st.sampled_from(FORMATS))
def test_valid_figures_in_any_format_are_imported_exactly(catalogue, data, fmt):
    metrics = list(Metric.objects.select_related("unit").order_by("pk"))
    years = list(
        FiscalYear.objects.exclude(status=FiscalYear.Status.LOCKED).values_list("label", flat=True)
    )
    keys = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(metrics),
                st.sampled_from(years),
                st.sampled_from(["Q1", "Q2", "Q3", "Q4", "FY"]),
            ),
            min_size=1,
            max_size=12,
            unique_by=lambda key: (key[0].pk, key[1], key[2]),
        )
    )
    rows, expected = [], {}
    for metric, year, period in keys:
        if metric.value_type == Metric.ValueType.CURRENCY:
            value = data.draw(st.decimals(0, 10**9, places=2))
        else:
            value = Decimal(data.draw(st.integers(0, 10**9)))
        note = data.draw(notes)
        rows.append([metric.unit.code, metric.code, year, period, "", value, note, ""])
        expected[(metric.pk, year, period)] = (value, note)
    with transaction.atomic():
        outcome = import_file(content=written_as(fmt, rows), file_name=f"figures.{fmt}")
        assert outcome.problems == [] and outcome.written
        stored = {
            (metric_id, year, period): (value, note)
            for metric_id, year, period, value, note in Figure.objects.values_list(
                "metric_id", "period__fiscal_year__label", "period__period", "value", "note"
            )
        }
        assert stored == expected
        transaction.set_rollback(True)
