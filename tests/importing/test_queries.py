"""The pipeline's cost is a constant number of queries, whatever the file's size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.exporting import export_report_workbook
from reporting.services import import_file
from tests.importing.helpers import long_csv
from units.models import Metric

YEARS = ("2021-22", "2022-23", "2023-24")


def rows(count: int) -> list[list[str]]:
    metrics = list(Metric.objects.select_related("unit").order_by("pk"))
    every = [
        [m.unit.code, m.code, y, p, "", "1", ""]
        for m in metrics
        for y in YEARS
        for p in ("Q1", "Q2", "Q3", "Q4", "FY")
    ]
    return every[:count]


def queries(content: bytes, name: str = "x.csv") -> int:
    with CaptureQueriesContext(connection) as captured:
        import_file(content=content, file_name=name, dry_run=True)
    return len(captured)


def test_checking_a_file_costs_the_same_queries_for_ten_rows_or_four_hundred(catalogue):
    small, large = rows(10), rows(400)
    assert len(large) == 400
    assert queries(long_csv(*small)) == queries(long_csv(*large))


def test_checking_the_report_workbook_costs_at_most_25_queries(dataset):
    content = export_report_workbook("2023-24")
    assert queries(content, "report.xlsx") <= 25
