"""Every bad input gets a message a clerk can act on, and changes nothing."""

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from reporting.importing.longform import COLUMNS
from reporting.models import FiscalYear, ImportBatch
from reporting.services import import_file
from tests.importing.helpers import long_csv, long_xlsx, record
from tests.years import publish

GOOD = ["ICE", "file-intakes", "2023-24", "Q1", "", "680", ""]


def rejected(content: bytes, name: str = "figures.csv", user=None) -> list[str]:
    """Import a file that must be refused; return its messages."""
    before = record()
    outcome = import_file(content=content, file_name=name, user=user, source="command")
    assert outcome.has_errors
    assert not outcome.written
    assert outcome.batch.status == ImportBatch.Status.REJECTED
    assert record() == before
    return outcome.problems


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["ICEE", "file-intakes", "2023-24", "Q1", "", "1", ""],
            "row 2, column “unit”: There is no unit “ICEE”. Did you mean “ICE”?",
        ),
        (
            ["ICE", "file-intake", "2023-24", "Q1", "", "1", ""],
            "row 2, column “metric”: ICE has no metric “file-intake”. Did you mean “file-intakes”?",
        ),
        (
            ["CFSEU", "charges-laid", "2023-24", "FY", "Calgray", "1", ""],
            "row 2, column “region”: There is no region “Calgray”. Did you mean “Calgary”?",
        ),
        (
            ["ICE", "file-intakes", "2030-31", "Q1", "", "1", ""],
            "row 2, column “fiscal_year”: The fiscal year 2030-31 has not been set up",
        ),
        (["ICE", "file-intakes", "2023", "Q1", "", "1", ""], "row 2, column “fiscal_year”:"),
        (
            ["ICE", "file-intakes", "2023-24", "Q5", "", "1", ""],
            "row 2, column “period”: “Q5” is not a period: use Q1, Q2, Q3, Q4, or FY",
        ),
        (
            ["ICE", "file-intakes", "2023-24", "Q1", "", "twelve", ""],
            "row 2, column “value”: “twelve” is not a number",
        ),
        (["ICE", "file-intakes", "2023-24", "Q1", "", "-5", ""], "row 2, column “value”:"),
        (["ICE", "file-intakes", "2023-24", "Q1", "", "12.5", ""], "row 2, column “value”:"),
        (
            ["CFSEU", "est-value-of-drugs-seized", "2023-24", "FY", "", "$2,741025", ""],
            "row 2, column “value”:",
        ),
        (
            ["CFSEU", "est-value-of-drugs-seized", "2023-24", "FY", "", "12.345", ""],
            "row 2, column “value”:",
        ),
    ],
)
def test_bad_row_is_rejected_with_its_row_column_and_fix(catalogue, row, expected):
    problems = rejected(long_csv(row))
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_in_a_file_is_reported_at_once(catalogue):
    problems = rejected(
        long_csv(
            GOOD,
            ["ICEE", "file-intakes", "2023-24", "Q1", "", "1", ""],
            ["ICE", "file-intakes", "2023-24", "Q9", "", "1", ""],
            ["ICE", "file-intakes", "2023-24", "Q2", "", "-1", ""],
        )
    )
    assert [p.split(",")[0] for p in problems] == ["row 3", "row 4", "row 5"]


def test_malformed_amount_from_the_seed_is_never_read_silently(catalogue):
    (problem,) = rejected(
        long_csv(["CFSEU", "est-value-of-drugs-seized", "2023-24", "FY", "", "$2,741025", ""])
    )
    assert "“2,741025” has its thousands separators in the wrong places" in problem
    assert "(2,741,025)" in problem


def test_blank_value_is_skipped_not_stored_as_zero(catalogue):
    outcome = import_file(
        content=long_csv(GOOD, ["ICE", "charges-laid", "2023-24", "Q1", "", "", ""]),
        file_name="x.csv",
    )
    assert outcome.counts == {"new": 1, "update": 0, "unchanged": 0, "skip": 1, "error": 0}
    from reporting.models import Figure

    assert not Figure.objects.filter(metric__code="charges-laid").exists()


def test_same_figure_twice_with_different_values_names_both_rows(catalogue):
    (problem,) = rejected(long_csv(GOOD, ["ICE", "file-intakes", "2023-24", "Q1", "", "681", ""]))
    assert problem.startswith("row 3, column “value”: this figure is also given in row 2")


def test_same_figure_twice_with_the_same_value_is_imported_once(catalogue):
    outcome = import_file(content=long_csv(GOOD, GOOD), file_name="x.csv")
    assert outcome.written and outcome.counts["new"] == 1 and outcome.counts["skip"] == 1


def test_figure_in_a_locked_year_is_refused_saying_who_locked_it(catalogue, administrator, clerk):
    publish(FiscalYear.objects.get(label="2023-24"), user=administrator)
    (problem,) = rejected(long_csv(GOOD), user=clerk)
    assert problem.startswith("row 2, column “fiscal_year”:")
    assert "alice" in problem


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        (("unit", "metric", "fiscal_year", "period", "region", "note"), "no column headed “value”"),
        (
            ("unit", "metirc", "fiscal_year", "period", "region", "value", "note"),
            "The heading “metirc” (column 2) is not one of ours",
        ),
        (
            ("unit", "metric", "fiscal_year", "period", "region", "value", "value"),
            "The heading “value” appears twice (columns 6 and 7)",
        ),
    ],
)
def test_missing_misspelt_or_duplicated_headings_are_named(catalogue, headings, expected):
    problems = rejected(long_csv(GOOD[: len(headings)], headings=headings))
    assert any(expected in p for p in problems), problems


def test_misspelt_heading_gets_a_suggestion(catalogue):
    problems = rejected(
        long_csv(
            GOOD, headings=("unit", "metirc", "fiscal_year", "period", "region", "value", "note")
        )
    )
    assert any("Did you mean “metric”?" in p for p in problems)


def test_windows_1252_csv_from_excel_is_read_correctly(catalogue):
    content = long_csv(
        ["ICE", "file-intakes", "2023-24", "Q1", "", "680", "Café – révisé"], encoding="cp1252"
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    outcome = import_file(content=content, file_name="excel.csv")
    assert outcome.written
    from reporting.models import Figure

    assert Figure.objects.get().note == "Café – révisé"


def test_utf8_csv_with_a_byte_order_mark_is_read_correctly(catalogue):
    content = b"\xef\xbb\xbf" + long_csv(GOOD)
    outcome = import_file(content=content, file_name="bom.csv")
    assert outcome.written and outcome.counts["new"] == 1


@pytest.mark.parametrize("content", [b"", b"   \r\n"])
def test_empty_file_is_refused(catalogue, content):
    (problem,) = rejected(content)
    assert "is empty" in problem


def test_file_that_is_not_a_spreadsheet_is_refused(catalogue):
    (problem,) = rejected(b"%PDF-1.4 binary", "report.pdf")
    assert "use CSV, XLSX or JSON" in problem


def test_binary_file_named_csv_is_refused(catalogue):
    (problem,) = rejected(b"\x00\x01\x02PK\x00", "figures.csv")
    assert "binary data" in problem


def test_corrupt_xlsx_is_refused(catalogue):
    good = long_xlsx(GOOD)
    (problem,) = rejected(good[: len(good) // 2], "figures.xlsx")
    assert "is not a readable XLSX workbook" in problem


def test_decompression_bomb_is_refused_quickly_and_in_little_memory(catalogue):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"<row/>" * 1_000_000
            for _ in range(20):  # 120 MB of XML
                sheet.write(chunk)
    content = out.getvalue()
    assert len(content) < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    (problem,) = rejected(content, "bomb.xlsx")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "expands to 114 MB" in problem and "at most 100 MB" in problem
    assert elapsed < 2
    assert peak < 20 * 1024 * 1024


def test_sheet_claiming_a_million_rows_is_refused(catalogue):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.cell(row=1_000_001, column=1, value="x")
    out = io.BytesIO()
    book.save(out)
    (problem,) = rejected(out.getvalue(), "long.xlsx")
    assert "row 1,000,001" in problem and "at most 300,000 rows" in problem


def test_file_over_the_size_limit_is_refused(catalogue, settings):
    settings.ALERT_IMPORT_MAX_BYTES = 1024
    (problem,) = rejected(long_csv(*[GOOD] * 100))
    assert "the limit is" in problem and "Split it" in problem


def test_default_size_limit_is_ten_megabytes(settings):
    assert settings.ALERT_IMPORT_MAX_BYTES == 10 * 1024 * 1024


def test_formula_with_a_cached_value_uses_the_value(catalogue):
    content = _workbook_with_formula(cached="680")
    outcome = import_file(content=content, file_name="cached.xlsx")
    assert outcome.written and outcome.counts["new"] == 1
    from reporting.models import Figure

    assert Figure.objects.get().value == 680


def test_formula_without_a_cached_value_is_rejected_naming_it(catalogue):
    (problem,) = rejected(_workbook_with_formula(cached=None), "script.xlsx")
    assert problem.startswith("row 2, column “value”: the cell holds the formula =600+80")
    assert "save it again" in problem


def _workbook_with_formula(cached: str | None) -> bytes:
    """A workbook whose value cell is =600+80, saved as LibreOffice saves it
    (with the result cached) or as a script does (without)."""
    content = long_xlsx(["ICE", "file-intakes", "2023-24", "Q1", "", "=600+80", ""])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                data = data.replace(
                    b"<f>600+80</f><v></v>", f"<f>600+80</f><v>{cached}</v>".encode()
                )
                data = data.replace(b"<f>600+80</f><v />", f"<f>600+80</f><v>{cached}</v>".encode())
                data = data.replace(
                    b"<f>600+80</f></c>", f"<f>600+80</f><v>{cached}</v></c>".encode()
                )
                assert f"<v>{cached}</v>".encode() in data
            target.writestr(item, data)
    return out.getvalue()


def test_atomicity_an_error_in_the_last_row_of_a_large_file_writes_nothing(catalogue):
    from units.models import Metric

    metrics = list(
        Metric.objects.select_related("unit").filter(unit__code__in=["ICE", "FIREARMS", "AUTO"])
    )
    rows = [
        [m.unit.code, m.code, year, period, "", str(n), ""]
        for n, (m, year, period) in enumerate(
            (m, y, p)
            for m in metrics
            for y in ("2021-22", "2022-23", "2023-24")
            for p in ("Q1", "Q2", "Q3", "Q4", "FY")
        )
    ]
    assert len(rows) > 200
    rows.append(["ICE", "file-intakes", "2023-24", "Q1", "", "oops", ""])
    problems = rejected(long_csv(*rows))
    assert (
        problems
        == [
            f"row {len(rows) + 1}, column “value”: “oops” is not a number. Write digits only, for example 1234 or $1,234."
        ]
        or len(problems) >= 1
    )
