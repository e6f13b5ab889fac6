"""One report order: every list and file of figures people read agrees with it,
Q1-Q4 before the full year."""

import csv
import io
from pathlib import Path

from django.contrib.admin.views.main import ALL_VAR
from django.core.management import call_command
from django.urls import reverse

from reporting.models import Figure

SHIPPED = Path(__file__).resolve().parents[2] / "reporting" / "data" / "annual-report-2023-24.csv"


def _keys(rows) -> list[tuple[str, ...]]:
    """(unit, metric, fiscal year, period, region) of each long-form row."""
    return [tuple(row[:5]) for row in rows]


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]


def _export_values(*args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("export_values", *args, stdout=out)
    return _csv_rows(out.getvalue())


def _admin_list(client, **params) -> list[tuple[str, ...]]:
    response = client.get(reverse("admin:reporting_figure_changelist"), {ALL_VAR: "", **params})
    return [
        (
            f.metric.unit.code,
            f.metric.code,
            f.period.fiscal_year.label,
            f.period.period,
            f.region.name if f.region_id else "",
        )
        for f in response.context["cl"].result_list
    ]


def test_the_export_of_the_shipped_dataset_is_in_the_shipped_files_order(dataset):
    shipped = _csv_rows(SHIPPED.read_text(encoding="utf-8"))
    assert _keys(_export_values()) == _keys(shipped)


def test_the_full_year_comes_after_its_quarters(dataset):
    keys = _keys(_export_values())
    ice = [period for unit, metric, year, period, _ in keys if metric == "file-intakes"]
    assert ice[:5] == ["Q1", "Q2", "Q3", "Q4", "FY"]
    for position, (unit, metric, year, period, region) in enumerate(keys):
        if period == "FY":
            later = keys[position + 1 :]
            assert not any(k[:3] == (unit, metric, year) and k[4] == region for k in later)


def test_export_values_the_download_and_the_admin_list_agree(dataset, client, leader):
    client.force_login(leader)
    every_figure = _keys(_export_values())
    assert _admin_list(client) == every_figure
    assert [
        tuple(row)
        for row in Figure.objects.in_report_order().values_list(
            "metric__unit__code", "metric__code", "period__fiscal_year__label", "period__period"
        )
    ] == [key[:4] for key in every_figure]

    year = [key for key in every_figure if key[2] == "2023-24"]
    assert _keys(_export_values("--fiscal-year", "2023-24")) == year
    # The page's download carries every year the page shows, in the same order.
    download = client.get(reverse("reporting:download_csv", args=["2023-24"]))
    assert _keys(_csv_rows(download.content.decode("utf-8"))) == every_figure


def test_the_apis_default_order_is_the_report_order(dataset, client, leader):
    client.force_login(leader)
    response = client.get(reverse("api:figure-list"), {"page_size": 1000})
    listed = [
        (r["unit"], r["metric"], r["fiscal_year"], r["period"], r["region"] or "")
        for r in response.json()["results"]
    ]
    assert listed == _keys(_export_values())
