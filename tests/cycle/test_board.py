"""The reporting cycle's board: units by quarters of each draft year, with
figures entered / expected, open findings, the state and the allowed steps."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import services
from reporting.cycle import build_board
from reporting.models import Figure, FiscalYear, UnitQuarter
from tests.years import publish
from units.models import Metric, Unit

BOARD = "admin:reporting_unitquarter_changelist"
STEP = "admin:reporting_unitquarter_transition"


def cell_of(boards, year: str, unit: str, quarter: str):
    board = next(b for b in boards if b.fiscal_year.label == year)
    row = next(r for r in board.rows if r.unit.code == unit)
    return next(c for c in row.cells if c.quarter == quarter)


def test_the_board_counts_figures_entered_against_expected(year, administrator):
    boards = build_board(administrator)
    ice_q1 = cell_of(boards, "2023-24", "ICE", "Q1")
    assert (ice_q1.entered, ice_q1.expected) == (6, 6)
    # Q4 closes the year: CFSEU's regional breakdown (5 metrics x 8 regions) is expected there.
    cfseu_q4 = cell_of(boards, "2023-24", "CFSEU", "Q4")
    assert (cfseu_q4.entered, cfseu_q4.expected) == (5 + 40, 5 + 40)
    cfseu_q1 = cell_of(boards, "2023-24", "CFSEU", "Q1")
    assert (cfseu_q1.entered, cfseu_q1.expected) == (5, 5)
    # Three Firearms rows have no quarters on record (the report did not show them).
    firearms_q2 = cell_of(boards, "2023-24", "FIREARMS", "Q2")
    assert firearms_q2.entered == firearms_q2.expected - 3
    assert ice_q1.state == firearms_q2.state == UnitQuarter.State.IN_PROGRESS
    Figure.objects.for_year(year).for_unit("AUTO").filter(period__period="Q3").delete()
    auto_q3 = cell_of(build_board(administrator), "2023-24", "AUTO", "Q3")
    assert auto_q3.entered == 0 and auto_q3.state == UnitQuarter.State.NOT_STARTED
    assert auto_q3.actions == []  # nothing to submit


def test_the_board_counts_a_quarters_open_findings(year, ice, administrator):
    before = build_board(administrator)
    assert [cell_of(before, "2023-24", "ICE", q).findings for q in ("Q1", "Q2", "Q3", "Q4")] == [
        0,
        0,
        0,
        0,
    ]
    figure = (
        Figure.objects.for_year(year)
        .for_unit(ice)
        .get(metric__code="file-intakes", period__period="Q2", region__isnull=True)
    )
    figure.value = Decimal("872.5")  # a fraction in a count (an error of Q2), and the
    figure.save()  # quarters no longer add up to the year (an error of every quarter and FY)
    after = build_board(administrator)
    assert [cell_of(after, "2023-24", "ICE", q).findings for q in ("Q1", "Q2", "Q3", "Q4")] == [
        1,
        2,
        1,
        1,
    ]


def test_the_board_shows_each_state_and_the_steps_each_role_may_take(
    approved_q1, year, ice, ice_clerk, administrator
):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q2", user=ice_clerk)
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q3", user=ice_clerk)
    services.move_quarter(
        action="return",
        unit=ice,
        fiscal_year=year,
        quarter="Q3",
        user=administrator,
        text="Check Q3 intakes.",
    )
    as_admin = build_board(administrator)
    as_clerk = build_board(ice_clerk)
    expected = {
        "Q1": ("approved", ["reopen"], []),
        "Q2": ("submitted", ["approve", "return"], []),
        "Q3": ("returned", ["submit"], ["submit"]),  # administrators may submit too
        "Q4": ("in_progress", ["submit"], ["submit"]),
    }
    for quarter, (state, admin_steps, clerk_steps) in expected.items():
        assert cell_of(as_admin, "2023-24", "ICE", quarter).state == state
        assert cell_of(as_admin, "2023-24", "ICE", quarter).actions == admin_steps
        assert cell_of(as_clerk, "2023-24", "ICE", quarter).actions == clerk_steps
    assert cell_of(as_clerk, "2023-24", "ICE", "Q3").record.comment == "Check Q3 intakes."


def test_clerks_see_their_units_and_administrators_all(year, ice_clerk, administrator, leader):
    assert [r.unit.code for r in build_board(ice_clerk)[0].rows] == ["ICE"]
    everyone = [u.code for u in Unit.objects.active()]
    assert [r.unit.code for r in build_board(administrator)[0].rows] == everyone
    leaders_board = build_board(leader)
    assert [r.unit.code for r in leaders_board[0].rows] == everyone
    assert not any(c.actions for r in leaders_board[0].rows for c in r.cells)


def test_the_board_lists_draft_years_only(year, administrator):
    publish(year, user=administrator)
    labels = [b.fiscal_year.label for b in build_board(administrator)]
    assert "2023-24" not in labels
    assert labels == [fy.label for fy in FiscalYear.objects.open()]


def test_the_board_costs_the_same_queries_whatever_the_number_of_units(year, administrator, client):
    client.force_login(administrator)
    url = reverse(BOARD)
    client.get(url)  # warm the session and the permission caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        unit = Unit.objects.create(code=f"NEW{n}", name=f"New {n}", program="P")
        for m in range(3):
            Metric.objects.create(unit=unit, code=f"m{m}", label=f"M {m}", regional_label="X")
    for quarter in ("Q1", "Q2"):
        services.move_quarter(
            action="submit",
            unit=Unit.objects.get(code="ICE"),
            fiscal_year=year,
            quarter=quarter,
            user=administrator,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "NEW4" in page.content.decode()
    assert len(many) == len(few)


def test_the_board_page_lists_the_cells_and_a_clerk_submits_from_it(year, ice, ice_clerk, client):
    client.force_login(ice_clerk)
    page = client.get(reverse(BOARD))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Submit ICE Q2" in content and "6 / 6 figures" in content
    assert "Approve" not in content
    response = client.post(
        reverse(STEP),
        {"unit": ice.pk, "fiscal_year": year.pk, "quarter": "Q2", "action": "submit"},
        follow=True,
    )
    assert "ICE 2023-24 Q2: submitted." in response.content.decode()
    assert UnitQuarter.objects.get(unit=ice, quarter="Q2").state == UnitQuarter.State.SUBMITTED


def test_an_administrator_returns_from_the_board_and_the_clerk_reads_the_comment(
    year, ice, ice_clerk, administrator, client
):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q2", user=ice_clerk)
    client.force_login(administrator)
    step = {"unit": ice.pk, "fiscal_year": year.pk, "quarter": "Q2", "action": "return"}
    refused = client.post(reverse(STEP), step | {"text": ""}, follow=True)
    assert "Nothing changed for ICE 2023-24 Q2. Say why" in refused.content.decode()
    client.post(reverse(STEP), step | {"text": "Q2 intakes look doubled."})
    client.force_login(ice_clerk)
    content = client.get(reverse(BOARD)).content.decode()
    assert "Returned by alice" in content and "Q2 intakes look doubled." in content
    assert "Submit ICE Q2" in content


def test_a_clerk_cannot_step_a_unit_quarter_by_posting_directly(
    year, ice, ice_clerk, cfseu, client
):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q2", user=ice_clerk)
    client.force_login(ice_clerk)
    approve = {"unit": ice.pk, "fiscal_year": year.pk, "quarter": "Q2", "action": "approve"}
    assert client.post(reverse(STEP), approve).status_code == 403
    submit = {"unit": cfseu.pk, "fiscal_year": year.pk, "quarter": "Q2", "action": "submit"}
    response = client.post(reverse(STEP), submit, follow=True)
    assert "bob is not assigned to CFSEU" in response.content.decode()
    assert not UnitQuarter.objects.filter(unit=cfseu).exists()


def test_steps_need_a_post_with_csrf(year, ice, administrator):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(administrator)
    assert strict.get(reverse(STEP)).status_code == 405
    step = {"unit": ice.pk, "fiscal_year": year.pk, "quarter": "Q2", "action": "submit"}
    assert strict.post(reverse(STEP), step).status_code == 403
    assert not UnitQuarter.objects.exists()


@pytest.mark.parametrize("who", ["outsider"])
def test_someone_without_a_role_cannot_see_the_board(who, request, client, dataset):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(BOARD)).status_code == 403


def test_a_unit_quarters_history_page_lists_its_steps(approved_q1, ice_clerk, client):
    client.force_login(ice_clerk)
    assert reverse("admin:reporting_unitquarter_history", args=[approved_q1.pk]) in (
        client.get(reverse(BOARD)).content.decode()
    )
    page = client.get(reverse("admin:reporting_unitquarter_history", args=[approved_q1.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "submitted" in content and "approved" in content


def test_the_bulk_delete_refusal_costs_the_same_queries_whatever_the_selection(
    approved_q1, ice_clerk, client
):
    client.force_login(ice_clerk)
    url = reverse("admin:reporting_figure_changelist")

    def count(figures) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.post(url, {"action": "delete_figures", "_selected_action": figures})
        return len(captured)

    # Refused (Q1 is approved): the refusal costs the same for one figure or six.
    ice_q1 = list(
        Figure.objects.for_unit("ICE").filter(period__period="Q1").values_list("pk", flat=True)
    )
    assert len(ice_q1) == 6
    assert count(ice_q1[:1]) == count(ice_q1)
    assert Figure.objects.filter(pk__in=ice_q1).count() == 6


def test_a_reopened_quarter_shows_what_changed_since_its_approval(
    approved_q1, year, ice, ice_clerk, administrator, client
):
    services.move_quarter(
        action="reopen",
        unit=ice,
        fiscal_year=year,
        quarter="Q1",
        user=administrator,
        text="Late lab results.",
    )
    intakes = (
        Figure.objects.for_year(year)
        .for_unit(ice)
        .get(metric__code="file-intakes", period__period="Q1", region__isnull=True)
    )
    services.record_figure(
        metric=intakes.metric, period=intakes.period, value="681", user=ice_clerk
    )
    services.record_figure(
        metric=intakes.metric, period=intakes.period, value="690", user=ice_clerk
    )
    other = (
        Figure.objects.for_year(year)
        .for_unit(ice)
        .filter(period__period="Q1")
        .exclude(pk=intakes.pk)
        .first()
    )
    original = other.value
    services.record_figure(metric=other.metric, period=other.period, value="1", user=ice_clerk)
    services.record_figure(metric=other.metric, period=other.period, value=original, user=ice_clerk)
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)

    cell = cell_of(build_board(administrator), "2023-24", "ICE", "Q1")
    # Changed and changed back is no change; the approved value against today's.
    assert [str(c) for c in cell.changes_since_approval] == ["File intakes Q1: 680 → 690"]
    client.force_login(administrator)
    page = client.get(reverse(BOARD)).content.decode()
    assert "1 figure changed since the approval of" in page
    assert "File intakes Q1: 680 → 690" in page
    # A quarter never reopened says nothing of the kind.
    assert cell_of(build_board(administrator), "2023-24", "ICE", "Q2").changes_since_approval == []
