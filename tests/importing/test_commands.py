"""import_values and export_values: layouts, formats, progress, summary, exit status."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reporting.models import Figure
from tests.importing.helpers import long_csv, record


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_format_follows_the_output_extension_and_round_trips(dataset, tmp_path, fmt):
    target = tmp_path / f"figures.{fmt}"
    run("export_values", "--fiscal-year", "2023-24", "-o", str(target))
    assert target.read_bytes()
    before = record()
    out, _ = run("import_values", str(target))
    assert "0 new, 0 updated, 159 unchanged, 0 skipped, 0 rejected" in out
    assert record() == before


def test_explicit_format_wins_over_the_extension(dataset, tmp_path):
    target = tmp_path / "figures.data"
    run("export_values", "--format", "json", "-o", str(target))
    assert target.read_text().startswith("[")


def test_unknown_extension_without_format_is_refused(dataset, tmp_path):
    with pytest.raises(CommandError, match="name it .csv, .xlsx or .json"):
        run("export_values", "-o", str(tmp_path / "figures.txt"))


def test_report_layout_exports_a_workbook_that_imports_back_unchanged(dataset, tmp_path):
    target = tmp_path / "ALERT 2023-24.xlsx"
    run("export_values", "--layout", "report", "--fiscal-year", "2023-24", "-o", str(target))
    book = load_workbook(target)
    assert book.sheetnames[:2] == ["ICE", "HTCE"] and book.sheetnames[-1] == "Regions"
    out, _ = run("import_values", str(target))
    assert "(report layout" in out and "0 new, 0 updated, 159 unchanged" in out


def test_report_layout_needs_a_year_and_xlsx(dataset, tmp_path):
    with pytest.raises(CommandError, match="give --fiscal-year"):
        run("export_values", "--layout", "report", "-o", str(tmp_path / "r.xlsx"))
    with pytest.raises(CommandError, match="use --format xlsx"):
        run("export_values", "--layout", "report", "--fiscal-year", "2023-24", "--format", "csv")


def test_rejected_file_exits_non_zero_and_writes_nothing(catalogue, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        long_csv(
            ["ICE", "file-intakes", "2023-24", "Q1", "", "680", ""],
            ["ICE", "file-intakes", "2023-24", "Q2", "", "-3", ""],
        )
    )
    # CommandError is how a command exits with status 1.
    with pytest.raises(CommandError, match="nothing was written"):
        run("import_values", str(path))
    assert not Figure.objects.exists()


def test_long_file_shows_a_progress_bar_and_a_closing_summary(catalogue, tmp_path):
    from units.models import Metric

    metrics = list(Metric.objects.select_related("unit"))
    rows = [
        [m.unit.code, m.code, year, period, "", str(n), ""]
        for n, (m, year, period) in enumerate(
            (m, y, p)
            for m in metrics
            for y in ("2021-22", "2022-23", "2023-24")
            for p in ("Q1", "Q2", "Q3", "Q4", "FY")
        )
    ]
    from units.models import Region

    regions = list(Region.objects.all())
    rows += [
        [m.unit.code, m.code, y, "FY", r.name, "1", ""]
        for m in metrics
        if m.regional_label  # only metrics reported by region have regional figures
        for y in ("2021-22", "2022-23", "2023-24")
        for r in regions
    ]
    path = tmp_path / "long.csv"
    path.write_bytes(long_csv(*rows))
    from reporting.management.commands import import_values

    original = import_values.PROGRESS_FROM
    import_values.PROGRESS_FROM = 100
    try:
        out, err = run("import_values", str(path))
    finally:
        import_values.PROGRESS_FROM = original
    assert f"{len(rows):,}/{len(rows):,} figures written" in err
    assert "[##############################]" in err
    assert f"{len(rows)} new, 0 updated, 0 unchanged, 0 skipped, 0 rejected" in out
