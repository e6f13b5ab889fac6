"""From an uploaded file to long-form rows: the first step of the pipeline.

The layout is detected: a workbook whose sheets have a ``Metric | Q1 | Q2 |
Q3 | Q4`` heading row is the report layout; anything else is the long form.
"""

from dataclasses import dataclass, field

from reporting.importing.longform import COLUMNS, LongFormRow, rows_from_table
from reporting.importing.report import looks_like_report, rows_from_report
from tabular.readers import UnreadableFile, detect_format, read_sheets

LONG = "long"
REPORT = "report"


@dataclass
class ParsedFile:
    file_format: str
    layout: str = LONG
    rows: list[LongFormRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_file(content: bytes, file_name: str, file_format: str | None = None) -> ParsedFile:
    """Read a file into long-form rows; problems with the file as a whole are
    returned, never raised, so that every entry path reports them alike."""
    try:
        fmt = detect_format(file_name, file_format)
    except UnreadableFile as exc:
        return ParsedFile(file_format=file_format or "", problems=[str(exc)])
    try:
        sheets = read_sheets(content, file_name, fmt, columns=COLUMNS)
    except UnreadableFile as exc:
        return ParsedFile(file_format=fmt, problems=[str(exc)])
    if fmt == "xlsx" and looks_like_report(sheets):
        rows, problems = rows_from_report(sheets)
        return ParsedFile(file_format=fmt, layout=REPORT, rows=rows, problems=problems)
    first = sheets[0] if sheets else None
    if first is None or not first.rows:
        return ParsedFile(file_format=fmt, problems=[f"“{file_name}” has no rows to import."])
    rows, problems = rows_from_table(first.rows[0], first.rows[1:])
    if not problems and not rows:
        problems = [f"“{file_name}” has headings but no figures to import."]
    if fmt == "xlsx" and len(sheets) > 1:
        for sheet in sheets[1:]:
            if sheet.rows:
                more, more_problems = rows_from_table(sheet.rows[0], sheet.rows[1:])
                rows += [_on_sheet(row, sheet.name) for row in more]
                problems += [f"Sheet “{sheet.name}”: {p}" for p in more_problems]
        rows = [row if row.sheet else _on_sheet(row, first.name) for row in rows]
    return ParsedFile(file_format=fmt, rows=rows, problems=problems)


def _on_sheet(row: LongFormRow, name: str) -> LongFormRow:
    from dataclasses import replace

    return replace(row, sheet=name)
