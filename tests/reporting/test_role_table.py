"""The README's table of who may do what, checked against the code, row by row.

The table is read from README.md itself, so the manual and the code cannot
drift: each cell is tried through the real path (the API, the admin, the
services) on a figure of a unit the clerk is assigned to, one of a unit they
are not, and one of a published year (read-only to everyone: only reading
and history apply there), and each attempt is rolled back.

*Read* and *history* are every page that shows a figure or what is recorded
about it: the figure in the API and the admin, the figures list, the
data-quality findings (which quote the figure's internal note), the
unit-quarter of its unit and quarter and that record's history, and the
import that wrote it; *import* is the API's bulk upsert and ``import_values
--user``. Each is a row of its own: the message names the one that differs.
"""

import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.models import Figure, FiscalYear, ImportBatch, UnitQuarter
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
    """A clerk assigned to ICE; a figure of ICE and of CFSEU in 2023-24 (open)
    and of ICE in 2022-23 (locked); for each, a free key to create."""
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
    for place, figure in figures.items():
        # What the reading pages show of it: its internal note (the findings
        # quote it), its unit's quarter, and an import that wrote it.
        Figure.objects.filter(pk=figure.pk).update(note=f"internal note of {place}")
        UnitQuarter.objects.create(
            unit=figure.metric.unit, fiscal_year=figure.period.fiscal_year, quarter="Q1"
        )
        row = _row(figure, Decimal(3))
        services.import_file(
            content=_csv([row]), file_name=f"{place}.csv", user=administrator, source="command"
        )
        figures[place] = Figure.objects.select_related("metric__unit", "period__fiscal_year").get(
            pk=figure.pk
        )
    publish("2022-23")
    users = {
        "Administrators": administrator,
        "Data entry": clerk,
        "Leadership": leader,
        "no role": outsider,
    }
    return users, figures, free


def _row(figure: Figure, more: Decimal) -> dict:
    return {
        "unit": figure.metric.unit.code,
        "metric": figure.metric.code,
        "fiscal_year": figure.period.fiscal_year.label,
        "period": figure.period.period,
        "value": str(figure.value + more),
    }


def _csv(rows: list[dict]) -> bytes:
    lines = [",".join(rows[0])] + [",".join(row.values()) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _shows(client, url: str, wanted: str, **params) -> bool:
    response = client.get(url, params)
    return response.status_code == 200 and wanted in response.content.decode()


def probes(user, figure: Figure, free_key: dict) -> dict:
    """Each action of the table as a list of (what, probe) rows; a probe
    answers whether the user got what they asked for."""
    api = APIClient()
    api.force_login(user)
    admin = Client()
    admin.force_login(user)
    detail = reverse("api:figure-detail", args=[figure.pk])
    row = _row(figure, Decimal(2))
    year, unit = figure.period.fiscal_year, figure.metric.unit
    quarter = UnitQuarter.objects.get(unit=unit, fiscal_year=year, quarter="Q1")
    batch = ImportBatch.objects.filter(figures=figure).latest("pk")
    figure_page = reverse("admin:reporting_figure_change", args=[figure.pk])
    note = figure.note

    def import_values():
        with tempfile.NamedTemporaryFile(suffix=".csv") as upload, io.StringIO() as quiet:
            upload.write(_csv([_row(figure, Decimal(4))]))
            upload.flush()
            try:
                call_command(
                    "import_values",
                    upload.name,
                    "--user",
                    user.get_username(),
                    stdout=quiet,
                    stderr=quiet,
                )
            except CommandError:
                return False
        return True

    def publishing(probe):
        def attempt_it():
            try:
                return probe()
            except PermissionDenied:
                return False

        return attempt_it

    return {
        "read": [
            ("the figure in the API", lambda: api.get(detail).status_code == 200),
            ("the figure's admin page", lambda: admin.get(figure_page).status_code == 200),
            (
                "the figures list",
                lambda: _shows(
                    admin,
                    reverse("admin:reporting_figure_changelist"),
                    figure_page,
                    all="",
                    **{"period__fiscal_year__id__exact": year.pk},
                ),
            ),
            (
                "its internal note in the findings",
                lambda: _shows(
                    admin, reverse("admin:reporting_findings"), note, fiscal_year=year.pk
                ),
            ),
            (
                "its unit-quarter's page",
                lambda: (
                    admin.get(
                        reverse("admin:reporting_unitquarter_change", args=[quarter.pk])
                    ).status_code
                    == 200
                ),
            ),
            (
                "the import that wrote it",
                lambda: (
                    admin.get(
                        reverse("admin:reporting_importbatch_change", args=[batch.pk])
                    ).status_code
                    == 200
                ),
            ),
            (
                "that import in the imports list",
                lambda: _shows(
                    admin,
                    reverse("admin:reporting_importbatch_changelist"),
                    reverse("admin:reporting_importbatch_change", args=[batch.pk]),
                ),
            ),
        ],
        "create": [
            (
                "in the API",
                lambda: api.post(reverse("api:figure-list"), free_key).status_code == 201,
            )
        ],
        "change": [
            (
                "in the API",
                lambda: (
                    api.patch(detail, {"value": str(figure.value + Decimal(1))}).status_code == 200
                ),
            )
        ],
        "delete": [("in the API", lambda: api.delete(detail).status_code == 204)],
        "import": [
            (
                "the API's bulk upsert",
                lambda: api.post(reverse("api:figure-bulk"), [row]).status_code == 200,
            ),
            ("import_values --user", import_values),
        ],
        "publish": [
            (
                "the service",
                publishing(
                    lambda: services.publish_year(
                        fiscal_year=FiscalYear.objects.get(label="2024-25"),
                        user=user,
                        incomplete_reason="An empty year, for the test.",
                    )
                ),
            )
        ],
        "correct": [
            (
                "the service",
                publishing(
                    lambda: services.prepare_correction(
                        fiscal_year=FiscalYear.objects.get(label="2022-23"),
                        user=user,
                        reason="A typo",
                    )
                ),
            )
        ],
        "history": [
            (
                "the figure's history",
                lambda: (
                    admin.get(
                        reverse("admin:reporting_figure_history", args=[figure.pk])
                    ).status_code
                    == 200
                ),
            ),
            (
                "the change history list",
                lambda: _shows(
                    admin,
                    reverse("admin:reporting_historicalfigure_changelist"),
                    reverse("admin:reporting_figure_history", args=[figure.pk]),
                    **{"period__fiscal_year__id__exact": year.pk, "q": figure.metric.label},
                ),
            ),
            (
                "its unit-quarter's history",
                lambda: (
                    admin.get(
                        reverse("admin:reporting_unitquarter_history", args=[quarter.pk])
                    ).status_code
                    == 200
                ),
            ),
        ],
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
            for what, probe in tries[action]:
                allowed = attempt(probe)
                if allowed != expected(cell, action, place):
                    wrong.append(
                        f"{action} ({what}) on a figure of {place}: table “{cell}”, code {allowed}"
                    )
    assert not wrong, f"{role}: " + "; ".join(wrong)


API_AND_DOCS = ["api:api-root", "api:schema", "api:docs"]


@pytest.mark.parametrize("role", sorted(TABLE))
def test_the_api_and_its_documentation_follow_the_read_column(role, world):
    """Whoever may read no figure learns nothing of the API either: its root,
    its schema and its documentation pages answer 403 to an account with no role."""
    users, _, _ = world
    client = APIClient()
    client.force_login(users[role])
    may_read = TABLE[role]["read"] != "—"
    for name in API_AND_DOCS:
        status = client.get(reverse(name)).status_code
        assert status == (200 if may_read else 403), f"{role}: {name} answered {status}"
    anonymous = APIClient()
    for name in API_AND_DOCS:
        assert anonymous.get(reverse(name)).status_code == 401, name


def test_the_readme_names_the_roles_of_reporting_roles():
    from reporting.roles import ADMINISTRATORS, DATA_ENTRY, LEADERSHIP

    assert {ADMINISTRATORS, DATA_ENTRY, LEADERSHIP} < set(TABLE)
    assert re.search(r"\| no role \|", README.read_text(encoding="utf-8"))
