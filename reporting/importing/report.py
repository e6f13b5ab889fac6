"""Read a report-layout workbook (reporting.exporting.report) into the long form.

Each quarter cell of a unit sheet becomes a long-form row for that quarter; a
year cell becomes a full-year row unless it is a formula (a year derived from
the quarters is not stored). The prior-year columns and the regional totals
row are not stored: they are checked, and a mismatch is reported so that a
change made there is never silently lost.
"""

import re
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError

from reporting.exporting.report import (
    ALERT_SHEET,
    METRIC_HEADING,
    REGION_HEADING,
    REGIONS_SHEET,
    TOTAL_LABEL,
)
from reporting.importing.longform import LongFormRow, text
from reporting.models import FiscalYear, ReportingPeriod
from reporting.validation import parse_value
from tabular.readers import Sheet, UncachedFormula
from units.models import Metric, Unit

QUARTERS = list(ReportingPeriod.QUARTERS)
FOOTNOTE_REFS = re.compile(r"(\s*\(\d+\))+$")
YEAR_LABEL = re.compile(r"\b([0-9]{4}-[0-9]{2})\b")


def _heading_row(sheet: Sheet) -> int | None:
    """The index of the ``Metric | Q1 | Q2 | Q3 | Q4`` row, if the sheet has one."""
    for index, row in enumerate(sheet.rows[:12]):
        cells = [text(c) for c in row[:5]]
        if (
            len(cells) == 5
            and cells[0].lower() == METRIC_HEADING.lower()
            and [c.upper() for c in cells[1:]] == QUARTERS
        ):
            return index
    return None


def looks_like_report(sheets: Sequence[Sheet]) -> bool:
    return any(_heading_row(sheet) is not None for sheet in sheets)


def metric_name(label: object) -> str:
    """A metric's label as the sheet shows it, without its footnote marks."""
    return FOOTNOTE_REFS.sub("", text(label))


def _number(raw: object) -> Decimal | None:
    try:
        return parse_value(raw, Metric.ValueType.CURRENCY)
    except ValidationError:
        return None


def _shown(value: Decimal | None) -> str:
    return "blank" if value is None else f"{value.normalize():,f}"


def rows_from_report(sheets: Sequence[Sheet]) -> tuple[list[LongFormRow], list[str]]:
    rows: list[LongFormRow] = []
    problems: list[str] = []
    summaries: dict[str, object] = {}  # the year's summary, built once per workbook
    unit_codes = {u.upper(): u for u in Unit.objects.values_list("code", flat=True)}
    year_label = ""
    for sheet in sheets:
        if sheet.name in (REGIONS_SHEET, ALERT_SHEET):
            continue  # the regions are read below; the ALERT-wide totals are not stored
        heading_index = _heading_row(sheet)
        if heading_index is None:
            problems.append(
                f"Sheet “{sheet.name}” has no row headed “{METRIC_HEADING}, Q1, Q2, Q3, Q4”; "
                "each unit's sheet needs one (download the workbook again to see the layout)."
            )
            continue
        code = unit_codes.get(sheet.name.strip().upper())
        if code is None:
            import difflib

            close = difflib.get_close_matches(sheet.name.upper(), list(unit_codes), n=1)
            hint = f" Did you mean “{close[0]}”?" if close else ""
            problems.append(
                f"Sheet “{sheet.name}” is not named after a unit: each unit's sheet is named "
                f"by its code ({', '.join(sorted(unit_codes))}).{hint}"
            )
            continue
        headings = [text(h) for h in sheet.rows[heading_index]]
        if len(headings) < 6 or not YEAR_LABEL.fullmatch(headings[5]):
            problems.append(
                f"Sheet “{sheet.name}”, row {heading_index + 1}: the column after Q4 must be "
                "headed by the fiscal year, such as 2023-24."
            )
            continue
        year_label = headings[5]
        rows.extend(_unit_rows(sheet, code, heading_index, headings, problems, summaries))
    regions = next((s for s in sheets if s.name == REGIONS_SHEET), None)
    if regions is not None:
        match = YEAR_LABEL.search(text(regions.rows[0][0]) if regions.rows else "")
        rows.extend(_regional_rows(regions, match.group(1) if match else year_label, problems))
    if not rows and not problems:
        problems.append("The workbook holds no figures to import.")
    return rows, problems


def _unit_rows(sheet: Sheet, code: str, heading_index: int, headings, problems, summaries):
    year_label = headings[5]
    prior_labels = headings[6:8]
    expected = _prior_years(year_label, code, summaries)
    for index in range(heading_index + 1, len(sheet.rows)):
        record = list(sheet.rows[index]) + [None] * 8
        number = index + 1
        label = metric_name(record[0])
        if not label and all(v is None or text(v) == "" for v in record[1:8]):
            break  # the blank row before the footnotes ends the table
        common = {"number": number, "unit": code, "metric": label, "sheet": sheet.name}
        for position, period in enumerate(QUARTERS, start=1):
            yield LongFormRow(
                fiscal_year=year_label,
                period=period,
                value=record[position],
                headings={"value": period, "period": period, "metric": METRIC_HEADING},
                **common,
            )
        if (number, 6) not in sheet.formulas:  # a formula: derived from the quarters
            yield LongFormRow(
                fiscal_year=year_label,
                period="FY",
                value=record[5],
                headings={"value": year_label, "period": year_label, "metric": METRIC_HEADING},
                **common,
            )
        for offset, prior in enumerate(prior_labels):
            column = 7 + offset
            given = record[column - 1]
            if isinstance(given, UncachedFormula):
                continue
            on_record = expected.get((label.casefold(), prior))
            if (label.casefold(), prior) not in expected:
                continue  # an unknown metric is reported once, by the pipeline
            if _number(given) != on_record:
                problems.append(
                    f"sheet “{sheet.name}”, row {number}, column “{prior}”: the prior years are "
                    f"shown for reference and are not imported, but {_shown(_number(given))} "
                    f"differs from the {_shown(on_record)} on record. Put it back, or change "
                    f"{prior} in that year's own workbook."
                )


def _prior_years(
    year_label: str, code: str, summaries: dict
) -> dict[tuple[str, str], Decimal | None]:
    """(metric label or code, prior year) -> the year figure on record."""
    from reporting.summary import build_summary

    if year_label not in summaries:
        try:
            summaries[year_label] = build_summary(year_label)
        except FiscalYear.DoesNotExist:
            summaries[year_label] = None
    summary = summaries[year_label]
    if summary is None:
        return {}
    expected = {}
    for section in summary.units:
        if section.code != code:
            continue
        for row in section.rows:
            for prior, figure in zip(section.prior_years, row.prior_years, strict=True):
                expected[(row.label.casefold(), prior)] = figure.value
                expected[(row.code.casefold(), prior)] = figure.value
    return expected


def _regional_rows(sheet: Sheet, year_label: str, problems: list[str]):
    rows = []
    index = 0
    while index < len(sheet.rows):
        record = sheet.rows[index]
        if text(record[0] if record else "").lower() != REGION_HEADING.lower() or index == 0:
            index += 1
            continue
        unit = text(sheet.rows[index - 1][0]) if sheet.rows[index - 1] else ""
        headings = [text(h) for h in record]
        sums: dict[int, Decimal] = {}
        index += 1
        while index < len(sheet.rows):
            record = list(sheet.rows[index]) + [None] * len(headings)
            number = index + 1
            region = text(record[0])
            if not region:
                break
            if region.lower() == TOTAL_LABEL.lower():
                for column in range(1, len(headings)):
                    given = record[column]
                    if not headings[column] or isinstance(given, UncachedFormula):
                        continue
                    total, expected = _number(given), sums.get(column)
                    if total != expected:
                        problems.append(
                            f"sheet “{sheet.name}”, row {number}, column “{headings[column]}”: "
                            f"the total {_shown(total)} is not the sum of the regions above it "
                            f"({_shown(expected)}). Totals are not stored: correct the regional "
                            "figures or the total so that they agree."
                        )
                index += 1
                break
            for column in range(1, len(headings)):
                if not headings[column]:
                    continue
                value = record[column]
                figure = _number(value)
                if figure is not None:
                    sums[column] = sums.get(column, Decimal(0)) + figure
                rows.append(
                    LongFormRow(
                        number=number,
                        unit=unit,
                        metric=headings[column],
                        fiscal_year=year_label,
                        period="FY",
                        region=region,
                        value=value,
                        sheet=sheet.name,
                        headings={
                            "value": headings[column],
                            "metric": headings[column],
                            "region": REGION_HEADING,
                        },
                    )
                )
            index += 1
    return rows
