"""The entry grid: prefilled, validated per cell, saved all or nothing, with history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import Figure
from tests.lookups import figure_of


def _url(unit, year):
    return reverse("admin:reporting_figure_grid", args=[unit.pk, year.pk])


def _cells(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return {cell.name: cell.raw for cell in response.context["grid"].cells}


def _name(unit_code, metric_code, period, region=None):
    figure = figure_of(unit_code, metric_code, period, region=region)
    if region:
        return f"r-{figure.metric_id}-{figure.region_id}"
    return f"v-{figure.metric_id}-{period}"


def test_the_grid_shows_the_figures_on_record(year, ice, client, clerk):
    client.force_login(clerk)
    cells = _cells(client, _url(ice, year))
    assert cells[_name("ICE", "file-intakes", "Q3")] == "1,149"
    assert cells[_name("ICE", "file-intakes", "FY")] == "3,815"
    assert len(cells) == 6 * 5  # six metrics by Q1-Q4 and the year


def test_the_regional_grid_appears_where_a_unit_reports_by_region(year, cfseu, ice, client, clerk):
    client.force_login(clerk)
    cells = _cells(client, _url(cfseu, year))
    assert cells[_name("CFSEU", "est-value-of-drugs-seized", "FY", region="Red Deer")] == (
        "$2,451,800"
    )
    assert len(cells) == 5 * 5 + 8 * 5
    assert not client.get(_url(ice, year)).context["grid"].regional_rows


def test_saving_the_grid_records_the_changed_cells_with_history(year, ice, client, clerk):
    client.force_login(clerk)
    url = _url(ice, year)
    cells = _cells(client, url)
    cells[_name("ICE", "file-intakes", "Q1")] = "700"
    cells[_name("ICE", "file-intakes", "FY")] = "3,835"
    before = Figure.history.count()
    response = client.post(url, cells)
    assert response.status_code == 302
    assert figure_of("ICE", "file-intakes", "Q1").value == Decimal(700)
    assert Figure.history.count() == before + 2  # unchanged cells write nothing
    latest = figure_of("ICE", "file-intakes", "Q1").history.first()
    assert (latest.history_user, latest.history_change_reason) == (clerk, "grid")


def test_a_regional_cell_is_saved_too(year, cfseu, client, clerk):
    client.force_login(clerk)
    url = _url(cfseu, year)
    cells = _cells(client, url)
    cells[_name("CFSEU", "suspects-charged", "FY", region="Calgary")] = "25"
    assert client.post(url, cells).status_code == 302
    assert figure_of("CFSEU", "suspects-charged", "FY", region="Calgary").value == 25


def test_clearing_a_cell_deletes_the_figure_with_history(year, ice, client, clerk):
    client.force_login(clerk)
    url = _url(ice, year)
    cells = _cells(client, url)
    figure = figure_of("ICE", "children-rescued", "Q2")
    cells[_name("ICE", "children-rescued", "Q2")] = ""
    assert client.post(url, cells).status_code == 302
    assert not Figure.objects.filter(pk=figure.pk).exists()
    record = Figure.history.filter(id=figure.pk).first()
    assert (record.history_type, record.history_change_reason) == ("-", "grid")


def test_an_empty_cell_filled_in_creates_a_figure(year, dataset, client, clerk):
    from units.models import Unit

    auto = Unit.objects.get(code="AUTO")
    client.force_login(clerk)
    url = _url(auto, year)
    cells = _cells(client, url)
    charges = auto.metrics.get(code="charges-laid")
    assert cells[f"v-{charges.pk}-FY"] == ""
    cells[f"v-{charges.pk}-FY"] = "12"
    assert client.post(url, cells).status_code == 302
    assert figure_of("AUTO", "charges-laid", "FY").value == 12


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12.5", "not a whole number"),
        ("-4", "negative"),
        ("lots", "is not a number"),
        ("2,74,1025", "thousands separators"),
    ],
)
def test_a_wrong_cell_is_marked_and_nothing_is_saved(year, ice, client, clerk, typed, message):
    client.force_login(clerk)
    url = _url(ice, year)
    cells = _cells(client, url)
    cells[_name("ICE", "file-intakes", "Q1")] = "700"  # a valid change alongside
    bad = _name("ICE", "exhibits-seized", "Q2")
    cells[bad] = typed
    before = Figure.history.count()
    response = client.post(url, cells)
    assert response.status_code == 200
    errors = {cell.name: cell.error for cell in response.context["grid"].errors}
    assert list(errors) == [bad]
    assert message in errors[bad]
    assert message in response.content.decode()
    assert figure_of("ICE", "file-intakes", "Q1").value == 680
    assert Figure.history.count() == before
    # What was typed stays in the cells to be corrected.
    assert response.context["grid"].cells[0].raw == "700"


def test_a_locked_year_refuses_the_grid_and_says_who_locked_it(locked_year, ice, client, clerk):
    client.force_login(clerk)
    url = _url(ice, locked_year)
    page = client.get(url)
    assert "was published" in page.content.decode()
    assert page.context["locked"] is True
    cells = {cell.name: cell.raw for cell in page.context["grid"].cells}
    cells[_name("ICE", "file-intakes", "Q1")] = "700"
    response = client.post(url, cells, follow=True)
    content = response.content.decode()
    assert "Nothing saved" in content and "by alice" in content
    assert figure_of("ICE", "file-intakes", "Q1").value == 680


def test_an_administrator_may_not_change_a_published_year_in_the_grid(
    locked_year, ice, client, administrator
):
    client.force_login(administrator)
    url = _url(ice, locked_year)
    cells = _cells(client, url)
    cells[_name("ICE", "file-intakes", "Q1")] = "700"
    response = client.post(url, cells, follow=True)
    assert "Prepare a correction" in response.content.decode()
    assert figure_of("ICE", "file-intakes", "Q1").value == 680


def test_the_grid_costs_at_most_16_queries_for_a_small_and_a_large_unit(
    year, ice, cfseu, client, clerk, django_assert_max_num_queries
):
    client.force_login(clerk)
    with django_assert_max_num_queries(16):
        client.get(_url(ice, year))
    with django_assert_max_num_queries(16):
        client.get(_url(cfseu, year))


def test_a_refused_save_lists_each_wrong_cell_with_a_link_to_it(year, cfseu, client, clerk):
    client.force_login(clerk)
    url = _url(cfseu, year)
    data = {cell.name: cell.raw for cell in client.get(url).context["grid"].cells}
    charged, red_deer = (
        _name("CFSEU", "suspects-charged", "Q1"),
        _name("CFSEU", "suspects-charged", "FY", region="Red Deer"),
    )
    data[charged], data[red_deer] = "twelve", "-3"
    page = client.post(url, data).content.decode()
    assert "2 cells need correcting" in page
    assert f'<a href="#id_{charged}">Suspects charged Q1</a>' in page
    assert f'<a href="#id_{red_deer}">Arrests — suspects charged, Red Deer, full year</a>' in page
    assert "alert-admin/grid.js" in page  # focus and Enter, from a static file


def test_regional_columns_name_the_metric_they_break_down(year, cfseu, client, clerk):
    client.force_login(clerk)
    page = client.get(_url(cfseu, year)).content.decode()
    assert 'Arrests<span class="breaks-down"> — suspects charged</span>' in page
