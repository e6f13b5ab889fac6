"""Write a table (headings and rows) as CSV, XLSX or JSON bytes, escaped.

The one writer behind every long-form file we hand out: the admin's exports
(figures and catalogue), ``export_values`` and the summary page's downloads.
Numbers stay exact: an XLSX number cell (text beyond a spreadsheet's 15
digits), a JSON string of the decimal (never a float); text is escaped.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from tabular.escaping import escape_row, sheet_title

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
        # Exact, as a string (as the API writes figures): a JSON number is read
        # as a float by most programs.
        return str(value)
    return value


def _xlsx(headings: list[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = sheet_title(title)
    sheet.append(escape_row(headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([as_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A spreadsheet's number is a double: it holds any decimal of up to 15
# significant digits exactly (it reads back as the same decimal), no more.
SPREADSHEET_DIGITS = 15


def as_cell(value: object) -> object:
    """A value for an XLSX cell: a figure as a number when a spreadsheet holds it
    exactly (every figure we accept does, see validation.MAX_VALUE), otherwise
    as text, so that no cent is rounded away; escaped text never starts a
    formula."""
    if isinstance(value, Decimal):
        if len(value.normalize().as_tuple().digits) > SPREADSHEET_DIGITS:
            return f"{value:f}"
        return int(value) if value == value.to_integral_value() else value
    return value
