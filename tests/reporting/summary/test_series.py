"""A metric's whole series (issue 23): every year on record, published years
from their newest release and drafts marked (and only for the roles), each
year's public notes, regions over time, a CSV; linked from the summary; a
constant number of queries for 25 years."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from reporting import services
from reporting.models import Figure, FiscalYear
from tests.html_tables import read_tables

SERIES = reverse("series:metric", kwargs={"unit": "CFSEU", "metric": "charges-laid"})
SERIES_CSV = reverse("series:csv", kwargs={"unit": "CFSEU", "metric": "charges-laid"})
SERIES_QUERIES_MAX = 10


def _years(page: str) -> dict[str, list[str]]:
    table = read_tables(page)["series-table"]
    return {label: [c.text for c in cells] for label, cells in table.body().items()}


def test_the_series_shows_every_year_from_its_release_with_quarters_where_reported(
    client, published_dataset, leader
):
    client.force_login(leader)
    response = client.get(SERIES)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Charges laid, every year on record" in page
    years = _years(page)
    assert list(years) == ["2023-24", "2022-23", "2021-22"]  # newest first
    assert years["2023-24"] == ["176", "156", "237", "231", "800", "Release 1"]
    assert years["2022-23"] == ["—", "—", "—", "—", "1,088", "Release 1"]
    # The chart is the summary's chart code: its figures and a text alternative.
    assert 'class="chart chart-series"' in page
    assert "Charges laid by fiscal year: 2021-22 820, 2022-23 1,088, 2023-24 800." in page
    # Regions over time, one small chart each.
    assert page.count('class="small-multiple"') == 8
    assert 'id="region-red-deer"' in page
    assert "Charges laid in Red Deer by fiscal year" in page


def test_a_published_year_shows_its_release_not_a_later_change(
    client, published_dataset, leader, administrator
):
    """While a correction of a year is prepared its live figure changes; every
    reader's series keeps the year's newest release."""
    year = FiscalYear.objects.get(label="2022-23")
    services.prepare_correction(fiscal_year=year, user=administrator, reason="A recount")
    figure = Figure.objects.get(
        metric__unit__code="CFSEU",
        metric__code="charges-laid",
        period__fiscal_year=year,
        period__period="FY",
        region=None,
    )
    services.record_figure(
        metric=figure.metric,
        period=figure.period,
        value=Decimal(1090),
        user=administrator,
        source="test",
        public_note="Corrected after a recount.",
    )
    client.force_login(leader)
    page = client.get(SERIES).content.decode()
    # The release's figure stands; staff see the draft beside it, marked as such.
    assert _years(page)["2022-23"][-2:] == [
        "1,088",
        "Release 1 Draft correction being prepared: 1,090",
    ]
    assert "Corrected after a recount." not in page
    assert "2022-23 1,088" in page  # the chart draws the published figure

    client.logout()
    with override_settings(ALERT_PUBLIC_REPORTS=True):
        public = client.get(SERIES).content.decode()
    assert list(_years(public)) == ["2023-24", "2022-23", "2021-22"]
    assert "1,090" not in public and "Draft" not in public
    assert "Corrected after a recount." not in public


def test_every_row_of_the_summary_and_every_regional_figure_links_to_its_series(
    client, published_dataset, leader
):
    client.force_login(leader)
    page = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})).content
    page = page.decode()
    assert f'href="{SERIES}"' in page
    assert page.count('href="/metrics/') >= 30  # every metric row of every unit
    assert f'href="{SERIES}#region-red-deer"' in page  # CFSEU's regional table


def test_the_series_csv_carries_codes_labels_status_and_release(client, published_dataset, leader):
    client.force_login(leader)
    response = client.get(SERIES_CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    year = [r for r in rows if r["fiscal_year"] == "2023-24" and not r["region"]]
    assert [(r["period"], r["value"]) for r in year] == [
        ("Q1", "176"),
        ("Q2", "156"),
        ("Q3", "237"),
        ("Q4", "231"),
        ("FY", "800"),
    ]
    assert {r["metric_label"] for r in rows} == {"Charges laid"}
    assert {r["unit_name"] for r in rows} == {"Combined Special Forces Enforcement"}
    assert {(r["status"], r["release"]) for r in rows} == {("published", "1")}
    red_deer = [r for r in rows if r["region"] == "Red Deer"]
    assert [(r["fiscal_year"], r["value"]) for r in red_deer] == [("2023-24", "163")]


def test_an_unknown_metric_is_not_found_and_the_series_needs_a_reader(
    client, published_dataset, leader, outsider
):
    client.force_login(leader)
    missing = reverse("series:metric", kwargs={"unit": "CFSEU", "metric": "no-such-metric"})
    assert client.get(missing).status_code == 404
    client.force_login(outsider)
    assert client.get(SERIES).status_code == 403


@pytest.mark.django_db
def test_the_series_of_25_generated_years_costs_at_most_ten_queries(
    client, published_dataset, leader, django_assert_max_num_queries
):
    call_command("generate_sample_years", "--years", "25", stdout=io.StringIO())
    assert FiscalYear.objects.count() == 25
    client.force_login(leader)
    client.get(SERIES)  # the session and the user's access, once
    with django_assert_max_num_queries(SERIES_QUERIES_MAX):
        response = client.get(SERIES)
    years = _years(response.content.decode())
    assert len(years) == 25
    assert years["2023-24"][-1] == "Release 1" and years["1999-00"][-1] == "Draft"
    with django_assert_max_num_queries(SERIES_QUERIES_MAX):
        assert client.get(SERIES_CSV).status_code == 200
