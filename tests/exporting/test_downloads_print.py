"""The downloads carry what the page shows and print well: the CSV every year
the page shows, the report-layout workbook set up to print each unit on one
landscape page with its headings repeated; both keep the formula escaping."""

import csv
import io
import re
import subprocess

from django.urls import reverse
from openpyxl import load_workbook

from reporting.exporting import export_report_workbook
from reporting.models import Figure
from units.models import Metric

PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def test_every_unit_sheet_prints_landscape_one_page_wide_with_repeated_headings(dataset):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    assert book.sheetnames == [
        "ICE",
        "HTCE",
        "CISA",
        "CFSEU",
        "AUTO",
        "FIREARMS",
        "ALERT-wide",
        "Regions",
    ]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.print_title_rows, sheet.title
    assert book["ICE"].print_title_rows == "$1:$4"  # heading, unit, blank, column headings


def test_a_unit_sheet_has_only_the_prior_years_it_has_figures_in(dataset):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    assert [c.value for c in book["FIREARMS"][4]] == ["Metric", "Q1", "Q2", "Q3", "Q4", "2023-24"]
    assert [c.value for c in book["ICE"][4]][5:] == [
        "2023-24",
        "2022-23",
        "2021-22",
        "Change from 2022-23",
    ]


def test_both_downloads_keep_the_formula_escaping(client, dataset, leader):
    Metric.objects.filter(unit__code="ICE", code="file-intakes").update(label="=HYPERLINK(1)")
    Figure.objects.filter(
        metric__unit__code="ICE",
        metric__code="charges-laid",
        period__fiscal_year__label="2022-23",
        period__period="FY",
    ).update(public_note="+cmd|' /C calc'!A0")
    client.force_login(leader)
    book = load_workbook(
        io.BytesIO(
            client.get(
                reverse("reporting:download_xlsx", kwargs={"fiscal_year": "2023-24"})
            ).content
        )
    )
    labels = [row[0].value for row in book["ICE"].iter_rows(min_row=5)]
    assert "'=HYPERLINK(1)" in labels
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("reporting:download_csv", kwargs={"fiscal_year": "2023-24"})
                ).content.decode()
            )
        )
    )
    # The prior year's public note is in the file (it carries every year shown), escaped.
    assert "'+cmd|' /C calc'!A0" in {row["public_note"] for row in rows}


def test_libreoffice_prints_each_sheet_of_the_workbook_on_one_page(dataset, soffice, tmp_path):
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
    pdf = (tmp_path / "out" / "report.pdf").read_bytes()
    # Six unit sheets, the ALERT-wide totals and the regions: eight printed pages, not 24.
    assert len(PDF_PAGE.findall(pdf)) == 8
