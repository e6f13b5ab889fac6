"""The admin's change form carries the version it showed; a stale save is a form error."""

from django.urls import reverse

from reporting import services
from tests.lookups import figure_of


def _change_form(client, figure) -> dict:
    response = client.get(reverse("admin:reporting_figure_change", args=[figure.pk]))
    form = response.context["adminform"].form
    assert f'name="seen_version" value="{figure.version}"' in response.content.decode()
    return {"value": form.initial["value"], "note": figure.note, "seen_version": figure.version}


def test_a_change_form_saved_over_a_newer_figure_is_refused_with_who_when_and_both_values(
    dataset, client, clerk, administrator
):
    client.force_login(clerk)
    figure = figure_of("ICE", "file-intakes", "Q1")
    data = _change_form(client, figure)
    services.record_figure(
        metric=figure.metric, period=figure.period, value="690", user=administrator
    )
    data["value"] = "700"
    response = client.post(reverse("admin:reporting_figure_change", args=[figure.pk]), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "changed by alice" in errors[0]
    assert "you saw 680, it is now 690" in errors[0]
    figure.refresh_from_db()
    assert figure.value == 690


def test_a_current_change_form_saves_and_bumps_the_version(dataset, client, clerk):
    client.force_login(clerk)
    figure = figure_of("ICE", "file-intakes", "Q1")
    data = _change_form(client, figure)
    data["value"] = "700"
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    assert client.post(url, data).status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.version) == (700, 2)
    # The same form sent twice (Back, then Save) is now stale.
    data["value"] = "710"
    assert client.post(url, data).status_code == 200
    figure.refresh_from_db()
    assert figure.value == 700
