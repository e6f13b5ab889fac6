"""What the import page shows of a rejected file: its problems grouped by
kind at the top, and each rejected row with its message in a cell beside it.

Built from the pipeline's outcome (``ImportOutcome``), whose problems carry a
``ProblemCode``: the kind a person reads as a heading ("Unknown units"). Every
problem is counted; at most ``LISTED`` rows are listed, so a file of
300,000 bad rows still gives a page of kilobytes.
"""

from dataclasses import dataclass, field

from django.utils.text import slugify

from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import ImportOutcome, ProblemCode

LISTED = 100  # rejected rows in the table, and places named per problem
PLACES_PER_PROBLEM = 12

FILE_KIND = "The file as a whole"
VALUE_COLUMNS = ("unit", "metric", "fiscal_year", "period", "region", "value")


@dataclass
class Place:
    where: str  # row 4, or sheet “CFSEU”, row 7
    anchor: str = ""  # the id of its row in the table, when it is listed there


@dataclass
class ProblemItem:
    message: str
    places: list[Place] = field(default_factory=list)
    unlisted_places: int = 0


@dataclass
class ProblemGroup:
    kind: str
    items: list[ProblemItem]

    @property
    def count(self) -> int:
        return sum(max(len(i.places) + i.unlisted_places, 1) for i in self.items)


@dataclass
class RejectedRow:
    anchor: str
    where: str
    problems: list[str]  # “column “unit”: There is no unit…”
    values: list[str]


@dataclass
class PreviewProblems:
    groups: list[ProblemGroup]
    rows: list[RejectedRow]
    total: int  # every distinct problem, listed or not
    rejected_rows: int  # every row with a problem, listed or not

    @property
    def unlisted_rows(self) -> int:
        return self.rejected_rows - len(self.rows)


def anchor_for(row: LongFormRow) -> str:
    sheet = f"{slugify(row.sheet) or 'sheet'}-" if row.sheet else ""
    return f"row-{sheet}{row.number}"


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def preview_problems(outcome: ImportOutcome, *, listed: int = LISTED) -> PreviewProblems:
    items: dict[str, dict[str, ProblemItem]] = {}
    if outcome.file_problems:
        items[FILE_KIND] = {m: ProblemItem(m) for m in dict.fromkeys(outcome.file_problems)}
    rows: list[RejectedRow] = []
    listed_anchors: set[str] = set()
    seen: set[str] = set()
    rejected = 0
    for planned in outcome.rows:
        if not planned.problems:
            continue
        row = planned.row
        anchor = anchor_for(row)
        # A report-layout row is five figures: a problem with its metric is
        # said once, on its first figure.
        fresh = [p for p in planned.problems if str(p) not in seen]
        seen.update(str(p) for p in fresh)
        if not fresh:
            continue
        rejected += 1
        if len(rows) < listed and anchor not in listed_anchors:
            listed_anchors.add(anchor)
            rows.append(
                RejectedRow(
                    anchor=anchor,
                    where=row.where(),
                    problems=[
                        f"column “{p.column}”: {p.message}" if p.column else p.message
                        for p in fresh
                    ],
                    values=[_shown(getattr(row, column)) for column in VALUE_COLUMNS],
                )
            )
        for problem in fresh:
            kind = ProblemCode(problem.code).label
            item = items.setdefault(kind, {}).setdefault(
                problem.message, ProblemItem(problem.message)
            )
            if item.places and item.places[-1].where == problem.where:
                continue
            if len(item.places) < PLACES_PER_PROBLEM:
                item.places.append(Place(problem.where, anchor if anchor in listed_anchors else ""))
            else:
                item.unlisted_places += 1
    groups = [ProblemGroup(kind, list(found.values())) for kind, found in items.items()]
    return PreviewProblems(
        groups=groups, rows=rows, total=len(outcome.problems), rejected_rows=rejected
    )
