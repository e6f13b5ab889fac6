"""The reporting cycle's cast: the shipped year as a draft, a clerk assigned to ICE."""

import pytest

from reporting import services
from reporting.models import FiscalYear
from units.models import Unit


@pytest.fixture
def year(dataset) -> FiscalYear:
    return FiscalYear.objects.get(label="2023-24")


@pytest.fixture
def ice(dataset) -> Unit:
    return Unit.objects.get(code="ICE")


@pytest.fixture
def cfseu(dataset) -> Unit:
    return Unit.objects.get(code="CFSEU")


@pytest.fixture
def ice_clerk(clerk, ice):
    """Bob, assigned to ICE only."""
    ice.data_entry_users.add(clerk)
    return clerk


@pytest.fixture
def approved_q1(year, ice, ice_clerk, administrator):
    """ICE 2023-24 Q1, submitted by Bob and approved by Alice."""
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)
    return services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )
