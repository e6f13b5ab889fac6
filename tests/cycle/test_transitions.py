"""A unit's quarter moves: not started -> in progress -> submitted -> approved or
returned (with a comment), and back to open when an administrator reopens it."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse

from reporting import services
from reporting.cycle import APPROVE_PERMISSION, SUBMIT_PERMISSION, TRANSITIONS
from reporting.models import Figure, UnitQuarter, YearLocked
from reporting.roles import ADMINISTRATORS
from tests.cycle.test_board import cell_of
from tests.years import publish
from units.models import UnitNotAssigned

State = UnitQuarter.State


def test_a_clerk_submits_their_units_quarter_and_an_administrator_approves_it(
    year, ice, ice_clerk, administrator
):
    submitted = services.move_quarter(
        action="submit", unit=ice, fiscal_year=year, quarter="Q2", user=ice_clerk
    )
    assert submitted.state == State.SUBMITTED
    assert submitted.submitted_by == ice_clerk and submitted.submitted_at is not None
    approved = services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q2", user=administrator
    )
    assert approved.pk == submitted.pk
    assert approved.state == State.APPROVED
    assert approved.approved_by == administrator and approved.approved_at is not None


def test_a_clerk_submits_only_the_units_assigned_to_them(year, cfseu, ice_clerk):
    with pytest.raises(UnitNotAssigned):
        services.move_quarter(
            action="submit", unit=cfseu, fiscal_year=year, quarter="Q1", user=ice_clerk
        )
    assert not UnitQuarter.objects.exists()


def test_a_clerk_cannot_approve_return_or_reopen(year, ice, ice_clerk):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)
    with pytest.raises(PermissionDenied):
        services.move_quarter(
            action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk
        )
    with pytest.raises(PermissionDenied):
        services.move_quarter(
            action="return", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk, text="no"
        )
    with pytest.raises(PermissionDenied):
        services.move_quarter(
            action="reopen", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk, text="no"
        )
    assert UnitQuarter.objects.get().state == State.SUBMITTED


def test_leadership_cannot_submit(year, ice, leader):
    with pytest.raises(PermissionDenied):
        services.move_quarter(
            action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=leader
        )


def test_a_quarter_with_no_figures_cannot_be_submitted(year, ice, ice_clerk):
    Figure.objects.for_year(year).for_unit(ice).filter(period__period="Q3").delete()
    with pytest.raises(ValidationError, match="Nothing to submit: ICE has no figures"):
        services.move_quarter(
            action="submit", unit=ice, fiscal_year=year, quarter="Q3", user=ice_clerk
        )


def test_returning_needs_a_comment_and_the_clerk_can_submit_again(
    year, ice, ice_clerk, administrator
):
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)
    with pytest.raises(ValidationError, match="Say why"):
        services.move_quarter(
            action="return", unit=ice, fiscal_year=year, quarter="Q1", user=administrator, text="  "
        )
    returned = services.move_quarter(
        action="return",
        unit=ice,
        fiscal_year=year,
        quarter="Q1",
        user=administrator,
        text="File intakes look low against the case log.",
    )
    assert returned.state == State.RETURNED
    assert returned.comment == "File intakes look low against the case log."
    assert returned.returned_by == administrator
    again = services.move_quarter(
        action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk
    )
    assert again.state == State.SUBMITTED


def test_reopening_needs_a_reason_and_opens_the_quarter_again(
    approved_q1, year, ice, administrator
):
    with pytest.raises(ValidationError, match="Say why"):
        services.move_quarter(
            action="reopen", unit=ice, fiscal_year=year, quarter="Q1", user=administrator, text=""
        )
    reopened = services.move_quarter(
        action="reopen",
        unit=ice,
        fiscal_year=year,
        quarter="Q1",
        user=administrator,
        text="Late lab results.",
    )
    assert reopened.state == State.IN_PROGRESS
    assert reopened.reopen_reason == "Late lab results."
    assert reopened.reopened_by == administrator


@pytest.mark.parametrize(
    "step",
    ["approve", "return", "reopen"],
)
def test_steps_out_of_order_are_refused_and_change_nothing(step, year, ice, administrator):
    move = {
        "approve": lambda: services.move_quarter(
            action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
        ),
        "return": lambda: services.move_quarter(
            action="return",
            unit=ice,
            fiscal_year=year,
            quarter="Q1",
            user=administrator,
            text="why",
        ),
        "reopen": lambda: services.move_quarter(
            action="reopen",
            unit=ice,
            fiscal_year=year,
            quarter="Q1",
            user=administrator,
            text="why",
        ),
    }[step]
    with pytest.raises(
        ValidationError, match="ICE 2023-24 Q1 is open for entry: nothing was changed"
    ):
        move()
    assert not UnitQuarter.objects.exists()  # nothing recorded, not even an empty record


def test_an_approved_quarter_cannot_be_submitted_or_approved_again(
    approved_q1, year, ice, ice_clerk, administrator
):
    with pytest.raises(ValidationError, match="is approved"):
        services.move_quarter(
            action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk
        )
    with pytest.raises(ValidationError, match="is approved"):
        services.move_quarter(
            action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
        )


def test_no_quarter_moves_in_a_published_year(year, ice, ice_clerk, administrator):
    publish(year, user=administrator)
    with pytest.raises(YearLocked):
        services.move_quarter(
            action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
        )


def test_a_quarter_that_is_not_one_is_refused(year, ice, administrator):
    with pytest.raises(ValidationError, match="not a quarter"):
        services.move_quarter(
            action="submit", unit=ice, fiscal_year=year, quarter="FY", user=administrator
        )


def test_every_step_is_kept_in_the_history_with_who_and_why(
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
    history = list(approved_q1.history.order_by("history_id"))
    assert [(h.state, h.history_user, h.history_change_reason) for h in history] == [
        (State.SUBMITTED, ice_clerk, "submitted"),
        (State.APPROVED, administrator, "approved"),
        (State.IN_PROGRESS, administrator, "reopened: Late lab results."),
    ]


def test_the_database_refuses_a_second_record_of_a_quarter(year, ice):
    UnitQuarter.objects.create(unit=ice, fiscal_year=year, quarter="Q1")
    with pytest.raises(IntegrityError):
        UnitQuarter.objects.create(unit=ice, fiscal_year=year, quarter="Q1")


def test_the_database_refuses_a_state_it_does_not_know(year, ice):
    with pytest.raises(IntegrityError, match="reporting_unitquarter_state_valid"):
        UnitQuarter.objects.create(unit=ice, fiscal_year=year, quarter="Q1", state="lost")


def test_the_database_refuses_a_returned_quarter_without_a_comment(year, ice):
    with pytest.raises(IntegrityError, match="reporting_unitquarter_returned_has_comment"):
        UnitQuarter.objects.create(unit=ice, fiscal_year=year, quarter="Q1", state="returned")


def test_the_database_refuses_a_period_that_is_not_a_quarter(year, ice):
    with pytest.raises(IntegrityError, match="reporting_unitquarter_quarter_valid"):
        UnitQuarter.objects.create(unit=ice, fiscal_year=year, quarter="FY")


def test_an_administrator_does_not_approve_their_own_submission(year, ice, administrator, client):
    services.move_quarter(
        action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )
    with pytest.raises(ValidationError, match="another administrator approves it") as refused:
        services.move_quarter(
            action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
        )
    assert refused.value.code == "own_submission"
    assert UnitQuarter.objects.get().state == State.SUBMITTED
    # The board offers them no approval, says why, and still lets them return it.
    client.force_login(administrator)
    page = client.get(reverse("admin:reporting_unitquarter_changelist"))
    cell = cell_of(page.context["boards"], "2023-24", "ICE", "Q1")
    assert cell.actions == ["return"]
    assert "You submitted it: another administrator approves it." in page.content.decode()


def test_another_administrator_approves_it(year, ice, administrator):
    services.move_quarter(
        action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )
    erin = User.objects.create_user("erin")
    erin.groups.add(Group.objects.get(name=ADMINISTRATORS))
    approved = services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=erin
    )
    assert approved.state == State.APPROVED and approved.approved_by == erin


def test_one_person_approval_can_be_allowed_for_small_teams(year, ice, administrator, settings):
    settings.ALERT_ONE_PERSON_APPROVAL = True
    services.move_quarter(
        action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )
    approved = services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )
    assert approved.state == State.APPROVED
    assert approved.submitted_by == approved.approved_by == administrator


def test_every_step_is_one_row_of_the_transition_table():
    assert {
        action: (t.permission, set(t.from_states), t.to_state, t.stamp)
        for action, t in TRANSITIONS.items()
    } == {
        "submit": (
            SUBMIT_PERMISSION,
            {State.NOT_STARTED, State.IN_PROGRESS, State.RETURNED},
            State.SUBMITTED,
            "submitted",
        ),
        "approve": (APPROVE_PERMISSION, {State.SUBMITTED}, State.APPROVED, "approved"),
        "return": (APPROVE_PERMISSION, {State.SUBMITTED}, State.RETURNED, "returned"),
        "reopen": (APPROVE_PERMISSION, {State.APPROVED}, State.IN_PROGRESS, "reopened"),
    }
    # Every state a step stamps is a field pair of the unit-quarter.
    fields = {f.name for f in UnitQuarter._meta.concrete_fields}
    for transition in TRANSITIONS.values():
        assert {f"{transition.stamp}_at", f"{transition.stamp}_by"} <= fields
        assert not transition.text_field or transition.text_field in fields
