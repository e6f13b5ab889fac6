"""The admin home starts with the work: what awaits the person in the
reporting cycle, then the entry grid, imports and findings; the technical
models come last, under "System", and only for administrators."""

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import FiscalYear
from units.models import Unit


@pytest.fixture
def cycle(dataset, administrator, clerk):
    ice, cfseu = Unit.objects.get(code="ICE"), Unit.objects.get(code="CFSEU")
    ice.data_entry_users.add(clerk)
    cfseu.data_entry_users.add(clerk)
    year = FiscalYear.objects.get(label="2023-24")
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=clerk)
    services.move_quarter(action="submit", unit=cfseu, fiscal_year=year, quarter="Q1", user=clerk)
    services.move_quarter(
        action="return",
        unit=cfseu,
        fiscal_year=year,
        quarter="Q1",
        user=administrator,
        text="Charges doubled.",
    )
    return year


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("admin:index")).content.decode()


def test_an_administrator_lands_on_the_cycle_then_the_work_then_the_system(
    cycle, client, administrator
):
    page = _home(client, administrator)
    order = [
        page.index("Reporting cycle: what awaits you"),
        page.index("To approve (1)"),
        page.index(">Entry grid<"),
        page.index(">Import figures<"),
        page.index(">Data-quality findings<"),
        page.index(">System<"),
    ]
    assert order == sorted(order)
    system = page[page.index(">System<") :]
    for technical in ("Access attempts", "Tokens", "Reporting periods"):
        assert technical in system
    assert "ICE 2023-24 Q1" in page and "Returned, to correct (1)" in page


def test_a_clerk_sees_what_to_submit_and_correct_and_no_system(cycle, client, clerk):
    page = _home(client, clerk)
    assert "Returned, to correct (1)" in page and "Charges doubled." in page
    assert "To submit (" in page and "To approve" not in page
    assert page.index("Reporting cycle: what awaits you") < page.index(">Entry grid<")
    assert ">System<" not in page
    assert "Reporting periods" not in page  # nor in the sidebar
    assert "Access attempts" not in page and "Tokens" not in page


def test_leadership_sees_no_system_either(dataset, client, leader):
    page = _home(client, leader)
    assert ">System<" not in page and "Reporting periods" not in page
