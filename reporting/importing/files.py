"""From an uploaded file to long-form rows: the first step of the pipeline."""

from dataclasses import dataclass, field

from reporting.importing.longform import LongFormRow, rows_from_table
from reporting.importing.readers import UnreadableFile, detect_format, read_sheets


@dataclass
class ParsedFile:
    file_format: str
    layout: str = "long"
    rows: list[LongFormRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_file(content: bytes, file_name: str, file_format: str | None = None) -> ParsedFile:
    """Read a long-form file into rows; problems with the file as a whole are
    returned, never raised, so that every entry path reports them alike."""
    try:
        fmt = detect_format(file_name, file_format)
    except UnreadableFile as exc:
        return ParsedFile(file_format=file_format or "", problems=[str(exc)])
    try:
        sheets = read_sheets(content, file_name, fmt)
    except UnreadableFile as exc:
        return ParsedFile(file_format=fmt, problems=[str(exc)])
    first = sheets[0] if sheets else None
    if first is None or not first.rows:
        return ParsedFile(file_format=fmt, problems=[f"“{file_name}” has no rows to import."])
    rows, problems = rows_from_table(first.rows[0], first.rows[1:])
    if not problems and not rows:
        problems = [f"“{file_name}” has headings but no figures to import."]
    return ParsedFile(file_format=fmt, rows=rows, problems=problems)
