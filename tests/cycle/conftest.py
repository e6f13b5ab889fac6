"""The reporting cycle's cast: the shipped year as a draft, a clerk assigned to ICE."""

import pytest

from reporting import services


@pytest.fixture
def approved_q1(year, ice, ice_clerk, administrator):
    """ICE 2023-24 Q1, submitted by Bob and approved by Alice."""
    services.move_quarter(action="submit", unit=ice, fiscal_year=year, quarter="Q1", user=ice_clerk)
    return services.move_quarter(
        action="approve", unit=ice, fiscal_year=year, quarter="Q1", user=administrator
    )
