"""Export, import back: nothing changes. Both layouts, every format; idempotence."""

import io

import pytest
from openpyxl import load_workbook

from reporting.exporting import export_long, export_report_workbook
from reporting.models import Figure
from reporting.services import import_file
from tests.importing.helpers import figures as stored_figures
from tests.importing.helpers import record


def edited(content: bytes, changes: dict) -> bytes:
    book = load_workbook(io.BytesIO(content))
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_long_form_exported_and_imported_back_changes_nothing(dataset, fmt):
    before = record()
    outcome = import_file(content=export_long(None, fmt), file_name=f"all.{fmt}")
    assert outcome.counts["new"] == outcome.counts["update"] == outcome.counts["error"] == 0
    assert outcome.counts["unchanged"] == Figure.objects.count()
    assert record() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_long_form_file_rebuilds_the_record_exactly(dataset, fmt):
    figures = stored_figures()
    content = export_long(None, fmt)
    Figure.objects.all().delete()
    outcome = import_file(content=content, file_name=f"all.{fmt}")
    assert outcome.written and outcome.counts["new"] == len(figures)
    assert stored_figures() == figures


def test_report_workbook_exported_and_imported_back_changes_nothing(dataset):
    before = record()
    outcome = import_file(content=export_report_workbook("2023-24"), file_name="report.xlsx")
    assert outcome.batch.layout == "report"
    assert outcome.problems == []
    assert outcome.counts["new"] == outcome.counts["update"] == 0
    assert outcome.counts["unchanged"] == Figure.objects.for_year("2023-24").count()
    assert record() == before


def test_the_same_file_imported_twice_changes_nothing_the_second_time(catalogue):
    content = (
        b"unit,metric,fiscal_year,period,region,value,note\r\nICE,file-intakes,2023-24,Q1,,680,\r\n"
    )
    first = import_file(content=content, file_name="a.csv")
    history = Figure.history.count()
    second = import_file(content=content, file_name="a.csv")
    assert first.counts["new"] == 1
    assert second.counts["unchanged"] == 1 and second.counts["new"] == 0
    assert Figure.history.count() == history


def test_report_sheet_names_each_figure_by_sheet_row_and_column(dataset):
    content = edited(export_report_workbook("2023-24"), {("CFSEU", "D7"): "lots"})
    outcome = import_file(content=content, file_name="report.xlsx")
    assert outcome.problems == [
        "sheet “CFSEU”, row 7, column “Q3”: “lots” is not a number. Write digits only, "
        "for example 1234 or $1,234."
    ]


QUARTERS_ONLY = (
    b"unit,metric,fiscal_year,period,region,value,note\r\n"
    b"ICE,file-intakes,2023-24,Q1,,680,\r\nICE,file-intakes,2023-24,Q2,,872,\r\n"
    b"ICE,file-intakes,2023-24,Q3,,1149,\r\n"
)


def test_report_year_derived_from_quarters_is_a_formula_and_not_stored(catalogue):
    import_file(content=QUARTERS_ONLY, file_name="quarters.csv")
    content = export_report_workbook("2023-24")
    sheet = load_workbook(io.BytesIO(content))["ICE"]
    assert (sheet["A5"].value, sheet["F5"].value) == ("File intakes", "=SUM(B5:E5)")
    outcome = import_file(content=content, file_name="report.xlsx")
    assert outcome.counts["unchanged"] == 3 and outcome.counts["new"] == 0
    assert not Figure.objects.filter(period__period="FY").exists()


def test_report_year_typed_over_the_formula_is_stored_as_the_full_year(catalogue):
    import_file(content=QUARTERS_ONLY, file_name="quarters.csv")
    content = edited(export_report_workbook("2023-24"), {("ICE", "F5"): 4000})
    outcome = import_file(content=content, file_name="report.xlsx")
    assert outcome.counts["new"] == 1
    assert Figure.objects.get(period__period="FY").value == 4000


def test_regional_totals_that_do_not_add_up_are_reported(dataset):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    sheet = book["Regions"]
    total_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Total")
    sheet.cell(total_row, 2).value = 1
    out = io.BytesIO()
    book.save(out)
    before = record()
    outcome = import_file(content=out.getvalue(), file_name="report.xlsx")
    assert outcome.has_errors and record() == before
    (problem,) = outcome.problems
    assert problem.startswith(f"sheet “Regions”, row {total_row}, column “")
    assert "the total 1 is not the sum of the regions above it" in problem


def test_regional_figure_changed_with_a_recalculated_total_is_one_update(dataset):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    sheet = book["Regions"]
    header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Region")
    region, old = sheet.cell(header + 1, 1).value, sheet.cell(header + 1, 2).value
    sheet.cell(header + 1, 2).value = old + 1
    out = io.BytesIO()
    book.save(out)
    outcome = import_file(content=out.getvalue(), file_name="report.xlsx")
    assert outcome.problems == []
    assert outcome.counts["update"] == 1
    (changed,) = [p for p in outcome.rows if p.action == "update"]
    assert (changed.row.region, changed.value) == (region, old + 1)


def test_prior_year_column_edited_is_reported_not_lost(dataset):
    sheet = load_workbook(io.BytesIO(export_report_workbook("2023-24")))["ICE"]
    assert sheet["G4"].value == "2022-23"
    content = edited(export_report_workbook("2023-24"), {("ICE", "G5"): 1})
    outcome = import_file(content=content, file_name="report.xlsx")
    (problem,) = outcome.problems
    assert problem.startswith("sheet “ICE”, row 5, column “2022-23”: the prior years are shown")


def test_report_sheet_with_an_unknown_unit_name_is_named(dataset):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    book["CFSEU"].title = "CFSUE"
    out = io.BytesIO()
    book.save(out)
    outcome = import_file(content=out.getvalue(), file_name="report.xlsx")
    assert any(
        p.startswith("Sheet “CFSUE” is not named after a unit") and "Did you mean “CFSEU”?" in p
        for p in outcome.problems
    )


def test_report_metric_label_misspelt_gets_a_suggestion(dataset):
    content = edited(export_report_workbook("2023-24"), {("ICE", "A5"): "File intake"})
    outcome = import_file(content=content, file_name="report.xlsx")
    assert any(
        p.startswith(
            "sheet “ICE”, row 5, column “Metric”: ICE has no metric “File intake”. "
            "Did you mean “File intakes”?"
        )
        for p in outcome.problems
    ), outcome.problems[:3]


def test_report_saved_by_a_spreadsheet_program_with_cached_formulas_round_trips(dataset):
    """LibreOffice and Excel save each formula with its result; the derived
    year is still recognised as a formula and not stored."""
    import zipfile

    content = export_report_workbook("2023-24")
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v />", b"<v>0</v>").replace(b"<v></v>", b"<v>0</v>")
            target.writestr(item, data)
    outcome = import_file(content=out.getvalue(), file_name="saved.xlsx")
    assert outcome.counts["new"] == outcome.counts["update"] == 0
    # cached totals of 0 do not add up, and say so: the check reads cached values
    assert all("is not the sum of the regions" in p for p in outcome.problems)
