"""Our formulas with their results cached in the file, as a spreadsheet program
saves them, so that a reader without one (a previewer, a script reading with
openpyxl's ``data_only``) sees the totals too, while Excel and LibreOffice
still recalculate them when a figure is edited.

openpyxl writes a formula with an empty cached value (``<f>SUM(..)</f><v/>``)
and has no way to give it one; this fills the ``<v>`` of the cells we name,
in the sheet parts the workbook's own relationships point to (Office Open XML,
ECMA-376 Part 1, 18.3.1.40 and 18.3.1.96).
"""

import io
import posixpath
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the part (file) in the archive that holds it."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{PACKAGE_RELS}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets[sheet.get(RELATIONSHIP_ID)]
        parts[sheet.get("name")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        )
    return parts


def with_cached_values(content: bytes, values: dict[str, dict[str, Decimal]]) -> bytes:
    """``content`` (an XLSX) with the cached result of each formula cell named in
    ``values`` ({sheet name: {"B13": Decimal(...)}}) filled in."""
    source = zipfile.ZipFile(io.BytesIO(content))
    parts = {part: values[name] for name, part in _sheet_parts(source).items() if values.get(name)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in parts:
                data = _fill(data.decode("utf-8"), parts[item.filename]).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def _fill(xml: str, cells: dict[str, Decimal]) -> str:
    def cached(match: re.Match) -> str:
        value = cells.get(match.group("ref"))
        if value is None:
            return match.group(0)
        return f"{match.group('start')}<f>{match.group('formula')}</f><v>{value:f}</v></c>"

    return re.sub(
        r'(?P<start><c r="(?P<ref>[A-Z]+[0-9]+)"[^>]*>)<f>(?P<formula>[^<]*)</f><v\s*/></c>',
        cached,
        xml,
    )
