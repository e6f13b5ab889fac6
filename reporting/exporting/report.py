"""The report layout: a workbook laid out like the published tables.

One sheet per unit, named by the unit's code: the program heading, the unit,
then ``Metric | Q1 | Q2 | Q3 | Q4 | <year> | <prior year> | <year before>``
and a row per metric, with the footnotes underneath. A year figure that is on
record is a number; one derived from the quarters is a ``SUM`` formula over
them (so it follows an edited quarter in Excel or LibreOffice, and the
importer knows not to store it). The prior years in which the unit has figures are shown for reference.
Each sheet is set up to print landscape, one page wide, headings repeated.

Each unit's sheet ends with the change from last year, as the page shows it.
An ``ALERT-wide`` sheet holds the totals of the metrics the units share, and
a last sheet, ``Regions``, each unit's regional table (full-year figures by
region) with a totals row of ``SUM`` formulas. Every formula of ours is
written with its result cached, so that a reader without a spreadsheet
program sees the totals too. Money is in whole dollars unless a row or
column has cents.

``reporting.importing.report`` reads this layout back into the long form.
"""

import io
from collections import defaultdict
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reporting.formatting import change_number_format, number_format
from reporting.models import FiscalYear
from reporting.summary.build import (
    QUARTERS,
    AnnualSummary,
    RegionalColumn,
    RegionalRow,
    RegionalTable,
    UnitSection,
    build_summary,
)
from tabular.cached_formulas import with_cached_values
from tabular.escaping import escape_cell, sheet_title
from tabular.writers import as_cell
from units.models import Region, Unit

REGIONS_SHEET = "Regions"
ALERT_SHEET = "ALERT-wide"
HEADING_ROW = 4
METRIC_HEADING = "Metric"
REGION_HEADING = "Region"
TOTAL_LABEL = "Total"


class Formula(str):
    """One of our own formulas (the totals): the only text written unescaped."""


def _cells(values) -> list[object]:
    """A row as written: our formulas as they are, every other value escaped."""
    return [
        value if isinstance(value, Formula) else escape_cell(as_cell(value)) for value in values
    ]


def _append(sheet, values=()) -> None:
    sheet.append(_cells(values))


def _print_setup(sheet, title_rows: str) -> None:
    """Landscape, as wide as one page (as many pages down as it needs), with
    the headings repeated on each printed page: a unit prints on one page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.gridLines = False


def _with_every_region(section: UnitSection, regions: list[str]) -> RegionalTable | None:
    """The unit's regional table with a row for every region of the catalogue
    (blank where nothing is on record), and a column for every regional metric."""
    table = section.regional
    columns = [
        RegionalColumn(row.code, row.regional_label, row.value_type)
        for row in section.rows
        if row.regional_label
    ]
    if table is not None:
        known = {c.metric_code for c in table.columns}
        columns = table.columns + [c for c in columns if c.metric_code not in known]
    if not columns:
        return None
    on_record = {
        row.region: dict(zip((c.metric_code for c in table.columns), row.values, strict=True))
        for row in (table.rows if table else [])
    }
    rows = [
        RegionalRow(name, [on_record.get(name, {}).get(c.metric_code) for c in columns])
        for name in regions
    ]
    return RegionalTable(columns=columns, rows=rows, totals=[])


def _alert_sheet(sheet, summary, bold) -> None:
    """The ALERT-wide totals as the page prints them, with the units counted."""
    _append(sheet, ["ALERT-wide totals: the units' figures added up, for the metrics they share"])
    _append(sheet, [f"Fiscal year {summary.fiscal_year}"])
    _append(sheet)
    change_heading = (
        [f"Change from {summary.prior_years[0]}", "Units in both years (the change)"]
        if summary.prior_years
        else []
    )
    _append(
        sheet,
        [
            METRIC_HEADING,
            "Units counted",
            summary.fiscal_year,
            *summary.prior_years,
            *change_heading,
        ],
    )
    for cell in (*sheet[1], *sheet[HEADING_ROW]):
        cell.font = bold
    for row in summary.alert_totals.rows:
        number = sheet.max_row + 1
        label = row.label + "".join(f" ({n})" for n in row.footnotes)
        figures = [row.year.value, *(p.value for p in row.prior_years)]
        change = [row.change, " + ".join(row.compared_units)] if summary.prior_years else []
        _append(sheet, [label, " + ".join(row.units), *figures, *change])
        for cell in sheet[number][2 : 2 + len(figures)]:
            cell.number_format = number_format(row.value_type, figures)
        if change:
            sheet[number][2 + len(figures)].number_format = change_number_format(
                row.value_type, [row.change]
            )
    if summary.alert_totals.footnotes:
        _append(sheet)
        for note in summary.alert_totals.footnotes:
            _append(sheet, [f"({note.number}) {note.metric_label}: {note.text}"])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 36
    for column in range(3, 8):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    _print_setup(sheet, f"1:{HEADING_ROW}")


def export_report_workbook(
    fiscal_year: FiscalYear | str,
    *,
    units: list[Unit] | None = None,
    every_region: bool = False,
    summary: AnnualSummary | None = None,
) -> bytes:
    """The year's report-layout workbook as XLSX bytes (see the module docstring).

    As a template for the person in front of it: ``units`` limits the sheets
    to those units, and ``every_region`` lists every region of the catalogue
    in the regional tables (and gives every unit that reports by region its
    table), not only the regions with figures on record. Only public notes
    reach it, whoever downloads it. ``summary``: the tables to write instead
    of the records' (a published year's release).
    """
    if summary is None:
        summary = build_summary(fiscal_year, every_unit=True)
    if units is not None:
        codes = {unit.code for unit in units}
        summary.units = [section for section in summary.units if section.code in codes]
    if every_region:
        regions = list(Region.objects.values_list("name", flat=True))
        for section in summary.units:
            section.regional = _with_every_region(section, regions)
    book = Workbook()
    book.remove(book.active)
    cached: dict[str, dict[str, Decimal]] = defaultdict(dict)  # our formulas' results
    bold = Font(bold=True)
    for section in summary.units:
        sheet = book.create_sheet(title=sheet_title(section.code))
        _append(sheet, [section.heading])
        _append(sheet, [f"{section.name} — fiscal year {summary.fiscal_year}"])
        _append(sheet)
        compares = bool(summary.prior_years) and section.prior_years[:1] == summary.prior_years[:1]
        change_heading = [f"Change from {summary.prior_years[0]}"] if compares else []
        _append(
            sheet,
            [METRIC_HEADING, *QUARTERS, summary.fiscal_year, *section.prior_years, *change_heading],
        )
        for cell in (*sheet[1], *sheet[HEADING_ROW]):
            cell.font = bold
        for row in section.rows:
            number = sheet.max_row + 1
            label = row.label + "".join(f" ({n})" for n in row.footnotes)
            if row.year.source in ("derived", "partial"):
                year = Formula(f"=SUM(B{number}:E{number})")
                cached[sheet.title][f"F{number}"] = row.year.value
            else:
                year = row.year.value
            prior = [p.value for p in row.prior_years]
            change = [row.change] if compares else []
            _append(sheet, [label, *row.quarters, year, *prior, *change])
            figures = [*row.quarters, row.year.value, *prior]
            for cell in sheet[number][1 : 1 + len(figures)]:
                cell.number_format = number_format(row.value_type, figures)
            if compares:
                sheet[number][1 + len(figures)].number_format = change_number_format(
                    row.value_type, [row.change]
                )
        if section.footnotes:
            _append(sheet)
            for note in section.footnotes:
                _append(sheet, [f"({note.number}) {note.metric_label}: {note.text}"])
        sheet.column_dimensions["A"].width = 44
        for column in range(2, 10):
            sheet.column_dimensions[get_column_letter(column)].width = 13
        sheet.freeze_panes = f"B{HEADING_ROW + 1}"
        _print_setup(sheet, f"1:{HEADING_ROW}")

    if summary.alert_totals and units is None:  # a unit's template has no ALERT-wide totals
        _alert_sheet(book.create_sheet(title=ALERT_SHEET), summary, bold)

    regional = [s for s in summary.units if s.regional is not None]
    if regional:
        sheet = book.create_sheet(title=REGIONS_SHEET)
        _append(sheet, [f"Figures by region, fiscal year {summary.fiscal_year}"])
        sheet["A1"].font = bold
        for section in regional:
            table = section.regional
            _append(sheet)
            _append(sheet, [section.code, section.heading])
            _append(sheet, [REGION_HEADING, *(c.heading for c in table.columns)])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            first = sheet.max_row + 1
            for row in table.rows:
                _append(sheet, [row.region, *row.values])
            last = sheet.max_row
            totals = [
                Formula(f"=SUM({get_column_letter(c)}{first}:{get_column_letter(c)}{last})")
                for c in range(2, len(table.columns) + 2)
            ]
            _append(sheet, [TOTAL_LABEL, *totals])
            # Each total's result is cached in the file (with_cached_values): a
            # reader without a spreadsheet program sees it too.
            columns = [[row.values[i] for row in table.rows] for i in range(len(table.columns))]
            for position, values in enumerate(columns, start=2):
                reported = [v for v in values if v is not None]
                cached[sheet.title][f"{get_column_letter(position)}{sheet.max_row}"] = sum(
                    reported, Decimal(0)
                )
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for position, (column, values) in enumerate(
                zip(table.columns, columns, strict=True), start=2
            ):
                cell_format = number_format(column.value_type, values)
                for number in range(first, sheet.max_row + 1):
                    sheet.cell(number, position).number_format = cell_format
        sheet.column_dimensions["A"].width = 22
        for column in range(2, 12):
            sheet.column_dimensions[get_column_letter(column)].width = 16
            sheet.cell(1, column).alignment = Alignment(wrap_text=True)
        _print_setup(sheet, "1:1")

    out = io.BytesIO()
    book.save(out)
    return with_cached_values(out.getvalue(), cached)
