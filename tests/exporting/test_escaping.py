"""Formula-injection escaping on every export; numbers stay numbers."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from reporting.exporting import export_long, export_report_workbook
from reporting.models import Figure
from tabular.escaping import escape_cell
from tabular.writers import write_table
from units.models import Metric, Unit

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\x00x", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, Decimal("-1.50"), 12, 3.5, None, "plain", "a=b"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert escape_cell(value) == value


def test_xlsx_keeps_numbers_as_numbers_and_hostile_text_as_text():
    content = write_table(
        ["name", "value"], [["=cmd|' /C calc'!A0", -5], ["@x", Decimal("12.50")]], "xlsx"
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["A3"].value == "'@x"
    assert sheet["B3"].value == 12.5 and sheet["B3"].data_type == "n"


def test_csv_and_json_escape_text_and_keep_numbers():
    rows = [["+SUM(1)", -5]]
    text = write_table(["name", "value"], rows, "csv").decode()
    assert list(csv.reader(io.StringIO(text)))[1] == ["'+SUM(1)", "-5"]
    assert json.loads(write_table(["name", "value"], rows, "json")) == [
        {"name": "'+SUM(1)", "value": -5}
    ]


@pytest.fixture
def hostile_note(dataset):
    figure = Figure.objects.filter(region=None).order_by("pk").first()
    Figure.objects.filter(pk=figure.pk).update(note='=HYPERLINK("http://evil")')
    Unit.objects.filter(code="ICE").update(name="-Evil")
    Metric.objects.filter(unit__code="ICE", code="file-intakes").update(label="@Intakes")
    Metric.objects.filter(unit__code="CFSEU").exclude(regional_label="").update(
        regional_label="+Arrests"
    )
    return figure


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_long_form_export_escapes_a_hostile_note(hostile_note, fmt):
    content = export_long(None, fmt)
    assert b"'=HYPERLINK" in content or fmt == "xlsx"
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        notes = [c.value for c in sheet["G"]]
        assert '\'=HYPERLINK("http://evil")' in notes
        assert all(
            not (isinstance(v, str) and v.startswith("="))
            for row in sheet.iter_rows(values_only=True)
            for v in row
        )
        values = [c for c in sheet["F"][1:]]
        assert values and all(c.data_type == "n" for c in values)


def test_report_workbook_escapes_names_labels_and_regions(hostile_note):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    assert book["ICE"]["A2"].value.startswith("'-Evil")
    assert book["ICE"]["A5"].value.startswith("'@Intakes")
    headings = [c.value for row in book["Regions"].iter_rows() for c in row]
    assert "'+Arrests" in headings  # region names cannot start a formula (units.models)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.value.startswith("=SUM(")  # only our own totals


def test_export_command_escapes(hostile_note, tmp_path):
    target = tmp_path / "out.xlsx"
    call_command("export_values", "-o", str(target), stderr=io.StringIO())
    sheet = load_workbook(target).active
    assert '\'=HYPERLINK("http://evil")' in [c.value for c in sheet["G"]]


def test_admin_export_of_the_catalogue_escapes(client, administrator, hostile_note):
    from django.urls import reverse

    client.force_login(administrator)
    response = client.post(
        reverse("admin:units_unit_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"unitresource_{f}": "on" for f in ["code", "name"]},
        },
    )
    assert response.status_code == 200
    assert "'-Evil" in response.content.decode()
