"""Unit codes, metric codes and region names stay inert in every file: the
database refuses a bad one (named constraints), clean() says why in words."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from openpyxl import load_workbook

from reporting.exporting import export_long, export_report_workbook
from reporting.exporting.report import METRIC_HEADING, REGION_HEADING, REGIONS_SHEET, TOTAL_LABEL
from reporting.services import import_file
from tabular.escaping import sheet_title
from tabular.writers import write_table
from units.models import RESERVED_REGION_NAMES, RESERVED_UNIT_CODES, Metric, Region, Unit

BAD_UNIT_CODES = ["=1+2", "A/B", "ICE[1]", "A:B", "A?", "A*", "A\\B", "ice", "-ICE", "_ICE", "I E"]
BAD_METRIC_CODES = ["=1+2", "a/b", "x[1]", "File-Intakes", "-intakes", "file intakes"]
BAD_REGION_NAMES = ["=1+2", "+Calgary", "-Calgary", "@Calgary", " Calgary", "Calgary ", "Red\tDeer"]


@pytest.fixture
def unit(db) -> Unit:
    return Unit.objects.create(code="ICE", name="Internet Child Exploitation", program="Kids")


@pytest.mark.parametrize("code", [*BAD_UNIT_CODES, "REGIONS", "REGION", "HISTORY", "X" * 21])
def test_the_database_refuses_a_bad_unit_code(db, code):
    # PostgreSQL refuses an over-long code as too long for the column (DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Unit.objects.create(code=code, name="Unit", program="Program")


@pytest.mark.parametrize("code", ["ICE", "CFSEU", "AUTO", "FIREARMS", "K-9", "UNIT_2"])
def test_good_unit_codes_are_taken(db, code):
    Unit(code=code, name="Unit", program="Program").full_clean()
    Unit.objects.create(code=code, name="Unit", program="Program")


@pytest.mark.parametrize("code", BAD_UNIT_CODES)
def test_a_bad_unit_code_is_refused_in_words(db, code):
    with pytest.raises(ValidationError) as refused:
        Unit(code=code, name="Unit", program="Program").full_clean()
    message = " ".join(refused.value.message_dict["code"])
    assert "capital letters, digits, - and _" in message or "begin it with a letter" in message


@pytest.mark.parametrize("code", ["Regions", "REGIONS", "Region", "History"])
def test_a_unit_code_the_workbook_uses_itself_is_refused(db, code):
    with pytest.raises(ValidationError) as refused:
        Unit(code=code, name="Unit", program="Program").full_clean()
    (message,) = refused.value.message_dict["code"]
    assert "workbook" in message or "capital letters" in message


def test_every_name_the_workbook_uses_is_reserved():
    for name in (REGIONS_SHEET, REGION_HEADING, METRIC_HEADING, TOTAL_LABEL):
        assert name.upper() in RESERVED_UNIT_CODES
    for name in (REGIONS_SHEET, REGION_HEADING, TOTAL_LABEL):
        assert name.lower() in RESERVED_REGION_NAMES


@pytest.mark.parametrize("code", [*BAD_METRIC_CODES, "x" * 101])
def test_the_database_refuses_a_bad_metric_code(unit, code):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Metric.objects.create(unit=unit, code=code, label="A metric")


@pytest.mark.parametrize("code", BAD_METRIC_CODES)
def test_a_bad_metric_code_is_refused_in_words(unit, code):
    with pytest.raises(ValidationError) as refused:
        Metric(unit=unit, code=code, label="A metric").full_clean()
    assert "code" in refused.value.message_dict


def test_a_metric_code_made_from_its_label_is_a_good_code(unit):
    metric = Metric.objects.create(unit=unit, label="Est. value of drugs seized ($)")
    assert metric.code == "est-value-of-drugs-seized"
    metric.full_clean()


@pytest.mark.parametrize("name", [*BAD_REGION_NAMES, "Total", "TOTAL", "Region", "regions"])
def test_the_database_refuses_a_bad_region_name(db, name):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name=name)


@pytest.mark.parametrize("name", [*BAD_REGION_NAMES, "Total", "Red/Deer", "Red[Deer]"])
def test_a_bad_region_name_is_refused_in_words(db, name):
    with pytest.raises(ValidationError) as refused:
        Region(name=name).full_clean()
    assert "cannot be a region name" in " ".join(refused.value.message_dict["name"])


@pytest.mark.parametrize("name", ["Fort McMurray", "Grande Prairie", "St. Albert", "Lac La Biche"])
def test_region_names_as_printed_are_taken(db, name):
    Region(name=name).full_clean()
    Region.objects.create(name=name)


def test_the_shipped_catalogue_keeps_to_the_rules(dataset):
    for entry in [*Unit.objects.all(), *Metric.objects.all(), *Region.objects.all()]:
        entry.full_clean()


def test_the_catalogue_import_refuses_a_bad_code_in_words(client, administrator):
    from django.urls import reverse

    client.force_login(administrator)
    upload = io.BytesIO(
        b"code,name,program,team,description,display_order,active\r\n"
        b"REGIONS,Regions,Program,,,1,true\r\n"
    )
    upload.name = "units.csv"
    response = client.post(
        reverse("admin:units_unit_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    assert "the report workbook uses that name" in response.content.decode()
    assert not Unit.objects.filter(code="REGIONS").exists()


@pytest.mark.parametrize("name", ["A/B", "A\\B", "A?", "A*", "[A]", "A:B", "'A'", "X" * 40])
def test_a_sheet_name_is_always_one_a_spreadsheet_accepts(name):
    title = sheet_title(name)
    assert not set(title) & set("/\\?*[]:") and len(title) <= 31
    assert not title.startswith("'") and not title.endswith("'")
    content = write_table(["a"], [["b"]], "xlsx", title=name)  # openpyxl refuses bad names
    assert load_workbook(io.BytesIO(content)).active.title == title


@pytest.fixture
def hostile_catalogue(dataset):
    """Every text the workbooks print, set to a formula (codes cannot be)."""
    Unit.objects.filter(code="CFSEU").update(
        name="=1+2", program="=1+2", team="=1+2", description="=1+2"
    )
    Metric.objects.filter(unit__code="CFSEU").update(
        label="=1+2", note="=1+2", regional_label="=1+2"
    )


def _live_formulas(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" and not str(cell.value).startswith("=SUM(")
    ]


def test_no_text_becomes_a_live_formula_in_the_report_workbook(hostile_catalogue):
    assert _live_formulas(export_report_workbook("2023-24")) == []


def test_no_text_becomes_a_live_formula_in_the_long_form_workbook(hostile_catalogue):
    assert _live_formulas(export_long(None, "xlsx")) == []


def test_every_unit_has_its_sheet_and_the_workbook_imports_back(dataset):
    Unit.objects.create(code="K-9_UNIT", name="Dogs", program="Dogs", display_order=99)
    content = export_report_workbook("2023-24")
    names = load_workbook(io.BytesIO(content)).sheetnames
    assert set(Unit.objects.values_list("code", flat=True)) <= set(names)
    assert names[-1] == REGIONS_SHEET
    outcome = import_file(content=content, file_name="report.xlsx")
    assert outcome.problems == []
