"""Templates to fill in: every figure a unit is expected to report in a year,
its value left blank.

The long form with a row per metric and period (Q1-Q4 and FY), then a row
per regional metric and region (full year) for a unit that reports by region.
There is no ``note`` column: leaving it out keeps the notes on record (add
one to record notes). Beside each metric's code, its label as the report
prints it (``metric_label``, a column the import passes over). Importing a template untouched changes nothing: a
blank value is *not reported* and is skipped. The report-layout template is
``export_report_workbook(year, units=..., every_region=True)``.
"""

from collections.abc import Iterable

from reporting.importing.longform import IGNORED_COLUMNS, KEY_COLUMNS
from reporting.models import FiscalYear, ReportingPeriod
from tabular.writers import write_table
from units.models import Metric, Region, Unit

HEADINGS = (KEY_COLUMNS[0], KEY_COLUMNS[1], *IGNORED_COLUMNS, *KEY_COLUMNS[2:], "value")
PERIODS = (*ReportingPeriod.QUARTERS, "FY")


def expected_rows(fiscal_year: FiscalYear, units: Iterable[Unit]) -> list[list[object]]:
    """Every figure the units are expected to report in the year, blank."""
    codes = {unit.pk: unit.code for unit in units}
    metrics = list(
        Metric.objects.active()
        .filter(unit_id__in=codes)
        .order_by("unit__display_order", "unit__code", "display_order", "code")
    )
    regions = list(Region.objects.values_list("name", flat=True))
    label = fiscal_year.label
    rows: list[list[object]] = []
    for unit_id in dict.fromkeys(m.unit_id for m in metrics):
        mine = [m for m in metrics if m.unit_id == unit_id]
        code = codes[unit_id]
        rows += [
            [code, m.code, m.label, label, period, "", None] for m in mine for period in PERIODS
        ]
        rows += [
            [code, m.code, f"{m.regional_label} — {m.label.lower()}", label, "FY", region, None]
            for m in mine
            if m.regional_label
            for region in regions
        ]
    return rows


def long_form_template(fiscal_year: FiscalYear, units: Iterable[Unit], fmt: str = "csv") -> bytes:
    return write_table(HEADINGS, expected_rows(fiscal_year, units), fmt, title=fiscal_year.label)
