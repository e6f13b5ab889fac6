"""Publishing a year: admin actions with history, and a published year refuses
every path, administrators included."""

import pytest
from django.urls import reverse

from reporting import services
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import run_import
from reporting.models import Figure, FiscalYear, YearLocked
from tests.lookups import figure_of, metric_of, period_of


def test_the_publish_action_opens_the_years_review_and_publishing_is_recorded(
    year, client, administrator
):
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_changelist")
    response = client.post(url, {"action": "publish_year", "_selected_action": [year.pk]})
    review = reverse("admin:reporting_fiscalyear_publish", args=[year.pk])
    assert response["Location"] == review
    year.refresh_from_db()
    assert not year.is_locked  # the action only opens the review
    services.publish_year(
        fiscal_year=year,
        user=administrator,
        acknowledgements=_all_errors(year),
        incomplete_reason="Firearms' three rows were printed without quarters.",
    )
    year.refresh_from_db()
    assert (year.is_locked, year.locked_by) == (True, administrator)
    record = year.history.first()
    assert record.history_user == administrator
    assert record.history_change_reason == "published (release 1): First publication"
    services.prepare_correction(fiscal_year=year, user=administrator, reason="ICE Q1 was mistyped")
    year.refresh_from_db()
    assert not year.is_locked
    assert year.history.first().history_change_reason == "correction prepared: ICE Q1 was mistyped"


def _all_errors(year) -> dict[str, str]:
    from reporting.findings import Severity, year_findings
    from reporting.publication import finding_key

    return {
        finding_key(f): "as printed" for f in year_findings(year) if f.severity == Severity.ERROR
    }


def test_the_status_is_not_editable_on_the_year_page(year, client, administrator):
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_change", args=[year.pk])
    client.post(url, {"label": "2023-24", "status": "locked"})
    year.refresh_from_db()
    assert not year.is_locked


def test_a_locked_figure_is_read_only_and_says_who_locked_it(locked_year, client, clerk):
    client.force_login(clerk)
    figure = figure_of("ICE", "file-intakes", "Q1")
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    content = page.content.decode()
    assert "Fiscal year 2023-24 was published on" in content and "by alice" in content
    assert "Prepare a correction" in content
    assert client.post(url, {"value": "700"}).status_code == 403
    delete = reverse("admin:reporting_figure_delete", args=[figure.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert figure_of("ICE", "file-intakes", "Q1").value == 680


def test_adding_a_figure_to_a_locked_year_is_refused_with_the_lock_message(
    locked_year, client, clerk
):
    client.force_login(clerk)
    Figure.objects.filter(metric__unit__code="AUTO").delete()
    response = client.post(
        reverse("admin:reporting_figure_add"),
        {
            "metric": metric_of("AUTO", "charges-laid").pk,
            "period": period_of("FY").pk,
            "value": "3",
        },
    )
    assert response.status_code == 200
    assert "was published" in str(response.context["adminform"].form.non_field_errors())
    assert not Figure.objects.filter(metric__unit__code="AUTO").exists()


def test_an_administrator_may_not_change_a_published_year(locked_year, client, administrator):
    client.force_login(administrator)
    figure = figure_of("ICE", "file-intakes", "Q1")
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    assert client.post(url, {"value": "700"}).status_code == 403
    assert figure_of("ICE", "file-intakes", "Q1").value == 680


def test_a_locked_year_refuses_the_import_pipeline(locked_year, clerk):
    row = LongFormRow(2, "ICE", "file-intakes", "2023-24", "Q1", value="700")
    outcome = run_import([row], user=clerk, source="admin")
    assert not outcome.written
    assert "was published" in outcome.problems[0]
    assert figure_of("ICE", "file-intakes", "Q1").value == 680


def test_a_locked_year_refuses_the_services(locked_year, clerk):
    figure = figure_of("ICE", "file-intakes", "Q1")
    with pytest.raises(YearLocked, match="by alice"):
        services.record_figure(metric=figure.metric, period=figure.period, value="700", user=clerk)
    with pytest.raises(YearLocked):
        services.delete_figure(figure=figure, user=clerk)
    with pytest.raises(YearLocked):
        services.delete_figures(figures=Figure.objects.for_unit("ICE"), user=clerk)
    assert Figure.objects.for_unit("ICE").count() == 42


def test_other_years_stay_open_when_one_is_locked(locked_year, clerk):
    figure = figure_of("ICE", "file-intakes", "FY", year="2022-23")
    services.record_figure(metric=figure.metric, period=figure.period, value="3000", user=clerk)
    assert FiscalYear.objects.get(label="2022-23").is_locked is False
    assert figure_of("ICE", "file-intakes", "FY", year="2022-23").value == 3000
