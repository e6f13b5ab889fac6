"""The entry grid changes only what was sent, and only if nobody changed it meanwhile."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import Figure, FiscalYear
from tests.lookups import figure_of, metric_of, period_of


def _url(unit, year):
    return reverse("admin:reporting_figure_grid", args=[unit.pk, year.pk])


def _form(client, url) -> dict[str, str]:
    """What the browser would send back: every cell and the version it showed."""
    response = client.get(url)
    assert response.status_code == 200
    form = {}
    for cell in response.context["grid"].cells:
        form[cell.name] = cell.raw
        form[f"s-{cell.name}"] = str(cell.seen_version)
    assert f'name="s-{cell.name}"' in response.content.decode()
    return form


def _name(metric, period):
    return f"v-{metric.pk}-{period}"


def _change(unit, code, period, value, user, year="2023-24"):
    """Another person's change, made through the service every path uses."""
    return services.record_figure(
        metric=metric_of(unit, code),
        period=period_of(period, year),
        value=value,
        user=user,
        source="api",
    )


def _ice_figures():
    return dict(Figure.objects.for_unit("ICE").for_year("2023-24").values_list("pk", "value"))


def test_an_empty_post_deletes_nothing(year, ice, client, clerk):
    client.force_login(clerk)
    before = _ice_figures()
    assert client.post(_url(ice, year), {}).status_code == 302
    assert _ice_figures() == before == {**before} and len(before) == 30


def test_a_post_of_one_cell_changes_that_cell_and_leaves_the_other_29(year, ice, client, clerk):
    client.force_login(clerk)
    intakes = metric_of("ICE", "file-intakes")
    before = _ice_figures()
    response = client.post(_url(ice, year), {_name(intakes, "Q1"): "700"})
    assert response.status_code == 302
    after = _ice_figures()
    changed = figure_of("ICE", "file-intakes", "Q1")
    assert after[changed.pk] == Decimal(700)
    assert {pk: v for pk, v in after.items() if pk != changed.pk} == {
        pk: v for pk, v in before.items() if pk != changed.pk
    }


def test_a_present_empty_cell_still_clears_its_figure(year, ice, client, clerk):
    client.force_login(clerk)
    rescued = metric_of("ICE", "children-rescued")
    figure = figure_of("ICE", "children-rescued", "Q2")
    assert client.post(_url(ice, year), {_name(rescued, "Q2"): ""}).status_code == 302
    assert not Figure.objects.filter(pk=figure.pk).exists()
    assert len(_ice_figures()) == 29


def test_a_cell_typed_over_a_figure_changed_meanwhile_refuses_the_whole_save(
    year, ice, client, clerk, administrator
):
    client.force_login(clerk)
    url = _url(ice, year)
    form = _form(client, url)
    intakes = metric_of("ICE", "file-intakes")
    _change("ICE", "file-intakes", "Q1", "690", administrator)
    form[_name(intakes, "Q1")] = "700"  # over alice's change
    form[_name(intakes, "Q2")] = "1"  # an innocent change, refused with the rest
    before = _ice_figures()
    response = client.post(url, form)
    assert response.status_code == 200
    assert _ice_figures() == before
    page = response.content.decode()
    conflict = response.context["grid"].conflicts[0].conflict
    assert "changed by alice on " in conflict
    assert "MST" in conflict or "MDT" in conflict  # Edmonton time, with its zone
    assert "you saw 680, it is now 690" in conflict
    assert "You typed 700" in page
    assert "Nothing saved: 1 of the figures you changed" in page


def test_saving_again_after_a_conflict_puts_the_typed_figure_in_place(
    year, ice, client, clerk, administrator
):
    client.force_login(clerk)
    url = _url(ice, year)
    form = _form(client, url)
    intakes = metric_of("ICE", "file-intakes")
    _change("ICE", "file-intakes", "Q1", "690", administrator)
    form[_name(intakes, "Q1")] = "700"
    response = client.post(url, form)
    assert response.status_code == 200
    again = {}
    for cell in response.context["grid"].cells:
        again[cell.name] = cell.raw
        again[f"s-{cell.name}"] = str(cell.seen_version)
    assert client.post(url, again).status_code == 302
    assert figure_of("ICE", "file-intakes", "Q1").value == 700


def test_an_unchanged_stale_grid_puts_nothing_back_and_deletes_nothing(
    year, dataset, client, clerk, administrator
):
    """The lost update of the issue: the clerk saves the grid as loaded."""
    client.force_login(clerk)
    earlier = FiscalYear.objects.get(label="2022-23")
    ice = metric_of("ICE", "file-intakes").unit
    url = _url(ice, earlier)
    form = _form(client, url)
    assert form[_name(metric_of("ICE", "file-intakes"), "Q1")] == ""
    changed = _change("ICE", "file-intakes", "FY", "4000", administrator, year="2022-23")
    created = _change("ICE", "file-intakes", "Q1", "17", administrator, year="2022-23")
    assert client.post(url, form).status_code == 302
    assert Figure.objects.get(pk=changed.pk).value == 4000
    assert Figure.objects.get(pk=created.pk).value == 17


def test_a_figure_created_meanwhile_in_a_cell_shown_empty_is_a_conflict(
    dataset, client, clerk, administrator
):
    client.force_login(clerk)
    earlier = FiscalYear.objects.get(label="2022-23")
    intakes = metric_of("ICE", "file-intakes")
    url = _url(intakes.unit, earlier)
    form = _form(client, url)
    created = _change("ICE", "file-intakes", "Q1", "17", administrator, year="2022-23")
    form[_name(intakes, "Q1")] = "20"
    response = client.post(url, form)
    assert response.status_code == 200
    assert Figure.objects.get(pk=created.pk).value == 17
    assert "you saw nothing (not reported), it is now 17" in (
        response.context["grid"].conflicts[0].conflict
    )


def test_clearing_a_figure_changed_meanwhile_is_a_conflict(year, ice, client, clerk, administrator):
    client.force_login(clerk)
    url = _url(ice, year)
    form = _form(client, url)
    rescued = metric_of("ICE", "children-rescued")
    figure = _change("ICE", "children-rescued", "Q2", "99", administrator)
    form[_name(rescued, "Q2")] = ""
    assert client.post(url, form).status_code == 200
    assert Figure.objects.get(pk=figure.pk).value == 99


def test_a_figure_removed_and_made_again_does_not_pass_for_the_one_shown(
    year, ice, client, clerk, administrator
):
    client.force_login(clerk)
    url = _url(ice, year)
    form = _form(client, url)
    intakes = metric_of("ICE", "file-intakes")
    services.delete_figure(figure=figure_of("ICE", "file-intakes", "Q1"), user=administrator)
    again = _change("ICE", "file-intakes", "Q1", "5", administrator)
    assert again.version > int(form[f"s-{_name(intakes, 'Q1')}"])
    form[_name(intakes, "Q1")] = "700"
    assert client.post(url, form).status_code == 200
    assert Figure.objects.get(pk=again.pk).value == 5


@pytest.mark.parametrize("path", ["import", "grid"])
def test_every_write_path_bumps_the_version(path, year, ice, client, clerk):
    figure = figure_of("ICE", "file-intakes", "Q1")
    if path == "grid":
        client.force_login(clerk)
        client.post(_url(ice, year), {_name(figure.metric, "Q1"): "701"})
    else:
        services.import_file(
            content=b"unit,metric,fiscal_year,period,value\nICE,file-intakes,2023-24,Q1,702\n",
            file_name="one.csv",
            user=clerk,
        )
    figure.refresh_from_db()
    assert figure.version == 2
    assert figure.history.first().version == 2


def test_a_cell_typed_over_a_figure_removed_meanwhile_says_it_was_removed(
    year, ice, client, clerk, administrator
):
    client.force_login(clerk)
    url = _url(ice, year)
    form = _form(client, url)
    intakes = metric_of("ICE", "file-intakes")
    services.delete_figure(figure=figure_of("ICE", "file-intakes", "Q1"), user=administrator)
    form[_name(intakes, "Q1")] = "700"
    response = client.post(url, form)
    assert response.status_code == 200
    conflict = response.context["grid"].conflicts[0].conflict
    assert "was removed by alice" in conflict
    assert "you saw 680, it is now nothing (not reported)" in conflict
    assert not Figure.objects.filter(
        metric=intakes, period__fiscal_year=year, period__period="Q1"
    ).exists()
