"""Write a table (headings and rows) as CSV, XLSX or JSON bytes, escaped.

The one writer behind every long-form file we hand out: the admin's exports
(figures and catalogue), ``export_values`` and the summary page's downloads.
Numbers stay numbers (an XLSX cell of type n, a JSON number); text is escaped.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from reporting.exporting.escaping import escape_row

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def write_table(
    headings: Sequence[str], rows: Iterable[Sequence[object]], fmt: str, *, title: str = "figures"
) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    headings = [str(h) for h in headings]
    escaped = (escape_row(row) for row in rows)
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(escape_row(headings))
        writer.writerows(["" if v is None else v for v in row] for row in escaped)
        return out.getvalue().encode("utf-8")
    if fmt == "json":
        records = [
            {h: _json_value(v) for h, v in zip(headings, row, strict=False)} for row in escaped
        ]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    return _xlsx(headings, escaped, title)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        # Two decimal places at most, so a float holds it exactly enough to
        # read back as the same Decimal (parse_value uses the float's repr).
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _xlsx(headings: list[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(escape_row(headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([as_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_cell(value: object) -> object:
    """openpyxl reads any text beginning with = as a formula; escaped text
    never does, and numbers are written as numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return value
