"""A submitted or approved unit-quarter is frozen for clerks on every path,
through the one gate (``write_refusal`` answers ``QuarterSubmitted`` or
``QuarterApproved``): the entry grid, the admin's import, the import command,
the API (single, bulk and delete), the admin's change form, its delete and
its bulk delete. Each test runs for both states. Administrators may still
correct it (the history records who did); a full-year figure follows Q4; a
returned or reopened quarter is open again."""

import io
import json
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import grid as entry_grid
from reporting import services
from reporting.access import write_refusal
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import ProblemCode, run_import
from reporting.models import Figure, QuarterApproved, QuarterFrozen, QuarterSubmitted
from tests.importing.helpers import long_csv


@dataclass
class Frozen:
    state: str
    message: str  # how the gate's sentence begins
    code: str


@pytest.fixture(params=["submitted", "approved"])
def frozen_q1(request, year, ice, ice_clerk, administrator) -> Frozen:
    """ICE 2023-24 Q1, submitted by Bob (and, the second time, approved by Alice)."""
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)
    if request.param == "approved":
        services.move_quarter(
            action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
        )
    return Frozen(
        state=request.param,
        message=f"ICE 2023-24 Q1 was {request.param} on",
        code=f"quarter_{request.param}",
    )


def intakes(period: str = "Q1") -> Figure:
    return Figure.objects.with_keys().get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period=period,
        region__isnull=True,
    )


pytestmark = pytest.mark.usefixtures("media")


def test_the_gate_refuses_a_clerk_in_a_frozen_quarter_and_says_who_froze_it(
    frozen_q1, ice_clerk, administrator
):
    refusal = write_refusal(ice_clerk, intakes("Q1"))
    assert isinstance(
        refusal, QuarterSubmitted if frozen_q1.state == "submitted" else QuarterApproved
    )
    assert refusal.code == frozen_q1.code
    who, step = ("bob", "return") if frozen_q1.state == "submitted" else ("alice", "reopen")
    assert frozen_q1.message in refusal.messages[0] and f"by {who}" in refusal.messages[0]
    assert f"Ask an administrator to {step} ICE 2023-24 Q1" in refusal.messages[0]
    assert write_refusal(ice_clerk, intakes("Q2")) is None  # the other quarters stay open
    assert write_refusal(administrator, intakes("Q1")) is None
    assert write_refusal(None, intakes("Q1")) is not None  # commands without a user


def test_a_full_year_figure_follows_q4(year, ice, ice_clerk, administrator):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q4", user=ice_clerk)
    services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q4", user=administrator
    )
    full_year = intakes("Q1")  # a period of the year, to name its metric
    refusal = write_refusal(ice_clerk, fiscal_year=year, unit=ice, period="FY")
    assert isinstance(refusal, QuarterApproved)
    assert "full-year figures belong to Q4" in refusal.messages[0]
    assert write_refusal(ice_clerk, full_year) is None


def test_the_services_refuse_a_clerk(frozen_q1, ice_clerk):
    figure = intakes()
    with pytest.raises(QuarterFrozen):
        services.record_figure(
            metric=figure.metric, period=figure.period, value="700", user=ice_clerk
        )
    with pytest.raises(QuarterFrozen):
        services.delete_figure(figure=figure, user=ice_clerk)
    with pytest.raises(QuarterFrozen):
        services.delete_figures(figures=Figure.objects.for_unit("ICE"), user=ice_clerk)
    assert intakes().value == 680
    assert Figure.objects.for_unit("ICE").count() == 42


def test_the_grid_shows_the_quarter_read_only_and_refuses_a_save(
    frozen_q1, year, ice, ice_clerk, client
):
    client.force_login(ice_clerk)
    url = reverse("admin:reporting_figure_grid", args=[ice.pk, year.pk])
    page = client.get(url)
    assert set(page.context["frozen_periods"]) == {"Q1"}
    assert "Read-only: " + frozen_q1.message in page.content.decode()
    cell = f"v-{intakes().metric_id}-Q1"
    assert f'name="{cell}"' in page.content.decode()
    grid = entry_grid.build_grid(ice, year)
    data = {c.name: c.raw for c in grid.cells} | {cell: "700"}
    response = client.post(url, data, follow=True)
    assert "Nothing saved. " + frozen_q1.message in response.content.decode()
    assert intakes().value == 680


def test_the_grid_saves_the_open_quarters_beside_a_frozen_one(
    frozen_q1, year, ice, ice_clerk, client
):
    client.force_login(ice_clerk)
    url = reverse("admin:reporting_figure_grid", args=[ice.pk, year.pk])
    grid = entry_grid.build_grid(ice, year)
    data = {c.name: c.raw for c in grid.cells} | {f"v-{intakes().metric_id}-Q2": "900"}
    assert client.post(url, data).status_code == 302
    assert intakes("Q2").value == 900


def test_the_admin_import_refuses_the_rows_of_a_frozen_quarter(frozen_q1, ice_clerk, client):
    client.force_login(ice_clerk)
    content = long_csv(
        ["ICE", "file-intakes", "2023-24", "Q1", "", "700", ""],
        ["ICE", "file-intakes", "2023-24", "Q2", "", "900", ""],
    )
    handle = io.BytesIO(content)
    handle.name = "ice.csv"
    response = client.post(
        reverse("admin:reporting_figure_import"), {"import_file": handle, "format": "0"}
    )
    page = response.content.decode()
    assert "column “period”: " + frozen_q1.message in page
    assert '<a href="#row-2">row 2</a>' in page
    assert '<a href="#row-3">' not in page  # Q2 is open: only the approved quarter's row
    assert intakes().value == 680 and intakes("Q2").value != 900


def test_the_import_command_refuses_a_clerk_and_a_run_without_a_user(
    frozen_q1, ice_clerk, tmp_path
):
    path = tmp_path / "ice.csv"
    path.write_bytes(long_csv(["ICE", "file-intakes", "2023-24", "Q1", "", "700", ""]))
    for user in (["--user", "bob"], []):
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_values", str(path), *user, stdout=io.StringIO(), stderr=err)
        assert frozen_q1.message in err.getvalue()
    assert intakes().value == 680


def test_the_pipeline_names_the_problem_for_programs(frozen_q1, ice_clerk):
    outcome = run_import(
        [LongFormRow(2, "ICE", "file-intakes", "2023-24", "Q1", value="700")], user=ice_clerk
    )
    assert [p.code for p in outcome.rows[0].problems] == [ProblemCode(frozen_q1.code)]
    assert not outcome.written


def test_an_unchanged_row_of_a_frozen_quarter_is_not_a_problem(frozen_q1, ice_clerk):
    outcome = run_import(
        [LongFormRow(2, "ICE", "file-intakes", "2023-24", "Q1", value="680")], user=ice_clerk
    )
    assert not outcome.has_errors


def test_the_api_answers_409_on_a_single_write_and_a_delete(frozen_q1, ice_clerk):
    api = APIClient()
    api.force_login(ice_clerk)
    url = reverse("api:figure-detail", args=[intakes().pk])
    response = api.patch(url, {"value": "700"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith(frozen_q1.message)
    assert api.delete(url).status_code == 409
    assert intakes().value == 680


def test_the_api_answers_409_on_creating_a_figure_in_a_frozen_quarter(frozen_q1, ice_clerk):
    figure = intakes()
    figure.delete()
    api = APIClient()
    api.force_login(ice_clerk)
    response = api.post(
        reverse("api:figure-list"),
        {
            "unit": "ICE",
            "metric": "file-intakes",
            "fiscal_year": "2023-24",
            "period": "Q1",
            "value": "700",
        },
        format="json",
    )
    assert response.status_code == 409
    assert not Figure.objects.filter(pk=figure.pk).exists()


def test_the_api_bulk_upsert_answers_409_and_writes_nothing(frozen_q1, ice_clerk):
    api = APIClient()
    api.force_login(ice_clerk)
    rows = [
        {"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2023-24", "period": p, "value": v}
        for p, v in (("Q1", "700"), ("Q2", "900"))
    ]
    response = api.post(
        reverse("api:figure-bulk"), json.dumps(rows), content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "period"
    assert frozen_q1.message in response.json()["errors"][0]["message"]
    assert intakes().value == 680 and intakes("Q2").value != 900


def test_the_admin_change_form_and_delete_refuse_a_clerk(frozen_q1, ice_clerk, client):
    client.force_login(ice_clerk)
    figure = intakes()
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    page = client.get(url)
    assert page.context["has_change_permission"] is False
    assert frozen_q1.message in page.content.decode()
    assert client.post(url, {"value": "700"}).status_code == 403
    delete = reverse("admin:reporting_figure_delete", args=[figure.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert intakes().value == 680


def test_adding_a_figure_to_a_frozen_quarter_in_the_admin_is_refused(frozen_q1, ice_clerk, client):
    figure = intakes()
    metric, period = figure.metric, figure.period
    figure.delete()
    client.force_login(ice_clerk)
    response = client.post(
        reverse("admin:reporting_figure_add"),
        {"metric": metric.pk, "period": period.pk, "value": "700"},
    )
    assert response.status_code == 200
    assert frozen_q1.message in str(response.context["adminform"].form.non_field_errors())
    assert not Figure.objects.filter(metric=metric, period=period).exists()


def test_the_admin_bulk_delete_refuses_a_clerk(frozen_q1, ice_clerk, client):
    client.force_login(ice_clerk)
    response = client.post(
        reverse("admin:reporting_figure_changelist"),
        {"action": "delete_figures", "_selected_action": [intakes().pk, intakes("Q2").pk]},
        follow=True,
    )
    assert "Nothing deleted. " + frozen_q1.message in response.content.decode()
    assert Figure.objects.filter(pk__in=[intakes().pk, intakes("Q2").pk]).count() == 2


def test_an_administrator_corrects_a_frozen_quarter_and_the_history_says_so(
    frozen_q1, administrator, client
):
    client.force_login(administrator)
    figure = intakes()
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    assert client.post(url, {"value": "700", "note": "", "public_note": ""}).status_code == 302
    assert intakes().value == 700
    latest = intakes().history.first()
    assert latest.history_user == administrator and latest.value == 700


def test_after_a_reopen_the_clerk_may_change_the_quarter_again(
    approved_q1, year, ice, ice_clerk, administrator
):
    services.move_quarter(
        action="reopen",
        unit=ice,
        fiscal_year=year,
        quarter="Q1",
        user=administrator,
        text="Late lab results.",
    )
    figure = intakes()
    services.record_figure(metric=figure.metric, period=figure.period, value="700", user=ice_clerk)
    assert intakes().value == 700


def test_after_a_return_the_clerk_may_change_the_quarter_again(year, ice, ice_clerk, administrator):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)
    services.move_quarter(
        action="return",
        unit=ice,
        fiscal_year=year,
        quarter="Q1",
        user=administrator,
        text="Q1 intakes look doubled.",
    )
    figure = intakes()
    services.record_figure(metric=figure.metric, period=figure.period, value="700", user=ice_clerk)
    assert intakes().value == 700
