"""Small builders for import tests: real files, and a snapshot of the record."""

import csv
import io

from openpyxl import Workbook

from reporting.importing.longform import COLUMNS, STATED_COLUMNS
from reporting.models import Figure, FiscalYear, ImportBatch
from units.models import Metric, Region, Unit


def long_csv(*rows, headings=COLUMNS, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def long_xlsx(*rows, headings=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figures() -> list[tuple]:
    """Every figure on record: its keys and what it states."""
    return sorted(
        Figure.objects.values_list("metric_id", "period_id", "region_id", *STATED_COLUMNS),
        key=repr,
    )


def record() -> tuple:
    """Everything an import could change, to compare before and after."""
    return (
        figures(),
        Figure.history.count(),
        sorted(Unit.objects.values_list("code", "name")),
        sorted(Metric.objects.values_list("code", "label")),
        sorted(Region.objects.values_list("name", flat=True)),
        sorted(FiscalYear.objects.values_list("label", "status")),
    )


def batches() -> list[str]:
    return list(ImportBatch.objects.order_by("pk").values_list("status", flat=True))
