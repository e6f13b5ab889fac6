"""No float anywhere a figure leaves the system: the largest figure we hold and a
single cent come out exactly in every file, the API and the summary's downloads,
and read back as the same Decimal."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from reporting.exporting import export_long, export_report_workbook
from reporting.models import Figure
from reporting.services import import_file
from reporting.validation import MAX_VALUE, parse_value
from tabular.readers import read_sheets
from tabular.writers import write_table
from units.models import Metric

LARGEST = Decimal("9999999999999.99")
CENT = Decimal("0.01")


def _no_float(text: str) -> float:
    raise AssertionError(f"a figure was written as a JSON number: {text}")


@pytest.fixture
def extremes(dataset) -> dict[str, Figure]:
    """CFSEU's drugs seized in Q1 and Q2 2023-24: the largest figure and one cent."""
    figures = {
        period: Figure.objects.get(
            metric__unit__code="CFSEU",
            metric__code="est-value-of-drugs-seized",
            period__fiscal_year__label="2023-24",
            period__period=period,
            region=None,
        )
        for period in ("Q1", "Q2")
    }
    Figure.objects.filter(pk=figures["Q1"].pk).update(value=LARGEST)
    Figure.objects.filter(pk=figures["Q2"].pk).update(value=CENT)
    return figures


def test_the_largest_figure_is_what_every_database_and_spreadsheet_holds_exactly():
    assert MAX_VALUE == LARGEST
    assert len(MAX_VALUE.as_tuple().digits) == 15
    assert Decimal(repr(float(MAX_VALUE))) == MAX_VALUE


def test_a_larger_figure_is_refused_on_entry_and_by_the_database(extremes):
    with pytest.raises(ValidationError, match="larger than any figure"):
        parse_value("99999999999999.99", Metric.ValueType.CURRENCY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.filter(pk=extremes["Q1"].pk).update(value=Decimal("99999999999999.99"))


def test_the_figures_are_stored_and_read_back_exactly(extremes):
    assert Figure.objects.get(pk=extremes["Q1"].pk).value == LARGEST
    assert Figure.objects.get(pk=extremes["Q2"].pk).value == CENT


def _long_values(content: bytes, fmt: str) -> list[Decimal]:
    """The value column as our reader reads the file, through parse_value."""
    (sheet,) = read_sheets(content, f"figures.{fmt}", fmt)
    position = [str(h) for h in sheet.rows[0]].index("value")
    return [parse_value(row[position], "currency") for row in sheet.rows[1:]]


def _numbers(sheet) -> list[Decimal]:
    """Every quarter cell of a report sheet that holds a figure, through parse_value."""
    found = []
    for row in sheet.rows:
        for cell in row[1:5]:
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                found.append(parse_value(cell, "currency"))
    return found


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_long_form_files_hold_the_figures_exactly(extremes, fmt):
    content = export_long("2023-24", fmt)
    values = _long_values(content, fmt)
    assert LARGEST in values and CENT in values
    if fmt == "json":
        rows = json.loads(content, parse_float=_no_float, parse_int=_no_float)
        assert {"9999999999999.99", "0.01"} <= {row["value"] for row in rows}
    if fmt == "csv":
        text = content.decode()
        assert ",9999999999999.99," in text and ",0.01," in text
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        cells = [c for c in sheet["F"][1:] if c.value is not None]
        assert all(c.data_type == "n" for c in cells)  # numbers, so sums work


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_long_form_files_import_back_unchanged(extremes, fmt):
    outcome = import_file(content=export_long(None, fmt), file_name=f"all.{fmt}")
    assert outcome.counts["update"] == outcome.counts["error"] == 0
    assert Figure.objects.get(pk=extremes["Q1"].pk).value == LARGEST
    assert Figure.objects.get(pk=extremes["Q2"].pk).value == CENT


def test_a_value_beyond_a_spreadsheets_digits_is_written_as_exact_text():
    """Not a figure we accept, but a sum of them can be: never rounded."""
    beyond = Decimal("99999999999999.99")
    content = write_table(["value"], [[beyond], [CENT]], "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "99999999999999.99" and sheet["A2"].data_type == "s"
    assert sheet["A3"].data_type == "n"
    (read,) = read_sheets(content, "big.xlsx", "xlsx")
    assert [Decimal(v if isinstance(v, str) else repr(v)) for (v,) in read.rows[1:]] == [
        beyond,
        CENT,
    ]
    rows = json.loads(write_table(["value"], [[beyond]], "json"), parse_float=_no_float)
    assert rows == [{"value": "99999999999999.99"}]
    assert "99999999999999.99" in write_table(["value"], [[beyond]], "csv").decode()


def test_report_workbook_holds_the_figures_exactly_and_imports_back(extremes):
    content = export_report_workbook("2023-24")
    sheets = {s.name: s for s in read_sheets(content, "report.xlsx", "xlsx")}
    cells = _numbers(sheets["CFSEU"])
    assert LARGEST in cells and CENT in cells
    outcome = import_file(content=content, file_name="report.xlsx")
    assert outcome.problems == []
    assert outcome.counts["update"] == outcome.counts["new"] == 0
    assert Figure.objects.get(pk=extremes["Q1"].pk).value == LARGEST


def test_the_summary_pages_downloads_hold_the_figures_exactly(extremes, client, leader):
    client.force_login(leader)
    text = client.get(reverse("reporting:download_csv", args=["2023-24"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"9999999999999.99", "0.01"} <= {row["value"] for row in rows}
    content = client.get(reverse("reporting:download_xlsx", args=["2023-24"])).content
    sheets = {s.name: s for s in read_sheets(content, "report.xlsx", "xlsx")}
    cells = _numbers(sheets["CFSEU"])
    assert LARGEST in cells and CENT in cells


def test_the_api_writes_the_figures_as_exact_strings(extremes, client, administrator):
    client.force_login(administrator)
    for period, expected in (("Q1", "9999999999999.99"), ("Q2", "0.01")):
        detail = client.get(reverse("api:figure-detail", args=[extremes[period].pk]))
        assert json.loads(detail.content, parse_float=_no_float)["value"] == expected
    listed = client.get(
        reverse("api:figure-list"), {"fiscal_year": "2023-24", "unit": "CFSEU", "page_size": 1000}
    )
    values = {row["value"] for row in json.loads(listed.content, parse_float=_no_float)["results"]}
    assert {"9999999999999.99", "0.01"} <= values


def test_the_api_summary_writes_the_figures_and_sums_as_exact_strings(
    extremes, client, administrator
):
    client.force_login(administrator)
    response = client.get(reverse("api:summary", args=["2023-24"]))
    summary = json.loads(response.content, parse_float=_no_float)
    cfseu = next(u for u in summary["units"] if u["code"] == "CFSEU")
    drugs = next(r for r in cfseu["rows"] if r["code"] == "est-value-of-drugs-seized")
    assert drugs["quarters"][:2] == ["9999999999999.99", "0.01"]
    quarters = sum(Decimal(q) for q in drugs["quarters"] if q is not None)
    if drugs["year"]["source"] != "recorded":
        assert Decimal(drugs["year"]["value"]) == quarters


def test_a_figure_written_through_the_api_comes_back_exactly(extremes, client, administrator):
    client.force_login(administrator)
    response = client.patch(
        reverse("api:figure-detail", args=[extremes["Q2"].pk]),
        data=json.dumps({"value": "9999999999999.98"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert json.loads(response.content, parse_float=_no_float)["value"] == "9999999999999.98"
