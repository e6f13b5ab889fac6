"""The admin tests' own fixture: a locked year."""

import pytest

from reporting import services
from reporting.models import FiscalYear


@pytest.fixture
def locked_year(year, administrator) -> FiscalYear:
    services.set_year_status(fiscal_year=year, locked=True, user=administrator)
    year.refresh_from_db()
    return year
