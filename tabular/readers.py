"""Turn an uploaded file into a table (headings and rows), safely.

Every file is read in bounded time and memory, whatever it claims about
itself: the upload is capped before it is read; only the columns a layout can
hold are read, and only rows with something in them are kept. CSV in UTF-8
(with or without a byte-order mark) or Excel's Windows-1252; JSON through the
one JSON reader (``jsontext.load_json``: depth, keys and duplicate keys
checked), each object made a row as it is decoded, its keys the columns the
caller names (the figures' importer) or each new key a column (the
catalogue's); XLSX counted part by part against its budget, then read with
openpyxl's public API (``xlsx``). Every refusal is an ``UnreadableFile`` whose
message names the row and column, or the limit, and the fix.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

FORMATS = ("csv", "xlsx", "json")
# The widest layout is the report workbook's regional sheet (a region column
# and one per regional metric of a unit); nothing we read needs more.
MAX_COLUMNS = 50
MAX_CELL_CHARS = 2_000
SPREADSHEET_ROWS = 1_048_576  # Excel's and LibreOffice's last row
MAX_SHARED_TEXTS = 50_000  # distinct texts shared; past that, new ones are not kept
_EMPTY: tuple = ()


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; the message says why and what to do."""


class UncachedFormula(str):
    """A spreadsheet cell holding a formula whose result was never saved."""


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    # (row, column) -> the formula of every formula cell; those without a cached
    # value hold an UncachedFormula in ``rows``
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def normalise_heading(heading: object) -> str:
    return str(heading or "").strip().lower().replace(" ", "_").replace("-", "_")


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


def read_sheets(
    content: bytes, file_name: str, fmt: str, *, columns: Sequence[str] | None = None
) -> list[Sheet]:
    """The file's sheets. ``columns`` are the keys a JSON object may hold (any
    other is refused by name); without them each key is a column as it is
    first met, up to MAX_COLUMNS."""
    check_size(content, file_name)
    if fmt == "csv":
        return [_read_csv(content, file_name)]
    if fmt == "json":
        return [_read_json(content, file_name, columns)]
    from tabular.xlsx import read_xlsx  # openpyxl only when needed

    return read_xlsx(content, file_name)


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


class _Refusal:
    """What an object becomes when it cannot be a row: the reason, without
    the item's number, which only the list knows."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _json_row(columns: list[str], known: dict[str, int], fixed: bool, seen: set[str]):
    """``load_json``'s ``make_object`` for a file: each object becomes a row
    of ``columns`` as soon as it is decoded (a list of dicts cost twice as
    much), its keys checked as they are met. Unless ``fixed``, a new key
    becomes the next column."""

    def make_row(pairs: list[tuple[str, object]]) -> list | _Refusal:
        row = _JSONRow([None] * len(columns))
        given: dict[int, str] = {}
        for key, value in pairs:
            name = normalise_heading(key)
            index = known.get(name)
            if index is None and fixed:
                import difflib

                close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
                hint = f" Did you mean “{close[0]}”?" if close else ""
                return _Refusal(
                    f"has the key “{str(key)[:40]}”, which is not one of ours: "
                    f"{', '.join(columns)}.{hint}"
                )
            if index is None:
                if len(columns) == MAX_COLUMNS or len(name) > MAX_CELL_CHARS:
                    return _Refusal(
                        f"has the key “{str(key)[:40]}”: the objects hold more than "
                        f"{MAX_COLUMNS} different keys, or a key of more than "
                        f"{MAX_CELL_CHARS:,} characters. Keep the keys of the table's columns."
                    )
                index = known[name] = len(columns)
                columns.append(name)
                row.append(None)
            if index in given:
                return _Refusal(
                    f"gives “{columns[index]}” twice (as “{given[index]}” and “{key}”); keep one "
                    "of them."
                )
            if isinstance(value, list | _Refusal):  # a nested list, or a nested object
                kind = "list" if type(value) is list else "object"
                return _Refusal(
                    f", key “{key}”: the value is a {kind}; it must be text or a number."
                )
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                return _Refusal(
                    f", key “{key}”: the value holds {len(value):,} characters; a value may hold "
                    f"at most {MAX_CELL_CHARS:,}. Shorten it."
                )
            given[index] = key
            row[index] = value
            seen.add(columns[index])
        return row if given else _EMPTY_OBJECT

    return make_row


class _JSONRow(list):
    """An object of the file, made a row."""


_EMPTY_OBJECT = _JSONRow()


def _read_json(content: bytes, file_name: str, columns: Sequence[str] | None) -> Sheet:
    """The one JSON reader (``load_json``), each object made a row as it is
    decoded: neither a huge list nor 20,000 distinct keys costs more than the
    rows themselves."""
    from tabular.jsontext import RefusedJSON, load_json

    text = decode_text(content, file_name)
    fixed = columns is not None
    columns = list(columns or ())
    known = {normalise_heading(column): index for index, column in enumerate(columns)}
    seen: set[str] = set()  # the columns the file uses
    try:
        # Integers as Decimal too: a figure is exact whatever its size.
        make_row = _json_row(columns, known, fixed, seen)
        items = load_json(text, make_object=make_row, exact_integers=True)
    except RefusedJSON as exc:
        raise UnreadableFile(f"“{file_name}”: {exc}") from exc
    if not isinstance(items, list):
        raise UnreadableFile(
            f"A JSON file must hold a list of objects, one per figure, such as {JSON_EXAMPLE}."
        )
    rows: list = []
    kept = 0
    for number, item in enumerate(items, start=1):
        if isinstance(item, _Refusal):
            separator = "" if item.reason.startswith(",") else " "
            raise UnreadableFile(f"Item {number:,}{separator}{item.reason}")
        if not isinstance(item, _JSONRow):
            raise UnreadableFile(
                f"Item {number:,} of the list is not an object. A JSON file must hold a list of "
                f"objects, one per figure, such as {JSON_EXAMPLE}."
            )
        if item:
            kept += 1
            if kept > max_rows():
                raise UnreadableFile(
                    f"Item {number:,}: the file holds more than {max_rows():,} figures, the most "
                    "one import takes. Split it into smaller files."
                )
        rows.append(item or _EMPTY)
    del items
    # The heading row names only the columns the file uses, so that a column
    # missing from every item is reported as a missing heading.
    used = [index for index, column in enumerate(columns) if column in seen]
    if len(used) < len(columns):
        for index, row in enumerate(rows):
            if row:
                rows[index] = [row[i] for i in used]
    return Sheet(name="", rows=[[columns[i] for i in used], *rows])
