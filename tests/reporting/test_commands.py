"""import_values and export_values: the long form on the command line."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.importing.longform import COLUMNS
from reporting.models import Figure, ImportBatch
from tests.seed import expected_figures


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_values", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return sorted(
        Figure.objects.values_list(
            "metric__unit__code",
            "metric__code",
            "period__fiscal_year__label",
            "period__period",
            "region__name",
            "value",
            "note",
        ),
        key=str,
    )


def test_export_prints_every_seed_figure_and_no_other(dataset):
    rows = list(csv.DictReader(StringIO(export())))
    assert len(rows) == len(expected_figures())
    assert tuple(rows[0]) == COLUMNS
    drugs_q3 = [
        r for r in rows if r["metric"] == "est-value-of-drugs-seized" and r["period"] == "Q3"
    ]
    assert [r["value"] for r in drugs_q3] == ["2725161"]


def test_export_filters_by_year_and_unit(dataset):
    rows = list(csv.DictReader(StringIO(export("--fiscal-year", "2022-23", "--unit", "CFSEU"))))
    assert {(r["unit"], r["fiscal_year"]) for r in rows} == {("CFSEU", "2022-23")}
    assert len(rows) == 5


def test_export_refuses_an_unknown_year(dataset):
    with pytest.raises(CommandError, match="no fiscal year 2031-32"):
        export("--fiscal-year", "2031-32")


def test_export_then_import_into_an_empty_database_reproduces_it(dataset, tmp_path):
    before = snapshot()
    path = tmp_path / "all.csv"
    call_command("export_values", "-o", str(path), stderr=StringIO())
    Figure.objects.all().delete()
    call_command("import_values", str(path), stdout=StringIO())
    assert snapshot() == before


def test_dry_run_writes_nothing_but_records_the_preview(catalogue, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(
        "unit,metric,fiscal_year,period,region,value,note\nICE,file-intakes,2023-24,Q1,,680,\n"
    )
    out = StringIO()
    call_command("import_values", str(path), "--dry-run", stdout=out)
    assert Figure.objects.count() == 0
    assert "1 new" in out.getvalue()
    assert ImportBatch.objects.get().status == ImportBatch.Status.DRY_RUN


def test_a_rejected_row_fails_the_command_and_writes_nothing(catalogue, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "unit,metric,fiscal_year,period,region,value,note\n"
        "ICE,file-intakes,2023-24,Q1,,680,\n"
        "ICE,file-intakes,2023-24,Q2,,12.5,\n"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_values", str(path), stdout=StringIO(), stderr=err)
    assert Figure.objects.count() == 0
    assert "row 3, column “value”: 12.5 is not a whole number" in err.getvalue()


def test_import_writes_history_naming_the_file(catalogue, tmp_path):
    path = tmp_path / "q1.csv"
    path.write_text(
        "unit,metric,fiscal_year,period,region,value,note\nICE,file-intakes,2023-24,Q1,,680,\n"
    )
    call_command("import_values", str(path), stdout=StringIO())
    record = Figure.history.get()
    assert record.history_type == "+"
    assert "q1.csv" in record.history_change_reason
    assert record.import_batch.file_name == "q1.csv"
