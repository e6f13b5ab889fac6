"""What the entry grid shows around each cell, and what it says after a save:
last year's and the previous quarter's figures, the quarters' running sum and
the full year filled in from it, the reason a typed year differs kept as the
figure's internal note, each quarter's state, a returned quarter's comment,
messages in the right number, and a query count that does not grow."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import services
from reporting.models import Figure, FiscalYear
from tests.lookups import metric_of


@pytest.fixture
def next_year(year, administrator) -> FiscalYear:
    return services.create_fiscal_year(label="2024-25", user=administrator)


def _url(unit, year):
    return reverse("admin:reporting_figure_grid", args=[unit.pk, year.pk])


def _record(unit_code, code, year, period, value, user):
    return services.record_figure(
        metric=metric_of(unit_code, code),
        period=year.periods.get(period=period),
        value=value,
        user=user,
    )


def _cell(response, name):
    return next(c for c in response.context["grid"].cells if c.name == name)


def _sent(response) -> dict[str, str]:
    """What the browser would send back for the unit-wide form, unchanged."""
    grid = response.context["grid"]
    data = {}
    for row in grid.rows:
        for cell in row.cells:
            data[cell.name] = cell.raw
            data["s-" + cell.name] = str(cell.seen_version or 0)
    return data


def test_each_cell_shows_last_years_quarter_and_the_previous_quarter(next_year, ice, client, clerk):
    intakes = metric_of("ICE", "file-intakes")
    _record("ICE", "file-intakes", next_year, "Q1", 700, clerk)
    client.force_login(clerk)
    response = client.get(_url(ice, next_year))
    assert _cell(response, f"v-{intakes.pk}-Q2").context == [("2023-24 Q2", "872"), ("Q1", "700")]
    # Q1's previous quarter is last year's Q4.
    assert _cell(response, f"v-{intakes.pk}-Q1").context == [
        ("2023-24 Q1", "680"),
        ("2023-24 Q4", "1,114"),
    ]
    page = response.content.decode()
    assert "2023-24 Q2: 872" in page
    assert "Sum of Q1: 700" in page


def test_the_full_year_is_filled_in_with_the_sum_of_four_quarters(next_year, ice, client, clerk):
    intakes = metric_of("ICE", "file-intakes")
    for period, value in zip(("Q1", "Q2", "Q3", "Q4"), (700, 800, 900, 1000), strict=True):
        _record("ICE", "file-intakes", next_year, period, value, clerk)
    client.force_login(clerk)
    response = client.get(_url(ice, next_year))
    year_cell = _cell(response, f"v-{intakes.pk}-FY")
    assert (year_cell.raw, year_cell.filled_from_quarters) == ("3,400", True)
    assert "Filled in from the quarters" in response.content.decode()
    # Saved as shown: the year is recorded with the sum.
    response = client.post(_url(ice, next_year), _sent(response))
    assert (
        Figure.objects.get(metric=intakes, period__fiscal_year=next_year, period__period="FY").value
        == 3400
    )


def test_a_year_that_differs_from_its_quarters_keeps_the_reason_as_its_internal_note(
    next_year, ice, client, clerk
):
    intakes = metric_of("ICE", "file-intakes")
    for period in ("Q1", "Q2", "Q3", "Q4"):
        _record("ICE", "file-intakes", next_year, period, 100, clerk)
    client.force_login(clerk)
    data = _sent(client.get(_url(ice, next_year)))
    name = f"v-{intakes.pk}-FY"
    data[name] = "410"
    data["n-" + name] = "Ten files were opened across two quarters."
    client.post(_url(ice, next_year), data)
    year_figure = Figure.objects.get(
        metric=intakes, period__fiscal_year=next_year, period__period="FY"
    )
    assert (year_figure.value, year_figure.note) == (
        410,
        "Ten files were opened across two quarters.",
    )
    page = client.get(_url(ice, next_year)).content.decode()
    # The note field is shown (not hidden) while the year differs.
    assert "data-year-note>" in page and "Ten files were opened across two quarters." in page


def test_each_quarter_column_says_its_state_with_who_and_when(
    next_year, ice, client, clerk, administrator
):
    administrator.first_name, administrator.last_name = "Alice", "Martin"
    administrator.save()
    _record("ICE", "file-intakes", next_year, "Q1", 700, clerk)
    _record("ICE", "file-intakes", next_year, "Q2", 700, clerk)
    services.move_quarter(
        action="submit", unit=ice, fiscal_year=next_year, quarter="Q1", user=clerk
    )
    services.move_quarter(
        action="submit", unit=ice, fiscal_year=next_year, quarter="Q2", user=clerk
    )
    services.move_quarter(
        action="return",
        unit=ice,
        fiscal_year=next_year,
        quarter="Q2",
        user=administrator,
        text="Q2 is Q1 again.",
    )
    client.force_login(clerk)
    response = client.get(_url(ice, next_year))
    states = {p: (s.label, s.detail) for p, s in response.context["grid"].column_states.items()}
    assert states["Q1"][0] == "Submitted" and states["Q1"][1].startswith("by bob, ")
    assert states["Q2"][0] == "Returned" and "by Alice Martin, " in states["Q2"][1]
    assert states["Q2"][1].endswith(("MST", "MDT"))
    assert states["Q3"] == ("Not started", "")
    page = response.content.decode()
    assert "Q2 was returned by Alice Martin" in page and "Q2 is Q1 again." in page


def test_saving_one_figure_says_so_in_the_singular(year, ice, client, clerk):
    client.force_login(clerk)
    data = _sent(client.get(_url(ice, year)))
    intakes = metric_of("ICE", "file-intakes")
    data[f"v-{intakes.pk}-Q1"] = "681"
    response = client.post(_url(ice, year), data)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved ICE 2023-24: 1 figure recorded."
    ]


def test_a_save_that_changes_nothing_is_not_called_saved(year, ice, client, clerk):
    client.force_login(clerk)
    response = client.post(_url(ice, year), _sent(client.get(_url(ice, year))))
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Nothing to save in ICE 2023-24: no figure changed."]


def test_one_wrong_cell_is_one_cell_that_needs_correcting(year, ice, client, clerk):
    client.force_login(clerk)
    data = _sent(client.get(_url(ice, year)))
    data[f"v-{metric_of('ICE', 'file-intakes').pk}-Q1"] = "twelve"
    response = client.post(_url(ice, year), data)
    page = response.content.decode()
    assert "1 cell needs correcting" in page and "1 cells" not in page
    assert "Nothing saved: 1 cell needs correcting (marked below)." in page


def test_the_grid_costs_the_same_queries_with_more_years_quarters_and_figures(
    year, next_year, cfseu, client, clerk, administrator, django_assert_num_queries
):
    client.force_login(clerk)
    client.get(_url(cfseu, next_year))  # sessions, permissions: warmed
    with CaptureQueriesContext(connection) as few:
        client.get(_url(cfseu, next_year))
    # More of everything the grid reads: figures in every quarter, each
    # quarter submitted, approved or returned.
    for metric in cfseu.metrics.active():
        for period in ("Q1", "Q2", "Q3", "Q4"):
            services.record_figure(
                metric=metric, period=next_year.periods.get(period=period), value=5, user=clerk
            )
    for quarter in ("Q1", "Q2", "Q3"):
        services.move_quarter(
            action="submit", unit=cfseu, fiscal_year=next_year, quarter=quarter, user=clerk
        )
    services.move_quarter(
        action="approve", unit=cfseu, fiscal_year=next_year, quarter="Q1", user=administrator
    )
    services.move_quarter(
        action="return",
        unit=cfseu,
        fiscal_year=next_year,
        quarter="Q2",
        user=administrator,
        text="Check.",
    )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_url(cfseu, next_year))
    assert response.context["grid"].column_states["Q1"].label == "Approved"
    assert Decimal(5) in {c.value for c in response.context["grid"].cells}
