"""Hostile files and bodies, built to the shapes found by a hostile-user run
(issue 20), for the tests and for benchmarks/bounded_files.py.

Each builder returns bytes. Sizes default to the ones that were measured
(seconds and hundreds of MB before the budgets); ``scale`` shrinks them for a
quick check of the benchmark.
"""

import io
import zipfile
from decimal import Decimal

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADINGS = ("unit", "metric", "fiscal_year", "period", "region", "value", "note")
FIGURE = ("ICE", "file-intakes", "2023-24", "Q1", "", "680", "a note")


def workbook(
    sheet: bytes,
    *,
    sheet_part: str = "xl/worksheets/sheet1.xml",
    styles: bytes | None = None,
    shared_strings: bytes | None = None,
    shared_strings_part: str = "xl/sharedStrings.xml",
) -> bytes:
    """A workbook of one sheet named "Figures", its part wherever asked, with
    optional styles and shared-strings parts: what Excel and openpyxl need."""
    overrides = [
        ("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
        ("/" + sheet_part, "spreadsheetml.worksheet+xml"),
    ]
    relations = [(f"/{sheet_part}", "worksheet")]
    if styles is not None:
        overrides.append(("/xl/styles.xml", "spreadsheetml.styles+xml"))
        relations.append(("styles.xml", "styles"))
    if shared_strings is not None:
        overrides.append(("/" + shared_strings_part, "spreadsheetml.sharedStrings+xml"))
        relations.append(("/" + shared_strings_part, "sharedStrings"))
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="{name}" '
                f'ContentType="application/vnd.openxmlformats-officedocument.{kind}"/>'
                for name, kind in overrides
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            f'xmlns:r="{DOC_RELS}"><sheets><sheet name="Figures" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{DOC_RELS}/{kind}" Target="{target}"/>'
                for n, (target, kind) in enumerate(relations, start=1)
            )
            + "</Relationships>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr(sheet_part, sheet)
        if styles is not None:
            archive.writestr("xl/styles.xml", styles)
        if shared_strings is not None:
            archive.writestr(shared_strings_part, shared_strings)
    return out.getvalue()


def sheet_xml(rows: bytes, *, prefix: str = "") -> bytes:
    """A worksheet whose first rows are the headings and one figure (inline
    texts), then ``rows``; with ``prefix``, every element is written with that
    namespace prefix (``x:row``, ``x:c``)."""
    p = f"{prefix}:" if prefix else ""
    declare = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'

    def row(number: int, cells) -> str:
        return (
            f'<{p}row r="{number}">'
            + "".join(
                f'<{p}c t="inlineStr"><{p}is><{p}t>{cell}</{p}t></{p}is></{p}c>' for cell in cells
            )
            + f"</{p}row>"
        )

    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {declare}><{p}sheetData>'
        + row(1, HEADINGS)
        + row(2, FIGURE)
    ).encode()
    return head + rows + f"</{p}sheetData></{p}worksheet>".encode()


def empty_cells(scale: float = 1) -> bytes:
    """Rows of 50 empty, self-closing cells (``<c/>``): 1.3 MB, 151 s before."""
    row = b"<row>" + b"<c/>" * 50 + b"</row>"
    return workbook(sheet_xml(row * int(26_000 * scale)))


def many_styles(scale: float = 1) -> bytes:
    """A styles part of 1.2 million cell formats: 107 KB, 885 MB before."""
    xf = b"<xf/>"
    count = int(1_200_000 * scale)
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
        f'<cellXfs count="{count}">'.encode()
        + xf * count
        + b"</cellXfs></styleSheet>"
    )
    return workbook(sheet_xml(b""), styles=styles)


def crowded_string_table(scale: float = 1) -> bytes:
    """3.5 million shared texts: 9.1 MB, 49 s and 642 MB before."""
    count = int(3_500_000 * scale)
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" '
        f'uniqueCount="{count}">'.encode()
        + b"<si><t>x</t></si>" * count
        + b"</sst>"
    )
    return workbook(sheet_xml(b""), shared_strings=strings)


def renamed_string_table(scale: float = 1) -> bytes:
    """Half a million shared texts in a part named xl/s.bin, which the
    manifest declares as the shared strings (openpyxl reads it by that)."""
    count = int(500_000 * scale)
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
        + b"<si><t>x</t></si>" * count
        + b"</sst>"
    )
    return workbook(sheet_xml(b""), shared_strings=strings, shared_strings_part="xl/s.bin")


def tab_spaced_cells(scale: float = 1, *, sheet_part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Cells written ``<c\\tr="A3">`` (a tab, not a space, before the
    attribute): 7.4 MB, 58 s and 329 MB before; with ``sheet_part``
    ``xl/data/s1.xml``, the same stored outside xl/worksheets/."""
    rows = int(100_000 * scale)
    body = b"".join(
        b'<row r="%d">' % n
        + b"".join(
            b'<c\tr="%s%d"><v>1</v></c>' % (column, n)
            for column in (b"A", b"B", b"C", b"D", b"E", b"F", b"G")
        )
        + b"</row>"
        for n in range(3, rows + 3)
    )
    return workbook(sheet_xml(body), sheet_part=sheet_part)


def prefixed_cells(scale: float = 1) -> bytes:
    """Cells and rows written with a namespace prefix (``<x:c>``)."""
    row = b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * 10 + b"</x:row>"
    return workbook(sheet_xml(row * int(100_000 * scale), prefix="x"))


def empty_styled_rows(scale: float = 1) -> bytes:
    """3 million empty, styled rows: 7.8 MB, 15 s and 353 MB before."""
    return workbook(sheet_xml(b'<row s="1" customFormat="1"/>' * int(3_000_000 * scale)))


WORKBOOKS = {
    "empty-cells.xlsx": empty_cells,
    "many-styles.xlsx": many_styles,
    "many-shared-strings.xlsx": crowded_string_table,
    "tab-spaced-cells.xlsx": tab_spaced_cells,
    "sheet-outside-worksheets.xlsx": lambda scale=1: tab_spaced_cells(
        scale, sheet_part="xl/data/s1.xml"
    ),
    "prefixed-cells.xlsx": prefixed_cells,
    "renamed-shared-strings.xlsx": renamed_string_table,
    "empty-styled-rows.xlsx": empty_styled_rows,
}
# What each is refused for: a word of the message naming the limit.
REFUSED_FOR = {
    "empty-cells.xlsx": "cells",
    "many-styles.xlsx": "cell formats",
    "many-shared-strings.xlsx": "MB",  # the shared-strings part's expanded size
    "tab-spaced-cells.xlsx": "cells",
    "sheet-outside-worksheets.xlsx": "cells",
    "prefixed-cells.xlsx": "cells",
    "renamed-shared-strings.xlsx": "shared texts",
    "empty-styled-rows.xlsx": "rows",
}


def deep_json(depth: int = 5_000) -> bytes:
    """Brackets nested ``depth`` deep: a 500 on the API before."""
    return b"[" * depth + b"]" * depth


def duplicate_key_json() -> bytes:
    """One figure giving "value" twice: the last one won before."""
    return (
        b'[{"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2023-24",\n'
        b' "period": "Q1", "value": 5,\n "value": 7}]'
    )


def valid_workbook(rows: int = 57_000, figures=None) -> bytes:
    """A valid workbook of figures as Excel writes one (texts shared,
    references on every cell): 57,000 rows is 399,000 cells, just under the
    cap on cells. ``figures`` (rows of the seven columns) replaces the one
    repeated figure."""
    if figures is None:
        figures = [("ICE", "file-intakes", "2023-24", "Q1", "Q2", n, "a note") for n in range(rows)]
    index: dict[str, int] = {}
    for text in HEADINGS:
        index.setdefault(text, len(index))

    def cell(column: str, number: int, value) -> bytes:
        if value is None or value == "":
            return b""
        if isinstance(value, int | float | Decimal):
            return b'<c r="%s%d"><v>%s</v></c>' % (column.encode(), number, str(value).encode())
        shared = index.setdefault(str(value), len(index))
        return b'<c r="%s%d" t="s"><v>%d</v></c>' % (column.encode(), number, shared)

    body = []
    for number, values in enumerate([HEADINGS, *figures], start=1):
        body.append(
            b'<row r="%d">' % number
            + b"".join(cell("ABCDEFG"[i], number, v) for i, v in enumerate(values))
            + b"</row>"
        )
    texts = list(index)
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(texts)}" '
        f'uniqueCount="{len(texts)}">'.encode()
        + b"".join(
            b"<si><t>%s</t></si>" % text.replace("&", "&amp;").replace("<", "&lt;").encode()
            for text in texts
        )
        + b"</sst>"
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
        + b"".join(body)
        + b"</sheetData></worksheet>"
    )
    return workbook(sheet, shared_strings=strings)
