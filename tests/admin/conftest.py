"""The admin tests' own fixture: a published year."""

import pytest

from reporting.models import FiscalYear
from tests.years import publish


@pytest.fixture
def locked_year(year, administrator) -> FiscalYear:
    publish(year, user=administrator)
    year.refresh_from_db()
    return year
