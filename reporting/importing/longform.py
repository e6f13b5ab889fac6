"""The long form: one row per figure, the same columns everywhere."""

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tabular.readers import UncachedFormula, normalise_heading

# A figure's columns wherever figures are exchanged (files, the admin's import
# and export, the API, the backup): the natural key, then what is stated.
# The one list; everything else imports it.
KEY_COLUMNS = ("unit", "metric", "fiscal_year", "period", "region")
# note is the internal note (staff only); public_note, a footnote of the report.
STATED_COLUMNS = ("value", "note", "public_note")  # Figure's own fields, by the same names
COLUMNS = (*KEY_COLUMNS, *STATED_COLUMNS)
# Columns a person reads and the import passes over: the templates print each
# metric's label beside its code.
IGNORED_COLUMNS = ("metric_label",)
REQUIRED = ("unit", "metric", "fiscal_year", "period", "value")


@dataclass(frozen=True, slots=True)
class LongFormRow:
    """One figure as a file states it, before anything is checked.

    ``number`` is the row as the spreadsheet numbers it (the heading is row 1);
    ``headings`` names a column when the file calls it something else (the
    report layout's ``Q3`` for a value, say).
    """

    number: int
    unit: str
    metric: str
    fiscal_year: str
    period: str
    region: str = ""
    value: object = None
    note: str | None = None
    public_note: str | None = None
    sheet: str = ""
    headings: Mapping[str, str] = field(default_factory=dict)

    def where(self) -> str:
        return f"sheet “{self.sheet}”, row {self.number}" if self.sheet else f"row {self.number}"

    def heading(self, column: str) -> str:
        return self.headings.get(column, column)


def did_you_mean(given: str, known: Sequence[str]) -> str:
    """`` Did you mean “region”?`` for a misspelt name (a file's heading, an
    API field), or "" when nothing known is close."""
    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    return f" Did you mean “{close[0]}”?" if close else ""


def check_headings(headings: Sequence[object]) -> list[str]:
    """Problems with a long-form file's heading row, each naming the heading."""
    problems = []
    seen: dict[str, int] = {}
    for position, heading in enumerate(headings, start=1):
        name = normalise_heading(heading)
        if not name:
            continue
        if name in seen:
            problems.append(
                f"The heading “{heading}” appears twice (columns {seen[name]} and {position}); "
                "keep one of them."
            )
        seen.setdefault(name, position)
        if name not in COLUMNS and name not in IGNORED_COLUMNS:
            problems.append(
                f"The heading “{heading}” (column {position}) is not one of ours: "
                f"{', '.join(COLUMNS)}.{did_you_mean(name, COLUMNS)}"
            )
    missing = [column for column in REQUIRED if column not in seen]
    if missing:
        problems.append(
            "The file has no column headed "
            + ", ".join(f"“{column}”" for column in missing)
            + f". The first row must hold the headings {', '.join(COLUMNS)}."
        )
    return problems


def text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def rows_from_table(
    headings: Sequence[object], records: Iterable[Sequence[object]], *, first_number: int = 2
) -> tuple[list[LongFormRow], list[str]]:
    """Long-form rows from a heading row and data rows; problems with the headings.

    Entirely blank rows are passed over (spreadsheets keep plenty of them).
    """
    problems = check_headings(headings)
    if problems:
        return [], problems
    index = {normalise_heading(h): i for i, h in enumerate(headings) if normalise_heading(h)}
    # No such column in the file means: keep the note on record as it is.
    has_note, has_public_note = "note" in index, "public_note" in index
    rows = []
    for number, record in enumerate(records, start=first_number):
        if all(cell is None or str(cell).strip() == "" for cell in record):
            continue

        def cell(column: str, record: Sequence[object] = record) -> object:
            position = index.get(column)
            return record[position] if position is not None and position < len(record) else None

        value = cell("value")
        rows.append(
            LongFormRow(
                number=number,
                unit=text(cell("unit")),
                metric=text(cell("metric")),
                fiscal_year=text(cell("fiscal_year")),
                period=text(cell("period")).upper(),
                region=text(cell("region")),
                # An uncached formula keeps its type (str.strip would drop it).
                value=value.strip()
                if isinstance(value, str) and not isinstance(value, UncachedFormula)
                else value,
                note=text(cell("note")) if has_note else None,
                public_note=text(cell("public_note")) if has_public_note else None,
            )
        )
    return rows, []
