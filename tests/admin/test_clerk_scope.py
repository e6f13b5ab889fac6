"""A clerk's lists, filters and choices offer only their units and the years
they can write; administrators and leadership keep every unit."""

import pytest
from django.urls import reverse

from reporting.models import FiscalYear
from tests.years import publish
from units.models import Unit

FIGURES = reverse("admin:reporting_figure_changelist")
HISTORY = reverse("admin:reporting_historicalfigure_changelist")
PICKER = reverse("admin:reporting_figure_grid_pick")
IMPORT = reverse("admin:reporting_figure_import")


@pytest.fixture
def cfseu_clerk(dataset, clerk, administrator):
    """A clerk of CFSEU only (no "every unit" box), with 2022-23 published."""
    clerk.user_permissions.clear()
    Unit.objects.get(code="CFSEU").data_entry_users.add(clerk)
    publish("2022-23")
    return clerk


def unit_filter_choices(response) -> set[str]:
    """The unit filter's choices in a changelist's sidebar (empty when the
    filter is not shown: Django hides a filter with one choice)."""
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "field_path", "") == "metric__unit":
            return {
                choice["display"]
                for choice in spec.choices(response.context["cl"])
                if choice["display"] != "All"
            }
    return set()


def test_the_figures_unit_filter_offers_only_the_clerks_units(client, cfseu_clerk):
    client.force_login(cfseu_clerk)
    for page in (FIGURES, HISTORY):
        # One unit: nothing to choose, so no filter (and never another unit).
        assert unit_filter_choices(client.get(page)) == set(), page
        assert "ICE — Internet Child Exploitation" not in client.get(page).content.decode()
    Unit.objects.get(code="ICE").data_entry_users.add(cfseu_clerk)
    mine = {str(Unit.objects.get(code=code)) for code in ("ICE", "CFSEU")}
    for page in (FIGURES, HISTORY):
        assert unit_filter_choices(client.get(page)) == mine, page


def test_administrators_and_leadership_filter_by_every_unit(client, administrator, leader, dataset):
    every = {str(unit) for unit in Unit.objects.all()}
    for person in (administrator, leader):
        client.force_login(person)
        assert unit_filter_choices(client.get(FIGURES)) == every


def test_the_grid_picker_offers_the_clerks_units_and_open_years(client, cfseu_clerk):
    client.force_login(cfseu_clerk)
    context = client.get(PICKER).context
    assert [unit.code for unit in context["units"]] == ["CFSEU"]
    assert "2022-23" not in {year.label for year in context["years"]}  # published
    assert "2023-24" in {year.label for year in context["years"]}
    assert "2022-23" not in {year.label for year in context["template_years"]}
    assert [unit.code for unit in context["template_units"]] == ["CFSEU"]


def test_administrators_pick_among_every_unit_and_the_years_open_to_entry(
    client, cfseu_clerk, administrator
):
    client.force_login(administrator)
    context = client.get(PICKER).context
    # A published year is read-only to everyone: it is corrected, not entered.
    assert "2022-23" not in {year.label for year in context["years"]}
    assert len(context["units"]) == Unit.objects.active().count()


def test_the_import_page_offers_templates_of_the_clerks_units_and_open_years(client, cfseu_clerk):
    client.force_login(cfseu_clerk)
    context = client.get(IMPORT).context
    assert [unit.code for unit in context["template_units"]] == ["CFSEU"]
    assert "2022-23" not in {year.label for year in context["template_years"]}


def test_the_grid_of_a_published_year_keeps_it_among_the_choices(
    client, cfseu_clerk, administrator
):
    """Opened from a link, a read-only year stays chosen; the other choices are writable."""
    publish("2021-22")
    client.force_login(cfseu_clerk)
    cfseu = Unit.objects.get(code="CFSEU")
    published = FiscalYear.objects.get(label="2022-23")
    context = client.get(reverse("admin:reporting_figure_grid", args=[cfseu.pk, published.pk]))
    labels = {year.label for year in context.context["years"]}
    assert "2022-23" in labels and "2021-22" not in labels
