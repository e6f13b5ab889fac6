"""One gate decides who may change a figure, and every path follows its answer.

``reporting.access.write_refusal`` is asked by the admin, the entry grid, the
services, the import pipeline and the API; here each of them is checked
against the gate's own answer over the cases that matter: a draft year, a
published one (read-only to everyone, administrators included) and one whose
correction is being prepared, and a clerk assigned to the figure's unit, to
another unit, or to none (every unit).
"""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import grid as entry_grid
from reporting import services
from reporting.access import write_refusal
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import plan_import
from reporting.models import Figure, FiscalYear, YearLocked
from tests.years import publish
from units.models import Unit, UnitNotAssigned

CASES = {
    # case: (year locked?, who, assigned to, the gate's refusal)
    "open year, clerk with no assignment": (False, "clerk", None, None),
    "open year, clerk assigned to the unit": (False, "clerk", "ICE", None),
    "open year, clerk assigned elsewhere": (False, "clerk", "CFSEU", UnitNotAssigned),
    "locked year, clerk": (True, "clerk", None, YearLocked),
    "locked year, clerk assigned elsewhere": (True, "clerk", "CFSEU", YearLocked),
    # A published year is read-only to everyone: a correction is prepared first.
    "locked year, administrator": (True, "administrator", None, YearLocked),
    "locked year, administrator assigned elsewhere": (True, "administrator", "CFSEU", YearLocked),
    "correction prepared, clerk": ("correcting", "clerk", None, None),
    "correction prepared, administrator": ("correcting", "administrator", None, None),
}


@pytest.fixture(params=list(CASES))
def case(request, dataset, clerk, administrator):
    locked, who, assigned_to, refusal = CASES[request.param]
    user = {"clerk": clerk, "administrator": administrator}[who]
    if assigned_to:
        Unit.objects.get(code=assigned_to).data_entry_users.add(user)
    year = FiscalYear.objects.get(label="2023-24")
    if locked:
        publish(year, user=administrator)
    if locked == "correcting":
        services.prepare_correction(fiscal_year=year, user=administrator, reason="To correct")
    figure = Figure.objects.with_keys().get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year=year,
        period__period="Q1",
        region__isnull=True,
    )
    return user, figure, refusal


def test_the_gate_answers_each_case(case):
    user, figure, expected = case
    refusal = write_refusal(user, figure)
    if expected is None:
        assert refusal is None
    else:
        assert isinstance(refusal, expected) and refusal.messages[0]


def test_the_admin_follows_the_gate(case):
    user, figure, expected = case
    request = RequestFactory().get("/")
    request.user = user
    figure_admin = site._registry[Figure]
    assert figure_admin.has_change_permission(request, figure) is (expected is None)
    assert figure_admin.has_delete_permission(request, figure) is (expected is None)


def test_the_services_follow_the_gate(case):
    user, figure, expected = case
    record = dict(metric=figure.metric, period=figure.period, value=figure.value, user=user)
    if expected is None:
        services.record_figure(**record)
        services.delete_figure(figure=figure, user=user)
    else:
        with pytest.raises(expected):
            services.record_figure(**record)
        with pytest.raises(expected):
            services.delete_figure(figure=figure, user=user)
        with pytest.raises(expected):
            services.delete_figures(figures=Figure.objects.filter(pk=figure.pk), user=user)


def test_the_entry_grid_follows_the_gate(case):
    user, figure, expected = case
    grid = entry_grid.build_grid(figure.metric.unit, figure.period.fiscal_year)
    assert grid.bind({cell.name: cell.raw for cell in grid.cells})
    cell = next(c for c in grid.cells if c.figure is not None and c.figure.pk == figure.pk)
    cell.value = figure.value + 1  # one changed cell, so the save has something to write
    if expected is None:
        assert entry_grid.save_grid(grid, user=user) == {"recorded": 1, "deleted": 0}
    else:
        with pytest.raises(expected):
            entry_grid.save_grid(grid, user=user)


def test_the_import_pipeline_follows_the_gate(case):
    user, figure, expected = case
    row = LongFormRow(2, "ICE", "file-intakes", "2023-24", "Q1", value=str(figure.value + 1))
    problems = plan_import([row], user=user).problems
    if expected is None:
        assert problems == []
    else:
        # The pipeline names every refusal against its column; the gate's comes first.
        column = "fiscal_year" if expected is YearLocked else "unit"
        refusal = write_refusal(user, figure).messages[0]
        assert problems[0] == f"row 2, column “{column}”: {refusal}"


def test_the_api_follows_the_gate(case):
    user, figure, expected = case
    api = APIClient()
    api.force_authenticate(user)
    response = api.patch(
        reverse("api:figure-detail", args=[figure.pk]), {"value": "12"}, format="json"
    )
    if write_refusal(user, unit=figure.metric.unit):
        assert response.status_code == 404  # another unit's figure is not there for this user
    else:
        assert response.status_code == {None: 200, YearLocked: 409}[expected]
