"""Turn an uploaded file into a table (headings and rows), safely.

Bounded in size before anything is parsed; CSV in UTF-8 (with or without a
byte-order mark) or Excel's Windows-1252; XLSX with defused XML, a check of
the archive's expanded size (decompression bombs), cached formula values, and
every sheet available to the report layout.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from reporting.importing.longform import UncachedFormula

FORMATS = ("csv", "xlsx", "json")
MAX_XLSX_EXPANDED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; the message says why and what to do."""


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    # (row, column) -> the formula of every formula cell; those without a cached
    # value hold an UncachedFormula in ``rows``
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def detect_format(file_name: str, given: str | None = None) -> str:
    fmt = (given or Path(file_name).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise UnreadableFile(
            f"“{file_name}” is not a file we can read: use CSV, XLSX or JSON "
            f"(the name ends in .csv, .xlsx or .json)."
        )
    return fmt


def check_size(content: bytes, file_name: str) -> None:
    limit = settings.ALERT_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise UnreadableFile(
            f"“{file_name}” is {len(content) / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB. Split it into smaller files."
        )
    if not content.strip():
        raise UnreadableFile(f"“{file_name}” is empty: there is nothing to import.")


def decode_text(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252.
        return content.decode("cp1252", errors="replace")


def read_sheets(content: bytes, file_name: str, fmt: str) -> list[Sheet]:
    check_size(content, file_name)
    if fmt == "csv":
        return [_read_csv(content)]
    if fmt == "json":
        return [_read_json(content, file_name)]
    return _read_xlsx(content, file_name)


def _read_csv(content: bytes) -> Sheet:
    text = decode_text(content)
    if "\x00" in text:
        raise UnreadableFile("The file holds binary data, not CSV text. Save it as CSV or XLSX.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    return Sheet(name="", rows=rows)


def _read_json(content: bytes, file_name: str) -> Sheet:
    try:
        data = json.loads(decode_text(content))
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"“{file_name}” is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableFile(
            "A JSON file must hold a list of objects, one per figure, such as "
            '[{"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2023-24", '
            '"period": "Q1", "region": "", "value": 680, "note": ""}].'
        )
    headings: list[str] = []
    for item in data:
        for key in item:
            if key not in headings:
                headings.append(key)
    return Sheet(name="", rows=[headings] + [[item.get(h) for h in headings] for item in data])


def _read_xlsx(content: bytes, file_name: str) -> list[Sheet]:
    import openpyxl

    not_xlsx = UnreadableFile(
        f"“{file_name}” is not a readable XLSX workbook (it may be damaged, or another kind of "
        "file renamed). Open it in Excel or LibreOffice and save it again as .xlsx."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise not_xlsx from exc
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise UnreadableFile(
            f"“{file_name}” expands to {expanded / 1_048_576:.0f} MB when opened, far more than "
            "a workbook of figures needs; it is refused. Delete empty rows and columns and save it "
            "again."
        )
    try:
        values_book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise not_xlsx from exc
    sheets = []
    try:
        for values_ws, formula_ws in zip(
            values_book.worksheets, formula_book.worksheets, strict=True
        ):
            if (values_ws.max_row or 0) > MAX_ROWS:
                raise UnreadableFile(
                    f"Sheet “{values_ws.title}” claims {values_ws.max_row:,} rows; the limit is "
                    f"{MAX_ROWS:,}. Delete the empty rows and save it again."
                )
            rows, formulas = [], {}
            for r, (values, formulas_row) in enumerate(
                zip(
                    values_ws.iter_rows(values_only=True),
                    formula_ws.iter_rows(values_only=True),
                    strict=False,
                ),
                start=1,
            ):
                row = list(values)
                for c, (value, formula) in enumerate(zip(row, formulas_row, strict=False), start=1):
                    if isinstance(formula, str) and formula.startswith("="):
                        formulas[(r, c)] = formula
                        if value is None:
                            row[c - 1] = UncachedFormula(formula)
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise UnreadableFile(f"Sheet “{values_ws.title}” has over {MAX_ROWS:,} rows.")
            while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
                rows.pop()
            sheets.append(Sheet(name=values_ws.title, rows=rows, formulas=formulas))
    except UnreadableFile:
        raise
    except Exception as exc:
        raise not_xlsx from exc
    finally:
        values_book.close()
        formula_book.close()
    return sheets
