"""The next fiscal year is opened one at a time, up to the current one by Alberta's calendar."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reporting import services
from reporting.models import FiscalYear
from reporting.years import ALBERTA, current_start_year, next_year_to_open

UTC = datetime.UTC


def test_the_fiscal_year_turns_on_1_april_in_edmonton_not_in_utc():
    # Edmonton is UTC-6 in April (MDT): the year turns at 06:00 UTC.
    before = datetime.datetime(2025, 4, 1, 5, 59, tzinfo=UTC)  # 23:59 on 31 March, MDT
    after = datetime.datetime(2025, 4, 1, 6, 0, tzinfo=UTC)  # 00:00 on 1 April, MDT
    assert before.astimezone(ALBERTA).date() == datetime.date(2025, 3, 31)
    assert current_start_year(before) == 2024
    assert current_start_year(after) == 2025
    assert current_start_year(datetime.datetime(2026, 12, 5, 12, tzinfo=UTC)) == 2026


def test_the_next_year_is_the_one_after_the_newest_on_record(dataset):
    december_2026 = datetime.datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert next_year_to_open(december_2026) == "2024-25"


def test_no_year_to_open_once_the_current_year_is_on_record(dataset):
    may_2024 = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert next_year_to_open(may_2024) == "2024-25"
    services.create_fiscal_year(label="2024-25")
    assert next_year_to_open(may_2024) is None


def test_an_administrator_opens_the_next_year_with_its_five_periods(dataset, administrator):
    year = services.open_fiscal_year(label="2024-25", user=administrator)
    assert year.status == FiscalYear.Status.OPEN
    assert year.periods.count() == 5
    assert year.history.get().history_user == administrator


def test_opening_twice_opens_one_year_and_says_so(dataset, administrator):
    services.open_fiscal_year(label="2024-25", user=administrator)
    with pytest.raises(ValidationError, match="2024-25 is already on record"):
        services.open_fiscal_year(label="2024-25", user=administrator)
    assert FiscalYear.objects.filter(label="2024-25").count() == 1


def test_years_open_one_at_a_time_and_never_before_they_begin(dataset, administrator):
    with pytest.raises(ValidationError, match="the next is 2024-25"):
        services.open_fiscal_year(label="2025-26", user=administrator)
    may_2024 = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
    services.open_fiscal_year(label="2024-25", user=administrator, now=may_2024)
    with pytest.raises(ValidationError, match="2025-26 cannot be opened: it has not begun"):
        services.open_fiscal_year(label="2025-26", user=administrator, now=may_2024)


@pytest.mark.parametrize("role", ["clerk", "leader", "outsider"])
def test_only_administrators_may_open_a_year(dataset, request, role):
    with pytest.raises(PermissionDenied):
        services.open_fiscal_year(label="2024-25", user=request.getfixturevalue(role))
    assert not FiscalYear.objects.filter(label="2024-25").exists()
