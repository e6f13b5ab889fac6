"""One clock, one name: every time a person reads is written by
``format_moment`` (Edmonton time with MST or MDT) and every person by
``person_name`` (full name, or the username when there is none) — on the
reporting cycle's board, in a history, in a refusal."""

import re

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import FiscalYear, QuarterApproved, UnitQuarter
from tests.lookups import metric_of, period_of
from units.models import Unit

EDMONTON = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d M[SD]T")


@pytest.fixture
def named(administrator, clerk):
    administrator.first_name, administrator.last_name = "Alice", "Martin"
    administrator.save()
    clerk.first_name, clerk.last_name = "Bob", "Tremblay"
    clerk.save()


@pytest.fixture
def approved_q1(dataset, named, administrator, clerk) -> UnitQuarter:
    ice, year = Unit.objects.get(code="ICE"), FiscalYear.objects.get(label="2023-24")
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=clerk)
    return services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )


def test_the_board_names_people_in_full_with_edmonton_time(approved_q1, client, clerk):
    services.move_quarter(
        action="submit",
        unit=approved_q1.unit,
        fiscal_year=approved_q1.fiscal_year,
        quarter="Q2",
        user=clerk,
    )
    client.force_login(clerk)
    page = client.get(reverse("admin:reporting_unitquarter_changelist")).content.decode()
    approved = re.search(r"Approved by Alice Martin, ([^<]+)</span>", page)
    submitted = re.search(r"Submitted by Bob Tremblay, ([^<]+)</span>", page)
    assert approved and EDMONTON.fullmatch(approved.group(1))
    assert submitted and EDMONTON.fullmatch(submitted.group(1))


def test_a_history_names_people_in_full_with_edmonton_time(approved_q1, client, administrator):
    client.force_login(administrator)
    url = reverse("admin:reporting_unitquarter_history", args=[approved_q1.pk])
    page = client.get(url).content.decode()
    assert "Alice Martin" in page and "Bob Tremblay" in page
    assert EDMONTON.search(page)


def test_a_refusal_names_the_approver_in_full_with_edmonton_time(approved_q1, clerk):
    with pytest.raises(QuarterApproved) as refusal:
        services.record_figure(
            metric=metric_of("ICE", "file-intakes"), period=period_of("Q1"), value=1, user=clerk
        )
    message = refusal.value.messages[0]
    assert "by Alice Martin" in message
    assert EDMONTON.search(message), message


def test_the_grid_refusal_is_the_same_message(approved_q1, client, clerk):
    client.force_login(clerk)
    url = reverse(
        "admin:reporting_figure_grid", args=[approved_q1.unit.pk, approved_q1.fiscal_year.pk]
    )
    page = client.get(url).content.decode()
    assert "Approved" in page and "by Alice Martin, " in page
    assert EDMONTON.search(page)
