"""The import page's list of problems: grouped by kind, each problem once with
the rows where it occurs, linked to its row; rows listed up to a limit."""

from reporting import services
from reporting.admin.import_preview import preview_problems
from reporting.importing.pipeline import ProblemCode
from tests.importing.helpers import long_csv


def test_problems_are_grouped_by_kind_with_their_rows(dataset, clerk):
    content = long_csv(
        ["ICEE", "file-intakes", "2023-24", "Q1", "", "12", ""],
        ["ICE", "file-intakes", "2023-24", "Q1", "", "twelve", ""],
        ["ICEE", "file-intakes", "2023-24", "Q2", "", "12", ""],
    )
    outcome = services.import_file(content=content, file_name="x.csv", user=clerk, dry_run=True)
    problems = preview_problems(outcome)
    kinds = {group.kind: group for group in problems.groups}
    assert list(kinds) == ["Unknown units", "Not a figure"]
    [unknown] = kinds["Unknown units"].items
    assert unknown.message.startswith("There is no unit “ICEE”. Did you mean “ICE”?")
    assert [(p.where, p.anchor) for p in unknown.places] == [
        ("row 2", "row-2"),
        ("row 4", "row-4"),
    ]
    assert kinds["Unknown units"].count == 2
    assert [row.where for row in problems.rows] == ["row 2", "row 3", "row 4"]
    assert problems.rows[1].problems == [
        "column “value”: “twelve” is not a number. Write digits only, for example 1234 or $1,234."
    ]
    assert problems.rows[1].values == ["ICE", "file-intakes", "2023-24", "Q1", "", "twelve"]


def test_past_the_limit_rows_are_counted_and_named_but_not_listed(dataset, clerk):
    content = long_csv(
        *[["ICE", "file-intakes", "2023-24", "Q1", "", f"x{n}", ""] for n in range(5)]
    )
    outcome = services.import_file(content=content, file_name="x.csv", user=clerk, dry_run=True)
    problems = preview_problems(outcome, listed=2)
    assert (len(problems.rows), problems.rejected_rows, problems.unlisted_rows) == (2, 5, 3)
    places = [p for item in problems.groups[0].items for p in item.places]
    assert [p.anchor for p in places] == ["row-2", "row-3", "", "", ""]


def test_a_region_for_a_metric_not_reported_by_region_has_its_own_heading(dataset, clerk):
    content = long_csv(["ICE", "file-intakes", "2023-24", "FY", "Calgary", "12", ""])
    outcome = services.import_file(content=content, file_name="x.csv", user=clerk, dry_run=True)
    kinds = [group.kind for group in preview_problems(outcome).groups]
    assert kinds == ["Regions for metrics not reported by region"]


def test_every_problem_code_has_a_heading_written_for_it():
    # Django makes "Not Regional" of a member without a label: each one needs ours.
    for code in ProblemCode:
        assert code.label != code.name.replace("_", " ").title(), code


def test_the_preview_prints_labels_names_and_values_as_the_report_does(dataset, clerk):
    from reporting.resources import PREVIEW_HEADINGS, as_result

    content = long_csv(
        ["CFSEU", "est-value-of-drugs-seized", "2023-24", "Q1", "", "51200", ""],
        ["CFSEU", "suspects-charged", "2023-24", "FY", "red deer", "18", ""],
    )
    outcome = services.import_file(content=content, file_name="x.csv", user=clerk, dry_run=True)
    result = as_result(outcome)
    assert result.diff_headers == PREVIEW_HEADINGS
    drugs, red_deer = (row.diff for row in result.valid_rows())
    assert drugs[:6] == [
        "Combined Special Forces Enforcement",
        "Est. value of drugs seized",
        "2023-24",
        "Q1",
        "Unit-wide",
        "$906,814 → $51,200",
    ]
    assert red_deer[1:6] == ["Suspects charged", "2023-24", "Full year", "Red Deer", "17 → 18"]
