"""Every problem the pipeline reports carries a code that says what is wrong."""

import pytest

from reporting import services
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import ProblemCode, plan_import
from reporting.models import FiscalYear
from tabular.readers import UncachedFormula
from tests.years import publish
from units.models import Unit

GOOD = {"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2022-23", "period": "Q1"}

CASES = [
    (ProblemCode.UNKNOWN_UNIT, [{"unit": ""}]),
    (ProblemCode.UNKNOWN_UNIT, [{"unit": "ICEE"}]),
    (ProblemCode.UNKNOWN_METRIC, [{"metric": "file-intake"}]),
    (ProblemCode.BAD_YEAR, [{"fiscal_year": "2022-24"}]),
    (ProblemCode.UNKNOWN_YEAR, [{"fiscal_year": "1999-00"}]),
    (ProblemCode.BAD_PERIOD, [{"period": "Q5"}]),
    (ProblemCode.UNKNOWN_REGION, [{"region": "Atlantis"}]),
    (ProblemCode.NOT_REGIONAL, [{"region": "Calgary"}]),
    (ProblemCode.UNCACHED_FORMULA, [{"value": UncachedFormula("=A1+A2")}]),
    (ProblemCode.BAD_VALUE, [{"value": "12.5"}]),
    (ProblemCode.DUPLICATE, [{"value": "1"}, {"value": "2"}]),
    (ProblemCode.LOCKED, [{"fiscal_year": "2023-24"}]),
    (ProblemCode.NOT_ASSIGNED, [{"unit": "CFSEU", "metric": "charges-laid"}]),
    # ICE 2022-23 Q4 is approved below; a full-year figure belongs to Q4.
    (ProblemCode.QUARTER_APPROVED, [{"period": "FY"}]),
    # ICE 2022-23 Q3 is submitted below.
    (ProblemCode.QUARTER_SUBMITTED, [{"period": "Q3"}]),
]


def test_every_problem_code_has_a_case_below():
    assert {code for code, _ in CASES} == set(ProblemCode)


@pytest.mark.parametrize(
    ("code", "changes"), CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_a_rejected_row_says_why_by_code(dataset, clerk, administrator, code, changes):
    publish(FiscalYear.objects.get(label="2023-24"), user=administrator)
    ice = Unit.objects.get(code="ICE")
    ice.data_entry_users.add(clerk)
    earlier = FiscalYear.objects.get(label="2022-23")
    services.move_quarter(action="submit", unit=ice, fiscal_year=earlier, quarter="Q4", user=clerk)
    services.move_quarter(
        action="approve", unit=ice, fiscal_year=earlier, quarter="Q4", user=administrator
    )
    intakes = ice.metrics.get(code="file-intakes")
    services.record_figure(
        metric=intakes, period=earlier.periods.get(period="Q3"), value="5", user=clerk
    )
    services.move_quarter(action="submit", unit=ice, fiscal_year=earlier, quarter="Q3", user=clerk)
    rows = [
        LongFormRow(number=number, **{"value": "10", **GOOD, **change})
        for number, change in enumerate(changes, start=2)
    ]
    outcome = plan_import(rows, user=clerk)
    assert [problem.code for planned in outcome.rows for problem in planned.problems] == [code]
