"""The quarterly reporting cycle's board: where each unit's quarters stand.

``build_board(user)`` is the one function behind the board page: for every
open (draft) year, a row per unit the user may see (clerks their assigned
units, everyone else all) and a cell per quarter, with

* **entered / expected**: the figures on record against the figures the
  quarter asks for. A quarter expects one unit-wide figure per active metric
  of the unit. Q4 closes the year, so it also expects the regional breakdown
  (one full-year figure per region for each metric reported by region) —
  the report's regional table is a full-year table. A full-year unit-wide
  figure is optional (the year is derived from the quarters) and is not
  counted; like every full-year figure it belongs to Q4 for approval.
* **open findings**: ``reporting.findings`` errors and warnings about figures
  of that quarter (full-year figures count in Q4). Findings about absence
  (``quarters-missing``, ``no-figures``) are left out: entered / expected
  already says it. Information notes are not "open".
* **state**: not started, in progress, submitted, approved or returned (with
  the administrator's comment), and the transitions the user may make.

A constant number of queries whatever the number of units, metrics and
figures: the years, the units, the metrics, the regions, one aggregate count
of figures, the unit-quarter records, and ``year_findings``' few per year.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from reporting import services
from reporting.findings import Severity, year_findings
from reporting.models import Figure, FiscalYear, ReportingPeriod, UnitQuarter, quarter_of
from units.models import Metric, Region, Unit

QUARTERS = ReportingPeriod.QUARTERS
ABSENCE_FINDINGS = {"quarters-missing", "no-figures"}
OPEN_SEVERITIES = {Severity.ERROR, Severity.WARNING}


@dataclass
class BoardCell:
    unit: Unit
    fiscal_year: FiscalYear
    quarter: str
    entered: int
    expected: int
    findings: int
    record: UnitQuarter | None
    actions: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.record is None:
            return UnitQuarter.State.IN_PROGRESS if self.entered else UnitQuarter.State.NOT_STARTED
        return self.record.board_state(self.entered)

    @property
    def state_label(self) -> str:
        return UnitQuarter.State(self.state).label

    @property
    def label(self) -> str:
        return f"{self.unit.code} {self.fiscal_year.label} {self.quarter}"


@dataclass
class BoardRow:
    unit: Unit
    cells: list[BoardCell]


@dataclass
class YearBoard:
    fiscal_year: FiscalYear
    rows: list[BoardRow]


def allowed_actions(user, cell: BoardCell) -> list[str]:
    """The transitions ``user`` may make on this cell, in the services' own terms
    (the services check again when the button is pressed)."""
    state = cell.state
    actions = []
    if (
        user.has_perm(services.SUBMIT_PERMISSION)
        and cell.unit.is_editable_by(user)
        and cell.entered
        and state in (UnitQuarter.State.IN_PROGRESS, UnitQuarter.State.RETURNED)
    ):
        actions.append("submit")
    if user.has_perm(services.APPROVE_PERMISSION):
        if state == UnitQuarter.State.SUBMITTED:
            actions += ["approve", "return"]
        elif state == UnitQuarter.State.APPROVED:
            actions.append("reopen")
    return actions


def build_board(user) -> list[YearBoard]:
    """The board of every open year, newest first, for ``user``."""
    years = list(FiscalYear.objects.open().order_by("-start_year"))
    if not years:
        return []
    units = list(Unit.objects.active().editable_by(user))
    metrics = list(Metric.objects.active().filter(unit__in=units))
    regional_metrics = [m for m in metrics if m.regional_label]
    region_count = Region.objects.count() if regional_metrics else 0
    active_ids = {m.pk for m in metrics}
    regional_ids = {m.pk for m in regional_metrics}

    expected: dict[tuple[int, str], int] = {}
    for metric in metrics:
        for quarter in QUARTERS:
            key = (metric.unit_id, quarter)
            expected[key] = expected.get(key, 0) + 1
        if metric.pk in regional_ids:
            expected[(metric.unit_id, "Q4")] += region_count

    # Figures on record that a quarter expects, counted in one query.
    entered: dict[tuple[int, int, str], int] = {}
    counted = (
        Figure.objects.filter(period__fiscal_year__in=years, metric_id__in=active_ids)
        .filter(
            Q(region__isnull=True, period__period__in=QUARTERS)
            | Q(region__isnull=False, period__period="FY", metric_id__in=regional_ids)
        )
        .values_list("period__fiscal_year_id", "metric__unit_id", "period__period")
        .annotate(figures=Count("pk"))
    )
    for year_id, unit_id, period, figures in counted:
        key = (year_id, unit_id, quarter_of(period))
        entered[key] = entered.get(key, 0) + figures

    records = {
        (r.fiscal_year_id, r.unit_id, r.quarter): r
        for r in UnitQuarter.objects.filter(fiscal_year__in=years, unit__in=units).select_related(
            "submitted_by", "approved_by", "returned_by", "reopened_by"
        )
    }

    boards = []
    for fiscal_year in years:
        open_findings: dict[tuple[str, str], int] = {}
        for finding in year_findings(fiscal_year, unit_ids=frozenset(u.pk for u in units)):
            if finding.kind in ABSENCE_FINDINGS or finding.severity not in OPEN_SEVERITIES:
                continue
            for quarter in {quarter_of(ref.period) for ref in finding.figures}:
                key = (finding.unit_code, quarter)
                open_findings[key] = open_findings.get(key, 0) + 1
        rows = []
        for unit in units:
            cells = []
            for quarter in QUARTERS:
                cell = BoardCell(
                    unit=unit,
                    fiscal_year=fiscal_year,
                    quarter=quarter,
                    entered=entered.get((fiscal_year.pk, unit.pk, quarter), 0),
                    expected=expected.get((unit.pk, quarter), 0),
                    findings=open_findings.get((unit.code, quarter), 0),
                    record=records.get((fiscal_year.pk, unit.pk, quarter)),
                )
                cell.actions = allowed_actions(user, cell)
                cells.append(cell)
            rows.append(BoardRow(unit, cells))
        boards.append(YearBoard(fiscal_year, rows))
    return boards
