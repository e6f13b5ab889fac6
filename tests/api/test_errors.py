"""The API's one mapping from domain errors and import problems to HTTP statuses."""

import pytest

from reporting.api.errors import PROBLEM_STATUS, status_for_problems
from reporting.importing.pipeline import ProblemCode


def test_every_import_problem_code_answers_with_one_status():
    assert set(PROBLEM_STATUS) == set(ProblemCode)
    conflicts = {ProblemCode.LOCKED, ProblemCode.QUARTER_APPROVED, ProblemCode.QUARTER_SUBMITTED}
    assert {PROBLEM_STATUS[code] for code in conflicts} == {409}
    assert {PROBLEM_STATUS[code] for code in set(ProblemCode) - conflicts} == {400}


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([ProblemCode.LOCKED, ProblemCode.LOCKED], 409),
        ([ProblemCode.LOCKED, ProblemCode.QUARTER_APPROVED], 409),
        ([ProblemCode.NOT_ASSIGNED], 400),
        ([ProblemCode.LOCKED, ProblemCode.BAD_VALUE], 400),
        ([], 400),
    ],
)
def test_a_rejected_import_answers_with_the_status_its_problems_share_else_400(codes, expected):
    assert status_for_problems(codes) == expected
