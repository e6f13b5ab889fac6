"""Turn an uploaded file into a table (headings and rows), safely.

Every file is read in bounded time and memory, whatever it claims about
itself: the upload is capped before it is read; only the columns a layout can
hold are read, and only rows with something in them are kept; a sheet's
declared size is ignored (a 5 KB workbook can declare 16,384 columns by a
million rows); JSON is decoded one object at a time, its keys checked as they
are met, and deep nesting refused. CSV in UTF-8 (with or without a
byte-order mark) or Excel's Windows-1252; XLSX with defused XML, a check of
the archive's expanded size (decompression bombs), cached formula values, and
every sheet available to the report layout. Every refusal is an
``UnreadableFile`` whose message names the row and column and the fix.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from openpyxl.utils import get_column_letter

from reporting.importing.longform import COLUMNS, UncachedFormula, normalise_heading

FORMATS = ("csv", "xlsx", "json")
MAX_XLSX_EXPANDED_BYTES = 100 * 1024 * 1024
# The widest layout is the report workbook's regional sheet (a region column
# and one per regional metric of a unit); nothing we read needs more.
MAX_COLUMNS = 50
MAX_SHEETS = 100
MAX_CELL_CHARS = 2_000
SPREADSHEET_ROWS = 1_048_576  # Excel's and LibreOffice's last row
# Cells (filled or only formatted) read from a workbook: XML is parsed at
# about 10 µs a cell here, so this bounds a workbook's reading to seconds
# (about 100,000 rows of the long form; CSV takes ALERT_IMPORT_MAX_ROWS).
MAX_XLSX_CELLS = 700_000
MAX_SHARED_TEXTS = 50_000  # distinct texts shared; past that, new ones are not kept
_EMPTY: tuple = ()


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; the message says why and what to do."""


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    # (row, column) -> the formula of every formula cell; those without a cached
    # value hold an UncachedFormula in ``rows``
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def max_rows() -> int:
    """Rows with something in them, over the whole file (ALERT_IMPORT_MAX_ROWS)."""
    return settings.ALERT_IMPORT_MAX_ROWS


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


def _looks_like_utf16(content: bytes) -> bool:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    # Without a byte-order mark: plain text in UTF-16 has a NUL beside nearly
    # every character.
    head = content[:1000]
    return len(head) >= 4 and (
        head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
    )


def decode_text(content: bytes, file_name: str = "the file") -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    elif _looks_like_utf16(content):
        raise UnreadableFile(
            f"“{file_name}” is saved as UTF-16 (Excel calls it “Unicode Text”), which we do not "
            "read. Save it again as “CSV UTF-8 (Comma delimited)” and upload that."
        )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252.
        return content.decode("cp1252", errors="replace")


def read_sheets(content: bytes, file_name: str, fmt: str) -> list[Sheet]:
    check_size(content, file_name)
    if fmt == "csv":
        return [_read_csv(content, file_name)]
    if fmt == "json":
        return [_read_json(content, file_name)]
    return _read_xlsx(content, file_name)


class _Table:
    """Rows as they are read, within bounds: empty rows are kept as one shared
    empty tuple (so row numbers stay the spreadsheet's), trailing blank cells
    are dropped, and width, cell length and row count are checked as each row
    arrives, so a hostile file is refused before it costs anything."""

    def __init__(self, sheet_name: str, kept_so_far: int, column_name) -> None:
        self.sheet_name = sheet_name
        self.rows: list = []
        # One object for each repeated text (a unit's code, a year, a period):
        # the preview of a 10 MB CSV peaked at +227 MiB with it, +307 without.
        self.texts: dict[str, str] = {}
        self.kept = kept_so_far
        self.column_name = column_name  # position (1-based) -> "column G" / "column 7"

    def where(self, number: int, position: int) -> str:
        column = self.column_name(position)
        if self.rows and self.rows[0] and position <= len(self.rows[0]) and number > 1:
            heading = self.rows[0][position - 1]
            if heading is not None and str(heading).strip():
                column += f" (“{str(heading).strip()[:40]}”)"
        row = f"row {number:,}, {column}"
        return f"Sheet “{self.sheet_name}”, {row}" if self.sheet_name else row.capitalize()

    def add(self, number: int, cells) -> None:
        # A workbook skips empty rows; the table keeps the sheet's numbering.
        while len(self.rows) < number - 1:
            self.rows.append(_EMPTY)
        width = len(cells)
        while width and (cells[width - 1] is None or cells[width - 1] == ""):
            width -= 1
        if not width:
            self.rows.append(_EMPTY)
            return
        for position in range(width):
            cell = cells[position]
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise UnreadableFile(
                    f"{self.where(number, position + 1)}: the cell holds {len(cell):,} "
                    f"characters; a cell may hold at most {MAX_CELL_CHARS:,}. Shorten it (a long "
                    "explanation belongs in a document, not in the note), or check for a "
                    'quotation mark (") that is opened and never closed.'
                )
        if width > MAX_COLUMNS:
            raise UnreadableFile(
                f"{self.where(number, width)}: the row has something in its column {width:,}; "
                f"a file of figures uses at most {MAX_COLUMNS} columns. Delete the columns "
                "to the right of the table and save it again."
            )
        self.kept += 1
        if self.kept > max_rows():
            raise UnreadableFile(
                f"{self.where(number, 1)}: the file holds more than "
                f"{max_rows():,} rows of figures, the most one import takes. Split it into "
                "smaller files."
            )
        texts = self.texts
        if len(texts) < MAX_SHARED_TEXTS:
            cells = [texts.setdefault(c, c) if type(c) is str else c for c in cells[:width]]
        else:
            cells = [texts.get(c, c) if type(c) is str else c for c in cells[:width]]
        self.rows.append(cells)

    def finish(self) -> list:
        while self.rows and self.rows[-1] is _EMPTY:
            self.rows.pop()
        return self.rows


def _read_csv(content: bytes, file_name: str) -> Sheet:
    text = decode_text(content, file_name)
    if "\x00" in text:
        raise UnreadableFile("The file holds binary data, not CSV text. Save it as CSV or XLSX.")
    # The delimiter (Excel in some locales writes ";") is the one that divides
    # the heading row most. csv.Sniffer guessed from the whole sample, and
    # guessed wrong on notes holding ";" or a quotation mark (it then changed them).
    heading_line = text[:4096].split("\n", 1)[0]
    delimiter = max(",;\t", key=heading_line.count)
    table = _Table("", 0, lambda position: f"column {position}")
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            table.add(number, cells)
    except csv.Error as exc:
        # The csv module's own limit (131,072 characters) on a single cell.
        raise UnreadableFile(
            f"Row {number + 1:,}: a cell is longer than {MAX_CELL_CHARS:,} characters, usually "
            'because a quotation mark (") is opened and never closed. Check that row, or save '
            "the file again from Excel or LibreOffice."
        ) from exc
    return Sheet(name="", rows=table.finish())


JSON_EXAMPLE = (
    '[{"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2023-24", '
    '"period": "Q1", "region": "", "value": 680, "note": ""}]'
)


def _read_json(content: bytes, file_name: str) -> Sheet:
    """One object at a time: each is checked and made a row before the next is
    decoded, so neither a huge list nor 20,000 distinct keys costs more than
    the rows themselves."""
    text = decode_text(content, file_name)
    # Decimals, not floats: 99999999999999.99 stays itself.
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
    known = {normalise_heading(column): column for column in COLUMNS}
    seen: set[str] = set()  # the columns the file uses
    rows: list = []
    kept = 0
    position = _skip_space(text, 0)
    if text[position : position + 1] != "[":
        _decode_whole(decoder, text, file_name)  # a precise message if it is not JSON at all
        raise UnreadableFile(
            f"A JSON file must hold a list of objects, one per figure, such as {JSON_EXAMPLE}."
        )
    position = _skip_space(text, position + 1)
    number = 0
    while text[position : position + 1] != "]":
        number += 1
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(
                f"“{file_name}” is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg})."
            ) from exc
        except RecursionError as exc:
            raise _too_deep(number) from exc
        except ValueError as exc:  # an integer of thousands of digits
            raise UnreadableFile(f"Item {number:,}: {exc}.") from exc
        if not isinstance(item, dict):
            raise UnreadableFile(
                f"Item {number:,} of the list is not an object. A JSON file must hold a list of "
                f"objects, one per figure, such as {JSON_EXAMPLE}."
            )
        row: dict[str, object] = {}
        for key, value in item.items():
            column = known.get(normalise_heading(key))
            if column is None:
                import difflib

                close = difflib.get_close_matches(normalise_heading(key), COLUMNS, n=1, cutoff=0.6)
                hint = f" Did you mean “{close[0]}”?" if close else ""
                raise UnreadableFile(
                    f"Item {number:,} has the key “{str(key)[:40]}”, which is not one of ours: "
                    f"{', '.join(COLUMNS)}.{hint}"
                )
            if column in row:
                raise UnreadableFile(
                    f"Item {number:,} gives “{column}” twice (as “{key}”); keep one of them."
                )
            if isinstance(value, dict | list):
                raise UnreadableFile(
                    f"Item {number:,}, key “{key}”: the value is a "
                    f"{'list' if isinstance(value, list) else 'object'}; it must be text or a "
                    "number."
                )
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise UnreadableFile(
                    f"Item {number:,}, key “{key}”: the value holds {len(value):,} characters; "
                    f"a value may hold at most {MAX_CELL_CHARS:,}. Shorten it."
                )
            row[column] = value
            seen.add(column)
        if row:
            kept += 1
            if kept > max_rows():
                raise UnreadableFile(
                    f"Item {number:,}: the file holds more than {max_rows():,} figures, the most "
                    "one import takes. Split it into smaller files."
                )
        rows.append([row.get(column) for column in COLUMNS] if row else _EMPTY)
        position = _skip_space(text, position)
        if text[position : position + 1] == ",":
            position = _skip_space(text, position + 1)
            if text[position : position + 1] == "]":
                raise _not_json(file_name, text, position, "a comma before the closing ]")
        elif text[position : position + 1] != "]":
            raise _not_json(file_name, text, position, "expecting , or ] after an item")
    if _skip_space(text, position + 1) != len(text):
        raise _not_json(file_name, text, position + 1, "something after the closing ]")
    # The heading row names only the columns the file uses, so that a column
    # missing from every item is reported as a missing heading.
    used = [index for index, column in enumerate(COLUMNS) if column in seen]
    if len(used) < len(COLUMNS):
        for index, row in enumerate(rows):
            if row:
                rows[index] = [row[i] for i in used]
    return Sheet(name="", rows=[[COLUMNS[i] for i in used], *rows])


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _too_deep(number: int) -> UnreadableFile:
    return UnreadableFile(
        f"Item {number:,} is nested too deeply (lists or objects inside one another). "
        f"Each figure is one flat object, such as {JSON_EXAMPLE}."
    )


def _not_json(file_name: str, text: str, position: int, what: str) -> UnreadableFile:
    where = json.JSONDecodeError(what, text, position)
    return UnreadableFile(
        f"“{file_name}” is not valid JSON (line {where.lineno}, column {where.colno}: {what})."
    )


def _decode_whole(decoder: json.JSONDecoder, text: str, file_name: str) -> None:
    """Raise JSON's own message about where the text stops being JSON."""
    try:
        decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"“{file_name}” is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    except RecursionError as exc:
        raise _too_deep(1) from exc
    except ValueError as exc:
        raise UnreadableFile(f"“{file_name}”: {exc}.") from exc


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
        cells = _count_cells(archive)
    except Exception as exc:  # a damaged archive: bad CRC, truncated data, unknown method
        raise not_xlsx from exc
    if cells > MAX_XLSX_CELLS:
        raise UnreadableFile(
            f"“{file_name}” holds {cells:,} cells (filled or formatted); one import reads at "
            f"most {MAX_XLSX_CELLS:,} from a workbook (about {MAX_XLSX_CELLS // 7:,} rows of "
            "figures). Delete empty rows and columns below and beside the table, split the "
            "file, or save it as CSV (CSV UTF-8), which takes more rows."
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise not_xlsx from exc
    sheets: list[Sheet] = []
    kept = 0
    try:
        if len(book.worksheets) > MAX_SHEETS:
            raise UnreadableFile(
                f"“{file_name}” has {len(book.worksheets):,} sheets; a workbook of figures "
                f"has at most {MAX_SHEETS}. Delete the sheets that hold no figures."
            )
        for worksheet in book.worksheets:
            sheet = _read_worksheet(book, worksheet, kept)
            kept += sum(1 for row in sheet.rows if row)
            sheets.append(sheet)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise not_xlsx from exc
    finally:
        book.close()
    return sheets


def _count_cells(archive: zipfile.ZipFile) -> int:
    """The <c> elements of every sheet, counted in the raw XML (a fraction of
    a second for 100 MB), before any of it is parsed."""
    count = 0
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        tail = b""
        with archive.open(info) as sheet_xml:
            while chunk := sheet_xml.read(1 << 20):
                chunk = tail + chunk
                count += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b":c ")
                tail = chunk[-2:]  # too short to hold a match: none is counted twice
    return count


def _read_worksheet(book, worksheet, kept_so_far: int) -> Sheet:
    """One sheet, in one pass over its XML, keeping only cells with something
    in them and no more columns than a layout holds.

    openpyxl's own row iterator trusts the sheet's declared <dimension> (a
    5 KB workbook can make every row 16,384 cells wide), keeps every parsed
    row element and a dictionary per styled row (a LibreOffice sheet of a
    million empty, styled rows cost a gigabyte), and needs a second pass for
    formulas. Its cell parser is used as it is, rows one at a time.
    """
    from openpyxl.worksheet._reader import (
        CELL_TAG,
        DATA_TAG,
        FORMULA_TAG,
        ROW_TAG,
        WorkSheetParser,
    )
    from openpyxl.xml.functions import iterparse

    table = _Table(worksheet.title, kept_so_far, lambda p: f"column {get_column_letter(p)}")
    formulas: dict[tuple[int, int], str] = {}
    # One column beyond the widest layout, so that a table a column too wide
    # is refused rather than cut; cells further right are not read.
    wide = MAX_COLUMNS + 1
    with book._archive.open(worksheet._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,  # cached values; formulas are read beside them
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        sheet_data, number = None, 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == DATA_TAG:
                    sheet_data = element
                continue
            if element.tag != ROW_TAG:
                continue
            number = _row_number(element.get("r"), number, worksheet.title)
            parser.row_counter, parser.col_counter = number, 0
            cells: dict[int, object] = {}
            for cell in element:
                if cell.tag != CELL_TAG:
                    continue
                parsed = parser.parse_cell(cell)
                column, value = parsed["column"], parsed["value"]
                if column > wide:
                    continue
                if cell.find(FORMULA_TAG) is not None:
                    formula = parser.parse_formula(cell)
                    if isinstance(formula, str):  # not an array or data-table formula
                        formulas[(number, column)] = formula
                        if value is None:
                            value = UncachedFormula(formula)
                if value is not None:
                    cells[column] = value
            element.clear()
            if sheet_data is not None:
                sheet_data.remove(element)  # the parsed tree stays one row deep
            if not cells:
                continue
            if number > max_rows():
                raise UnreadableFile(
                    f"Sheet “{worksheet.title}” has something in row {number:,}, far below any "
                    f"table of figures: one import takes at most {max_rows():,} rows. Delete the "
                    "rows below your table (or move that cell up) and save it again."
                )
            row: list[object] = [None] * max(cells)
            for column, value in cells.items():
                row[column - 1] = value
            table.add(number, row)
    return Sheet(name=worksheet.title, rows=table.finish(), formulas=formulas)


def _row_number(given: str | None, previous: int, sheet_name: str) -> int:
    if given is None:
        return previous + 1
    number = int(float(given))
    if not previous < number <= SPREADSHEET_ROWS:
        raise UnreadableFile(
            f"Sheet “{sheet_name}” numbers its rows out of order (row {given} after row "
            f"{previous}); the workbook is damaged. Open it in Excel or LibreOffice and save it "
            "again."
        )
    return number
