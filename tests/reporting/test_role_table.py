"""The README's table of who may do what, checked against the code, row by row.

The table is read from README.md itself, so the manual and the code cannot
drift: each cell is tried through the real path (the API, the admin, the
services) on a figure of a unit the clerk is assigned to, one of a unit they
are not, and one of a published year (read-only to everyone: only reading
and history apply there), and each attempt is rolled back.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.models import Figure, FiscalYear
from tests.years import publish
from units.models import Unit

README = Path(__file__).resolve().parents[2] / "README.md"
ACTIONS = ["read", "create", "change", "delete", "import", "publish", "correct", "history"]
READING = {"read", "history"}  # no difference between draft and published years
CELLS = {"all", "own units", "—"}


def role_table() -> dict[str, dict[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    heading = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert heading == ["role", *ACTIONS], heading
    table = {}
    for line in lines[2:]:
        role, *cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert set(cells) <= CELLS, f"{role}: cells must be one of {CELLS}: {cells}"
        table[role] = dict(zip(ACTIONS, cells, strict=True))
    return table


TABLE = role_table()


def test_the_table_has_a_row_per_role_and_no_other():
    assert set(TABLE) == {"Administrators", "Data entry", "Leadership", "no role"}


class _Rollback(Exception):
    def __init__(self, allowed: bool):
        self.allowed = allowed


def attempt(probe) -> bool:
    """Whether the probe was allowed; whatever it wrote is rolled back."""
    try:
        with transaction.atomic():
            raise _Rollback(bool(probe()))
    except _Rollback as outcome:
        return outcome.allowed


@pytest.fixture
def world(dataset, administrator, clerk, leader, outsider):
    """A clerk assigned to ICE; a figure of ICE and of CFSEU in 2023-24 (a draft)
    and of ICE in 2022-23 (published); for each, a free key to create."""
    Unit.objects.get(code="ICE").data_entry_users.add(clerk)
    places = {
        "own": ("ICE", "2023-24"),
        "other": ("CFSEU", "2023-24"),
        "locked": ("ICE", "2022-23"),
    }
    figures, free = {}, {}
    for place, (unit, year) in places.items():
        two = list(
            Figure.objects.for_unit(unit).for_year(year).unit_wide().with_keys().order_by("pk")[:2]
        )
        removed = two[1]
        free[place] = {
            "unit": unit,
            "metric": removed.metric.code,
            "fiscal_year": year,
            "period": removed.period.period,
            "value": "7",
        }
        services.delete_figure(figure=removed, user=administrator)
        figures[place] = two[0]
    publish("2022-23")
    users = {
        "Administrators": administrator,
        "Data entry": clerk,
        "Leadership": leader,
        "no role": outsider,
    }
    return users, figures, free


def probes(user, figure: Figure, free_key: dict) -> dict:
    api = APIClient()
    api.force_login(user)
    admin = Client()
    admin.force_login(user)
    detail = reverse("api:figure-detail", args=[figure.pk])
    row = {
        "unit": figure.metric.unit.code,
        "metric": figure.metric.code,
        "fiscal_year": figure.period.fiscal_year.label,
        "period": figure.period.period,
        "value": str(figure.value + 2),
    }

    def publishing(probe):
        def attempt_it():
            try:
                return probe()
            except PermissionDenied:
                return False

        return attempt_it

    return {
        "read": lambda: api.get(detail).status_code == 200,
        "create": lambda: api.post(reverse("api:figure-list"), free_key).status_code == 201,
        "change": lambda: (
            api.patch(detail, {"value": str(figure.value + Decimal(1))}).status_code == 200
        ),
        "delete": lambda: api.delete(detail).status_code == 204,
        "import": lambda: api.post(reverse("api:figure-bulk"), [row]).status_code == 200,
        "publish": publishing(
            lambda: services.publish_year(
                fiscal_year=FiscalYear.objects.get(label="2024-25"),
                user=user,
                incomplete_reason="An empty year, for the test.",
            )
        ),
        "correct": publishing(
            lambda: services.prepare_correction(
                fiscal_year=FiscalYear.objects.get(label="2022-23"), user=user, reason="A typo"
            )
        ),
        "history": lambda: (
            admin.get(reverse("admin:reporting_figure_history", args=[figure.pk])).status_code
            == 200
        ),
    }


def expected(cell: str, action: str, place: str) -> bool:
    if cell == "—":
        return False
    if place == "locked" and action not in READING:
        return False  # a published year is read-only to everyone
    if cell == "all":
        return True
    # own units: the clerk's units.
    return place == "own" or (place == "locked" and action in READING)


@pytest.mark.parametrize("role", sorted(TABLE))
def test_the_code_does_what_the_readme_table_says(role, world):
    users, figures, free = world
    if not FiscalYear.objects.filter(label="2024-25").exists():
        services.create_fiscal_year(label="2024-25")
    wrong = []
    for place in ("own", "other", "locked"):
        tries = probes(users[role], figures[place], free[place])
        for action in ACTIONS:
            if action in ("publish", "correct") and place != "own":
                continue  # a year's status has no unit
            cell = TABLE[role][action]
            allowed = attempt(tries[action])
            if allowed != expected(cell, action, place):
                wrong.append(f"{action} on a figure of {place}: table “{cell}”, code {allowed}")
    assert not wrong, f"{role}: " + "; ".join(wrong)


def test_the_readme_names_the_roles_of_reporting_roles():
    from reporting.roles import ADMINISTRATORS, DATA_ENTRY, LEADERSHIP

    assert {ADMINISTRATORS, DATA_ENTRY, LEADERSHIP} < set(TABLE)
    assert re.search(r"\| no role \|", README.read_text(encoding="utf-8"))
