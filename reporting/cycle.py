"""The quarterly reporting cycle: its one table of transitions, and the board
that shows where each unit's quarters stand.

``TRANSITIONS`` is the cycle itself: for each step (submit, approve, return,
reopen) who may take it, from which states, to which state, what is
stamped on the unit-quarter, what must be written and who is told. The
service (``services.move_quarter``), the board's buttons (``allowed_actions``)
and the admin's step view all read it; nothing else knows the states' order.

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
* **changes since approval**: for a quarter approved once and reopened since,
  each figure whose value differs from the one on record at the approval.

A constant number of queries whatever the number of units, metrics and
figures: the years, the units, the metrics, the regions, one aggregate count
of figures, the unit-quarter records, ``year_findings``' few per year, and
one query of figure history when a reopened quarter is on the board.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from reporting.findings import Severity, year_findings
from reporting.formatting import format_figure
from reporting.models import Figure, FiscalYear, ReportingPeriod, UnitQuarter, quarter_of
from units.models import Metric, Region, Unit

QUARTERS = ReportingPeriod.QUARTERS
ABSENCE_FINDINGS = {"quarters-missing", "no-figures"}
OPEN_SEVERITIES = {Severity.ERROR, Severity.WARNING}
State = UnitQuarter.State

SUBMIT_PERMISSION = "reporting.submit_unitquarter"
APPROVE_PERMISSION = "reporting.approve_unitquarter"

# Who a step's email goes to (reporting.notifications).
CLERKS = "clerks"  # the unit's data-entry staff
ADMINISTRATORS = "administrators"


@dataclass(frozen=True)
class Transition:
    """One step of the cycle, as data."""

    action: str  # the verb of the button: "submit"
    done: str  # what the history and the email say happened: "submitted"
    permission: str  # who may
    from_states: tuple[str, ...]
    to_state: str
    # The step stamps ``<stamp>_at`` and ``<stamp>_by`` on the unit-quarter.
    stamp: str
    notify: str  # CLERKS or ADMINISTRATORS
    # The written reason the step keeps, by field name, and what to ask when it is missing.
    text_field: str = ""
    text_needed: str = ""
    # Submitting: only for a unit the user may enter figures for, and not empty.
    by_unit_staff: bool = False
    # Approving: by another administrator than the submitter (unless
    # settings.ALERT_ONE_PERSON_APPROVAL).
    not_by_submitter: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            action="submit",
            done="submitted",
            permission=SUBMIT_PERMISSION,
            from_states=(State.NOT_STARTED, State.IN_PROGRESS, State.RETURNED),
            to_state=State.SUBMITTED,
            stamp="submitted",
            notify=ADMINISTRATORS,
            by_unit_staff=True,
        ),
        Transition(
            action="approve",
            done="approved",
            permission=APPROVE_PERMISSION,
            from_states=(State.SUBMITTED,),
            to_state=State.APPROVED,
            stamp="approved",
            notify=CLERKS,
            not_by_submitter=True,
        ),
        Transition(
            action="return",
            done="returned",
            permission=APPROVE_PERMISSION,
            from_states=(State.SUBMITTED,),
            to_state=State.RETURNED,
            stamp="returned",
            notify=CLERKS,
            text_field="comment",
            text_needed="Say why the quarter is returned: the clerk reads it on the board.",
        ),
        Transition(
            action="reopen",
            done="reopened",
            permission=APPROVE_PERMISSION,
            from_states=(State.APPROVED,),
            to_state=State.IN_PROGRESS,
            stamp="reopened",
            notify=CLERKS,
            text_field="reopen_reason",
            text_needed="Say why the approved quarter is reopened.",
        ),
    )
}


def is_own_submission(user, record: UnitQuarter | None) -> bool:
    """Whether approving ``record`` would be ``user`` approving their own
    submission, which the cycle refuses unless one-person approval is on."""
    return (
        not settings.ALERT_ONE_PERSON_APPROVAL
        and record is not None
        and record.submitted_by_id is not None
        and record.submitted_by_id == user.pk
    )


@dataclass
class FigureChange:
    """A figure of a reopened quarter whose value differs from the approved one."""

    label: str  # "File intakes Q2"
    before: str  # formatted; the dash when it was not reported
    after: str

    def __str__(self) -> str:
        return f"{self.label}: {self.before} → {self.after}"


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
    changes_since_approval: list[FigureChange] = field(default_factory=list)
    awaits_another_approver: bool = False

    @property
    def state(self) -> str:
        if self.record is None:
            return State.IN_PROGRESS if self.entered else State.NOT_STARTED
        return self.record.board_state(self.entered)

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def label(self) -> str:
        return f"{self.unit.code} {self.fiscal_year.label} {self.quarter}"

    @property
    def was_reopened(self) -> bool:
        return (
            self.record is not None
            and self.record.approved_at is not None
            and self.state != State.APPROVED
        )


@dataclass
class BoardRow:
    unit: Unit
    cells: list[BoardCell]


@dataclass
class YearBoard:
    fiscal_year: FiscalYear
    rows: list[BoardRow]


def allowed_actions(user, cell: BoardCell) -> list[str]:
    """The transitions ``user`` may make on this cell, read from ``TRANSITIONS``
    (the service checks again when the button is pressed)."""
    actions = []
    for transition in TRANSITIONS.values():
        if cell.state not in transition.from_states or not user.has_perm(transition.permission):
            continue
        if transition.by_unit_staff and not (cell.unit.is_editable_by(user) and cell.entered):
            continue
        if transition.not_by_submitter and is_own_submission(user, cell.record):
            continue
        actions.append(transition.action)
    return actions


def changes_since_approval(cells: list[BoardCell]) -> None:
    """Fill ``changes_since_approval`` of the reopened cells, from the figures'
    history in one query: each figure whose value now differs from its value
    at the quarter's last approval (a figure removed or added counts)."""
    reopened = [cell for cell in cells if cell.was_reopened]
    if not reopened:
        return
    wanted = Q()
    for cell in reopened:
        periods = (
            [cell.quarter, ReportingPeriod.Period.FY] if cell.quarter == "Q4" else [cell.quarter]
        )
        wanted |= Q(
            metric__unit_id=cell.unit.pk,
            period__fiscal_year_id=cell.fiscal_year.pk,
            period__period__in=periods,
        )
    history = (
        Figure.history.filter(wanted)
        .select_related("metric", "period", "region")
        .order_by("history_id")
    )
    by_cell: dict[tuple[int, int, str], dict[tuple, list]] = {}
    for record in history:
        key = (
            record.period.fiscal_year_id,
            record.metric.unit_id,
            quarter_of(record.period.period),
        )
        figure_key = (record.metric_id, record.period_id, record.region_id)
        by_cell.setdefault(key, {}).setdefault(figure_key, []).append(record)
    for cell in reopened:
        approved_at = cell.record.approved_at
        for records in by_cell.get((cell.fiscal_year.pk, cell.unit.pk, cell.quarter), {}).values():
            then_records = [r for r in records if r.history_date <= approved_at]
            then = then_records[-1] if then_records else None
            now = records[-1]
            before = None if then is None or then.history_type == "-" else then.value
            after = None if now.history_type == "-" else now.value
            if before == after:
                continue
            where = f" {now.region.name}" if now.region_id else ""
            value_type = now.metric.value_type
            cell.changes_since_approval.append(
                FigureChange(
                    label=f"{now.metric.label} {now.period.period}{where}",
                    before=format_figure(before, value_type),
                    after=format_figure(after, value_type),
                )
            )


def figure_counts(
    years: list[FiscalYear], units: list[Unit]
) -> tuple[dict[tuple[int, str], int], dict[tuple[int, int, str], int]]:
    """The figures each unit-quarter expects, by (unit id, quarter), and those
    on record that it expects, by (year id, unit id, quarter): the board's
    and the review's "entered / expected", in three queries."""
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
    return expected, entered


@dataclass
class QuarterProgress:
    """A unit-quarter of the year under review that is not approved."""

    unit: Unit
    quarter: str
    state: str
    entered: int
    expected: int

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def label(self) -> str:
        return f"{self.unit.code} {self.quarter}"


@dataclass
class UnitProgress:
    unit: Unit
    entered: int
    expected: int
    unapproved: list[QuarterProgress]

    @property
    def percent(self) -> int:
        return _percent(self.entered, self.expected)


def _percent(entered: int, expected: int) -> int:
    # Rounded down: 99.7 % is not complete and is never shown as 100 %.
    return 100 if not expected else entered * 100 // expected


@dataclass
class Completeness:
    """How complete a year is before it is published: per unit and for the
    year, the figures entered against expected, and every unit-quarter not
    approved in the cycle (units that have not started included)."""

    fiscal_year: FiscalYear
    units: list[UnitProgress]

    @property
    def entered(self) -> int:
        return sum(unit.entered for unit in self.units)

    @property
    def expected(self) -> int:
        return sum(unit.expected for unit in self.units)

    @property
    def percent(self) -> int:
        return _percent(self.entered, self.expected)

    @property
    def is_complete(self) -> bool:
        return self.entered >= self.expected

    @property
    def unapproved(self) -> list[QuarterProgress]:
        return [quarter for unit in self.units for quarter in unit.unapproved]

    def summary(self) -> str:
        return (
            f"{self.fiscal_year.label} is {self.percent} % complete: {self.entered} of "
            f"{self.expected} expected figures entered."
        )


def year_completeness(fiscal_year: FiscalYear) -> Completeness:
    """The completeness of ``fiscal_year`` over every active unit, in report order."""
    units = list(Unit.objects.active())
    expected, entered = figure_counts([fiscal_year], units)
    records = {
        (r.unit_id, r.quarter): r for r in UnitQuarter.objects.filter(fiscal_year=fiscal_year)
    }
    progress = []
    for unit in units:
        quarters = []
        for quarter in QUARTERS:
            wanted = expected.get((unit.pk, quarter), 0)
            # Never more than expected (a figure of a region added since cannot make up another).
            done = min(entered.get((fiscal_year.pk, unit.pk, quarter), 0), wanted)
            record = records.get((unit.pk, quarter))
            if record is None:
                state = State.IN_PROGRESS if done else State.NOT_STARTED
            else:
                state = record.board_state(done)
            quarters.append(QuarterProgress(unit, quarter, state, done, wanted))
        if not any(q.expected for q in quarters):
            continue  # a unit with no active metric expects nothing
        progress.append(
            UnitProgress(
                unit=unit,
                entered=sum(q.entered for q in quarters),
                expected=sum(q.expected for q in quarters),
                unapproved=[q for q in quarters if q.state != State.APPROVED],
            )
        )
    return Completeness(fiscal_year=fiscal_year, units=progress)


def build_board(user) -> list[YearBoard]:
    """The board of every open year, newest first, for ``user``."""
    years = list(FiscalYear.objects.open().order_by("-start_year"))
    if not years:
        return []
    units = list(Unit.objects.active().editable_by(user))
    expected, entered = figure_counts(years, units)

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
                cell.awaits_another_approver = (
                    cell.state == State.SUBMITTED
                    and user.has_perm(APPROVE_PERMISSION)
                    and is_own_submission(user, cell.record)
                )
                cells.append(cell)
            rows.append(BoardRow(unit, cells))
        boards.append(YearBoard(fiscal_year, rows))
    changes_since_approval([cell for board in boards for row in board.rows for cell in row.cells])
    return boards
