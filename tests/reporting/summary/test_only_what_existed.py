"""A year's page shows only what existed: no unit without figures, no prior
column before a unit (or the records) began, no empty chart; the regional
table lists every region of the catalogue under its own heading."""

from django.urls import reverse

from reporting.models import Figure
from tests.html_tables import read_tables
from units.models import Region


def _page(client, leader, year: str) -> str:
    client.force_login(leader)
    response = client.get(reverse("reporting:summary", kwargs={"fiscal_year": year}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_unit_with_no_figures_in_the_year_is_left_out(client, dataset, leader):
    page = _page(client, leader, "2022-23")
    assert 'id="unit-FIREARMS"' not in page  # the Firearms teams began in 2023-24
    assert 'href="#unit-FIREARMS"' not in page
    assert 'id="unit-ICE"' in page and 'id="unit-AUTO"' in page
    assert "No figures reported" not in page and "No quarterly figures" not in page


def test_a_prior_year_not_on_record_has_no_column(client, dataset, leader):
    tables = read_tables(_page(client, leader, "2022-23"))
    assert tables["table-ICE"].header()[-3:] == ["2022-23", "2021-22", "Change from 2021-22"]
    assert "2020-21" not in _page(client, leader, "2022-23")


def test_quarter_columns_appear_only_where_the_year_has_a_quarterly_figure(client, dataset, leader):
    # 2022-23 was published as full-year figures: no columns of dashes.
    tables = read_tables(_page(client, leader, "2022-23"))
    for name, table in tables.items():
        assert "Q1" not in table.header(), name
    assert tables["table-ICE"].header() == ["Metric", "2022-23", "2021-22", "Change from 2021-22"]
    # 2023-24 has quarters for ICE: its table has them.
    assert read_tables(_page(client, leader, "2023-24"))["table-ICE"].header()[:5] == [
        "Metric",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
    ]


def test_captions_say_what_the_table_and_the_charts_show(client, dataset, leader):
    page = _page(client, leader, "2022-23")
    start = page.index('id="unit-ICE"')
    ice = page[start : page.index("</section>", start)]
    assert "full-year results for 2022-23, with 2021-22 and the change from 2021-22" in ice
    assert "by quarter" not in ice
    assert "Internet Child Exploitation: each metric over the years shown</figcaption>" in ice
    page = _page(client, leader, "2023-24")
    start = page.index('id="unit-FIREARMS"')
    firearms = page[start : page.index("</section>", start)]
    # A unit in its first year: quarters, no trend, and the caption says so.
    assert "Firearms: each metric by quarter</figcaption>" in firearms
    assert "over the years" not in firearms


def test_a_unit_has_no_prior_columns_before_it_existed(client, dataset, leader):
    tables = read_tables(_page(client, leader, "2023-24"))
    assert tables["table-FIREARMS"].header() == ["Metric", "Q1", "Q2", "Q3", "Q4", "2023-24"]
    assert tables["table-ICE"].header()[5:] == [
        "2023-24",
        "2022-23",
        "2021-22",
        "Change from 2022-23",
    ]


def test_empty_charts_are_not_drawn(client, dataset, leader):
    page = _page(client, leader, "2022-23")
    # 2022-23 has full-year figures only: no quarterly chart, a trend per metric.
    assert "chart-quarterly" not in page
    assert (
        page.count('class="chart chart-trend"')
        == Figure.objects.filter(period__fiscal_year__label="2022-23", region=None)
        .values("metric")
        .distinct()
        .count()
    )
    firearms_2023 = _page(client, leader, "2023-24")
    start = firearms_2023.index('id="unit-FIREARMS"')
    firearms = firearms_2023[start : firearms_2023.index("</section>", start)]
    # No trend of one bar; gun seizures (full year only) has no chart at all.
    assert "chart-trend" not in firearms
    assert 'id="chart-firearms-gun-seizures-quarters' not in firearms


def test_the_regional_table_lists_every_region_of_the_catalogue_with_a_dash_where_missing(
    client, dataset, clerk, leader
):
    from reporting.services import delete_figure

    red_deer = Figure.objects.filter(region__name="Red Deer", period__fiscal_year__label="2023-24")
    for figure in red_deer:
        delete_figure(figure=figure, user=clerk)
    page = _page(client, leader, "2023-24")
    assert (
        '<h3 class="regional-heading" id="regional-CFSEU-heading">Annual regional results</h3>'
        in page
    )
    rows = read_tables(page)["regional-CFSEU"].body()
    assert list(rows) == [*Region.objects.values_list("name", flat=True), "Totals"]
    assert [cell.text for cell in rows["Red Deer"]] == ["—"] * 5
    # The totals are the listed regions' sum: 141 less Red Deer's 17.
    assert rows["Totals"][0].text == "124"
