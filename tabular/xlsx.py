"""XLSX workbooks: the archive checked against a budget, then read with
openpyxl's public read-only API.

A workbook is a zip of XML parts, and what openpyxl costs depends on what
those parts hold, not on the file's size: a 107 KB styles part of 1.2
million cell formats took 885 MB, 50 empty ``<c/>`` cells a row took two
minutes. So before openpyxl opens anything, every XML part is parsed once
with expat (the standard library's streaming parser, no DTD or entity
accepted) and its elements counted by local name, whatever their namespace
prefix, attribute spacing or self-closing form: cells (``c``), rows, shared
strings (``si``) and style records, each against a cap, with every part's
expanded size capped too. The sheets are the ones the workbook names,
wherever its relationships store them. The same pass notes each cell's
formula, which openpyxl's public API does not give beside the cached value.

openpyxl then reads what was measured: ``read_only=True, data_only=True``,
the sheet's declared dimension discarded, ``iter_rows`` bounded to the rows
that hold something and to the columns a layout can use.
"""

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from tabular.readers import (
    MAX_COLUMNS,
    SPREADSHEET_ROWS,
    Sheet,
    UncachedFormula,
    UnreadableFile,
    _Table,
    max_rows,
)

# Budgets. Measured here: openpyxl reads a cell in 10-15 µs (400,000 cells,
# about 57,000 rows of figures, in some 5 s; CSV takes ALERT_IMPORT_MAX_ROWS),
# this check counts an element in about 1.5 µs, and a style record costs
# openpyxl about 750 bytes. Each cap keeps one workbook within 10 s and well
# under 300 MB, and far above what a workbook of figures holds.
MAX_EXPANDED_BYTES = 100 * 1024 * 1024  # every part, expanded
MAX_SHEET_PART_BYTES = 100 * 1024 * 1024
MAX_SHARED_STRINGS_PART_BYTES = 30 * 1024 * 1024
MAX_OTHER_PART_BYTES = 10 * 1024 * 1024  # styles, workbook, relationships, theme...
MAX_ELEMENTS = 2_000_000  # XML elements of every part together
MAX_SHEETS = 100
MAX_PARTS = 10_000  # files in the archive; a workbook of figures has a dozen or two
# Counted by local name over every part; each name's cap and its words.
LIMITS = {
    "c": (400_000, "cells (filled or only formatted)"),
    "row": (100_000, "rows (filled or only formatted)"),
    "si": (400_000, "shared texts"),
    # Excel itself stops at 64,000 cell formats; a workbook of figures uses dozens.
    "xf": (20_000, "cell formats (cellXfs, cellStyleXfs)"),
    "font": (20_000, "font records"),
    "fill": (20_000, "fill records"),
    "border": (20_000, "border records"),
    "numFmt": (20_000, "number formats"),
    "dxf": (20_000, "conditional formats"),
    "cellStyle": (20_000, "named cell styles"),
}
ADVICE = (
    "Delete empty rows, columns and unused formats (or copy the table into a new workbook), "
    "split the file, or save it as CSV (CSV UTF-8)."
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
WORKSHEET_TYPE = "/worksheet"  # the end of a relationship's Type
OFFICE_DOCUMENT_TYPE = "/officeDocument"
WORKBOOK_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)


@dataclass
class SheetShape:
    """What the check learnt of one sheet's part."""

    name: str
    part: str
    last_row: int = 0  # the last row holding a cell with something in it
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class WorkbookShape:
    counts: dict[str, int] = field(default_factory=dict)  # by local name; "" for all
    parsed: set[str] = field(default_factory=set)  # parts already counted
    sheets: dict[str, SheetShape] = field(default_factory=dict)  # by name


class _Refused(Exception):
    pass


def check_workbook(content: bytes, file_name: str) -> WorkbookShape:
    """Count what the workbook holds, part by part, and refuse it at the first
    cap it passes, naming the cap and what the file held. Nothing of openpyxl
    runs here."""
    damaged = UnreadableFile(
        f"“{file_name}” is not a readable XLSX workbook (it may be damaged, or another kind of "
        "file renamed). Open it in Excel or LibreOffice and save it again as .xlsx."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError) as exc:
        raise damaged from exc
    if len(infos) > MAX_PARTS:
        raise UnreadableFile(
            f"“{file_name}” holds {len(infos):,} files in its archive; a workbook may hold at "
            f"most {MAX_PARTS:,}. {ADVICE}"
        )
    expanded = sum(info.file_size for info in infos.values())
    if expanded > MAX_EXPANDED_BYTES:
        raise UnreadableFile(
            f"“{file_name}” expands to {expanded / 1_048_576:,.0f} MB when opened; a workbook "
            f"may expand to at most {MAX_EXPANDED_BYTES / 1_048_576:.0f} MB. {ADVICE}"
        )
    shape = WorkbookShape()
    try:
        sheets, xml_parts = _named_sheets(archive, infos, shape)
        for name, info in infos.items():
            if name in sheets or name in shape.parsed:
                continue
            # Every other XML part openpyxl might open, by name or as the
            # manifest declares it (shared strings may be stored under any
            # name): relationships, shared strings, styles, theme, charts.
            if name in xml_parts or name.endswith((".xml", ".rels", ".vml")):
                _check_part(archive, info, shape, file_name)
        for part, sheet in sheets.items():
            _check_part(archive, infos[part], shape, file_name, sheet=sheet)
    except UnreadableFile:
        raise
    except (_Refused, expat.ExpatError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        # EOFError and zlib errors are OSError or ValueError subclasses here.
        raise damaged from exc
    except Exception as exc:  # a damaged archive: unknown compression, truncated data
        raise damaged from exc
    shape.sheets = {sheet.name: sheet for sheet in sheets.values()}
    return shape


def _named_sheets(archive, infos, shape: WorkbookShape) -> tuple[dict[str, SheetShape], set]:
    """The worksheet parts the workbook names, found as openpyxl finds them
    (the workbook part from the manifest, its sheets through its
    relationships), and every part the manifest declares as XML."""
    workbook_part = None
    xml_parts: set[str] = set()
    xml_extensions: set[str] = set()
    manifest = _elements(archive, infos, "[Content_Types].xml", shape, {"Override", "Default"})
    for element, attributes in manifest:
        content_type = attributes.get("ContentType", "")
        if element == "Default" and "xml" in content_type:
            xml_extensions.add(attributes.get("Extension", "").lower())
        elif element == "Override":
            part = attributes.get("PartName", "").lstrip("/")
            if "xml" in content_type:
                xml_parts.add(part)
            if content_type in WORKBOOK_CONTENT_TYPES:
                workbook_part = part
    xml_parts.update(
        name for name in infos if posixpath.splitext(name)[1].lstrip(".").lower() in xml_extensions
    )
    if not workbook_part:
        for element, attributes in _elements(
            archive, infos, "_rels/.rels", shape, {"Relationship"}
        ):
            if element == "Relationship" and attributes.get("Type", "").endswith(
                OFFICE_DOCUMENT_TYPE
            ):
                workbook_part = attributes.get("Target", "").lstrip("/")
    if not workbook_part or workbook_part not in infos:
        raise _Refused("no workbook part")
    folder, base = posixpath.split(workbook_part)
    targets = {}
    rels = posixpath.join(folder, "_rels", base + ".rels")
    for element, attributes in _elements(archive, infos, rels, shape, {"Relationship"}):
        if element == "Relationship" and attributes.get("Type", "").endswith(WORKSHEET_TYPE):
            target = attributes.get("Target", "")
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            targets[attributes.get("Id")] = target
    sheets: dict[str, SheetShape] = {}
    names = 0
    for element, attributes in _elements(archive, infos, workbook_part, shape, {"sheet"}):
        if element != "sheet":
            continue
        names += 1
        if names > MAX_SHEETS:
            raise UnreadableFile(
                f"The workbook has more than {MAX_SHEETS} sheets; a workbook of figures has at "
                "most that many. Delete the sheets that hold no figures."
            )
        relation = next((v for k, v in attributes.items() if k.endswith(" id")), None)
        part = targets.get(relation)
        if part in infos:
            sheets[part] = SheetShape(name=attributes.get("name", ""), part=part)
    return sheets, xml_parts


def _elements(archive, infos, name: str, shape: WorkbookShape, wanted: set[str]):
    """(local name, attributes) of the ``wanted`` elements of a small part
    (the manifest, relationships, the workbook), counted within the same
    budget as the rest; no more are kept than the archive has parts."""
    info = infos.get(name)
    if info is None:
        return []
    _check_size(info, MAX_OTHER_PART_BYTES, "")
    shape.parsed.add(name)
    found: list[tuple[str, dict]] = []
    count = _counter(shape, f"The part {name}")

    def start(tag: str, attributes: dict) -> None:
        local = count(tag)
        if local in wanted:
            if len(found) > MAX_PARTS + MAX_SHEETS:
                raise _Refused(f"more {local} elements than the archive has parts")
            found.append((local, attributes))

    _parse(archive, info, start)
    return found


def _check_part(archive, info, shape, file_name, sheet: SheetShape | None = None) -> None:
    name = info.filename
    if sheet is not None:
        cap = MAX_SHEET_PART_BYTES
    elif posixpath.basename(name).lower().startswith("sharedstrings"):
        cap = MAX_SHARED_STRINGS_PART_BYTES
    else:
        cap = MAX_OTHER_PART_BYTES
    where = f"Sheet “{sheet.name}”" if sheet is not None else f"The part {name}"
    _check_size(info, cap, where)
    if sheet is None:
        count = _counter(shape, where)
        _parse(archive, info, lambda tag, attributes: count(tag))
    else:
        _check_sheet(archive, info, shape, sheet, where)


def _check_size(info, cap: int, where: str) -> None:
    if info.file_size > cap:
        raise UnreadableFile(
            f"{where or 'The part ' + info.filename} expands to "
            f"{info.file_size / 1_048_576:,.1f} MB; one part of a workbook may expand to at most "
            f"{cap / 1_048_576:.0f} MB. {ADVICE}"
        )


def _counter(shape: WorkbookShape, where: str):
    """A function that counts one element by its local name (expat gives
    ``namespace local``) and refuses the workbook past a cap. It runs for
    every element, so it is kept to a few dictionary operations."""
    counts = shape.counts
    caps = {local: cap for local, (cap, _) in LIMITS.items()}

    def count(tag: str) -> str:
        local = tag[tag.rfind(" ") + 1 :]
        n = counts[local] = counts.get(local, 0) + 1
        total = counts[""] = counts.get("", 0) + 1
        if total > MAX_ELEMENTS or n > caps.get(local, MAX_ELEMENTS):
            _over(local if n > caps.get(local, MAX_ELEMENTS) else "", where)
        return local

    return count


def _over(local: str, where: str) -> None:
    if not local:
        raise UnreadableFile(
            f"{where}: the workbook holds more than {MAX_ELEMENTS:,} XML elements in all; one "
            f"import reads at most {MAX_ELEMENTS:,}. {ADVICE}"
        )
    cap, words = LIMITS[local]
    raise UnreadableFile(
        f"{where}: the workbook holds more than {cap:,} {words} (the XML element “{local}”); "
        f"one import reads at most {cap:,}. {ADVICE}"
    )


def _parse(archive, info, start, end=None, text=None) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
        parser.buffer_text = True
    _refuse_declarations(parser)
    with archive.open(info) as source:
        parser.ParseFile(source)


def _refuse_declarations(parser) -> None:
    """A workbook needs no DTD and no entity: refuse them (defusedxml's rule),
    so that no entity can expand."""

    def refuse(*args) -> None:
        raise _Refused("a DTD or an entity declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse


def _check_sheet(archive, info, shape: WorkbookShape, sheet: SheetShape, where: str) -> None:
    """A sheet part's elements counted, its rows' order checked, the last row
    that holds something found, and each formula noted by its cell. A cell's
    reference is parsed only when it holds a formula."""
    count = _counter(shape, where)
    row = 0
    reference, since = None, 0  # the row's last cell reference, and cells after it
    holds = False
    formula: list[str] | None = None
    kind = shared_index = ""
    shared: dict[str, tuple[str, str]] = {}  # si -> (the formula, its cell)

    def start(tag: str, attributes: dict) -> None:
        nonlocal row, reference, since, holds, formula, kind, shared_index
        local = count(tag)
        if local == "c":
            given = attributes.get("r")
            if given:
                reference, since = given, 0
            else:
                since += 1
            holds = False
        elif local == "v" or local == "is":
            holds = True
        elif local == "row":
            given = attributes.get("r")
            number = int(float(given)) if given is not None else row + 1
            if not row < number <= SPREADSHEET_ROWS:
                raise UnreadableFile(
                    f"{where} numbers its rows out of order (row {given} after row {row}); the "
                    "workbook is damaged. Open it in Excel or LibreOffice and save it again."
                )
            row, reference, since = number, None, 0
        elif local == "f":
            holds = True
            formula = []
            kind, shared_index = attributes.get("t", "normal"), attributes.get("si", "")

    def end(tag: str) -> None:
        nonlocal formula
        if formula is not None and tag.endswith("f") and tag[tag.rfind(" ") + 1 :] == "f":
            _note_formula("".join(formula))
            formula = None
        elif holds and tag.endswith("c") and tag[tag.rfind(" ") + 1 :] == "c":
            sheet.last_row = row

    def text(data: str) -> None:
        if formula is not None:
            formula.append(data)

    def _note_formula(written: str) -> None:
        column = since
        if reference:
            column += column_index_from_string(coordinate_from_string(reference)[0])
        if column > MAX_COLUMNS + 1 or kind not in ("normal", "shared"):
            return  # beyond any layout, or an array or data-table formula
        cell = f"{get_column_letter(column)}{row}"
        if kind == "shared":
            if written:
                shared[shared_index] = (written, cell)
            elif shared_index in shared:
                from openpyxl.formula.translate import Translator

                master, origin = shared[shared_index]
                written = Translator("=" + master, origin=origin).translate_formula(cell)[1:]
        if written:
            sheet.formulas[(row, column)] = "=" + written

    _parse(archive, info, start, end, text)


def read_xlsx(content: bytes, file_name: str) -> list[Sheet]:
    import openpyxl

    shape = check_workbook(content, file_name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise _damaged(file_name) from exc
    sheets: list[Sheet] = []
    kept = 0
    try:
        for worksheet in book.worksheets:
            measured = shape.sheets.get(worksheet.title)
            if measured is None:  # not a sheet the check read: never read unmeasured XML
                raise _damaged(file_name)
            sheet = _read_worksheet(worksheet, measured, kept)
            kept += sum(1 for row in sheet.rows if row)
            sheets.append(sheet)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise _damaged(file_name) from exc
    finally:
        book.close()
    return sheets


def _damaged(file_name: str) -> UnreadableFile:
    return UnreadableFile(
        f"“{file_name}” is not a readable XLSX workbook (it may be damaged, or another kind of "
        "file renamed). Open it in Excel or LibreOffice and save it again as .xlsx."
    )


def _read_worksheet(worksheet, measured: SheetShape, kept_so_far: int) -> Sheet:
    title = worksheet.title
    if measured.last_row > max_rows():
        raise UnreadableFile(
            f"Sheet “{title}” has something in row {measured.last_row:,}, far below any table "
            f"of figures: one import takes at most {max_rows():,} rows. Delete the rows below "
            "your table (or move that cell up) and save it again."
        )
    table = _Table(title, kept_so_far, lambda p: f"column {get_column_letter(p)}")
    if not measured.last_row:
        return Sheet(name=title, rows=[])
    # One column beyond the widest layout, so that a table a column too wide
    # is refused rather than cut; cells further right are not read.
    wide = MAX_COLUMNS + 1
    blank = (None,) * wide
    formulas = measured.formulas
    formula_rows = {row for row, _ in formulas}
    worksheet.reset_dimensions()  # a sheet's declared size is not believed
    rows = worksheet.iter_rows(max_row=measured.last_row, max_col=wide, values_only=True)
    for number, cells in enumerate(rows, start=1):
        if cells == blank and number not in formula_rows:
            continue
        cells = list(cells)
        if formulas:
            for column in range(1, wide + 1):
                formula = formulas.get((number, column))
                if formula is not None and cells[column - 1] is None:
                    cells[column - 1] = UncachedFormula(formula)
        table.add(number, cells)
    return Sheet(name=title, rows=table.finish(), formulas=formulas)
