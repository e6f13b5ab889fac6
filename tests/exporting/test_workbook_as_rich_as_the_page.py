"""The report-layout workbook carries what the page shows (issue 23): an
ALERT-wide sheet, the change from last year, regional totals as values, and
money without a trailing point, as LibreOffice renders it."""

import io
import re
import shutil
import subprocess
from decimal import Decimal

from openpyxl import load_workbook

from reporting import services
from reporting.exporting import export_report_workbook
from reporting.importing.report import rows_from_report
from reporting.models import FiscalYear
from tabular.readers import read_sheets
from units.models import Metric

PDFTOTEXT = shutil.which("pdftotext") or "pdftotext"


def _book(label: str = "2023-24"):
    return load_workbook(io.BytesIO(export_report_workbook(label)))


def _row(sheet, label: str) -> list:
    for row in sheet.iter_rows(values_only=True):
        if row[0] and str(row[0]).startswith(label):
            return list(row)
    raise AssertionError(f"no row {label!r} in {sheet.title}")


def test_the_alert_wide_sheet_holds_the_totals_with_the_units_counted_and_the_change(dataset):
    sheet = _book()["ALERT-wide"]
    assert [c.value for c in sheet[4]] == [
        "Metric",
        "Units counted",
        "2023-24",
        "2022-23",
        "2021-22",
        "Change from 2022-23",
        "Units in both years (the change)",
    ]
    charges = _row(sheet, "Charges laid")
    assert charges[1] == "ICE + HTCE + CFSEU + FIREARMS"
    assert charges[2:4] == [1631, 1546]
    # As on the page: the change over the units reported in both years.
    assert charges[5:7] == [-89, "ICE + HTCE + CFSEU"]
    assert sheet.cell(sheet.max_row, 1).value.startswith("(1) Suspects charged: ALERT published")


def test_each_unit_sheet_ends_with_the_change_from_last_year_in_a_signed_format(dataset):
    sheet = _book()["CFSEU"]
    assert sheet.cell(4, 9).value == "Change from 2022-23"
    charges = _row(sheet, "Charges laid")
    assert charges[8] == -288
    drugs = next(r for r in sheet.iter_rows(min_row=5) if str(r[0].value).startswith("Est."))
    assert drugs[8].value == -5564106
    assert drugs[8].number_format == '+"$"#,##0;-"$"#,##0;"$"#,##0'
    # A unit with no figures last year has no change column.
    assert _book()["FIREARMS"].max_column == 6


def test_every_formula_carries_its_result_and_the_workbook_still_imports(dataset):
    content = export_report_workbook("2023-24")
    formulas = load_workbook(io.BytesIO(content))["Regions"]
    values = load_workbook(io.BytesIO(content), data_only=True)["Regions"]
    totals = [r for r in range(1, formulas.max_row + 1) if formulas.cell(r, 1).value == "Total"]
    assert totals, "no totals row"
    for row in totals:
        for column in range(2, formulas.max_column + 1):
            formula = formulas.cell(row, column).value
            if formula is None:
                continue
            assert str(formula).startswith("=SUM(")  # recalculated where a region is edited
            assert values.cell(row, column).value is not None  # and readable without a program
    cfseu = [values.cell(r, c).value for r in totals for c in range(2, values.max_column + 1)]
    assert 5334163 in cfseu  # CFSEU's drugs, as on the page
    # A year derived from its quarters is a formula with its result too.
    ice = load_workbook(io.BytesIO(content), data_only=True)["ICE"]
    assert all(ice.cell(r, 6).value is not None for r in range(5, 11))
    # Read back, the workbook changes nothing: the totals agree with their regions.
    rows, problems = rows_from_report(read_sheets(content, "report.xlsx", "xlsx"))
    assert problems == [] and rows


def test_money_has_cents_only_where_a_figure_has_cents(dataset, administrator):
    sheet = _book()["CFSEU"]
    drugs = next(r for r in sheet.iter_rows(min_row=5) if str(r[0].value).startswith("Est."))
    assert drugs[5].number_format == '"$"#,##0'
    year = FiscalYear.objects.get(label="2023-24")
    metric = Metric.objects.get(unit__code="CFSEU", code="proceeds-of-crime-seized")
    services.record_figure(
        metric=metric,
        period=year.periods.get(period="FY"),
        value=Decimal("632294.50"),
        user=administrator,
        source="test",
    )
    row = next(
        r for r in _book()["CFSEU"].iter_rows(min_row=5) if str(r[0].value).startswith("Proceeds")
    )
    assert row[5].number_format == '"$"#,##0.00'


def test_libreoffice_renders_money_without_a_trailing_point(dataset, soffice, tmp_path):
    source = tmp_path / "report.xlsx"
    source.write_bytes(export_report_workbook("2023-24"))
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(tmp_path / "out" / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "$5,334,163" in text and "$10,898,269" in text  # CFSEU's drugs, both years
    assert "-$5,564,106" in text  # the change, signed, in the same format
    assert re.findall(r"\$[\d,]+\.(?!\d)", text) == []  # no "$5,334,163."
    assert "ALERT-wide totals" in text
