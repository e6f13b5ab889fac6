"""The entry grid: one unit's figures for one fiscal year, entered on one screen.

Rows are the unit's metrics and columns Q1-Q4 and the full year; where the
unit reports by region, a second grid holds regions by regional metrics (full
year). Every cell is checked with ``parse_value``; the save is all or
nothing and goes through the single-figure services, so locks, unit
assignment and history apply exactly as everywhere else.

Around each cell the grid shows what a clerk checks a figure against: the
same quarter last year and the previous quarter (formatted as on the
report), and under the full year the running sum of the quarters; the full
year is filled in with that sum when all four quarters are on record and the
year is not. Each quarter column carries its place in the reporting cycle.

Only what was sent changes: a cell missing from the submission is left
alone (a present, empty cell clears its figure), so the unit-wide table and
the regional one are saved by two forms. Each cell carries the
version of the figure the screen showed (``s-<cell>``, 0 for an empty cell);
a cell typed over a figure that someone else changed since is a conflict,
and a save with any conflict writes nothing. A cell the person left as it
was shown is not a change, even if the figure changed meanwhile: the other
person's figure stays.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from reporting import provenance, services
from reporting.access import write_refusal
from reporting.formatting import format_figure, format_moment, format_quarters, person_name
from reporting.models import (
    Figure,
    FiscalYear,
    QuarterFrozen,
    ReportingPeriod,
    StaleFigure,
    UnitQuarter,
    quarter_of,
)
from reporting.validation import parse_value
from units.models import Metric, Region, Unit

SOURCE = provenance.GRID
COLUMNS = ("Q1", "Q2", "Q3", "Q4", "FY")
SEEN = "s-"  # prefix of the hidden field holding the version a cell showed
NOTE = "n-"  # prefix of a full-year cell's internal note (why it differs from the quarters)


@dataclass
class Cell:
    name: str
    metric: Metric
    period: str
    region: Region | None
    figure: Figure | None
    raw: str = ""
    value: Decimal | None = None
    error: str = ""
    sent: bool = True
    # The version of the figure the screen showed (0: it showed none), as
    # sent back; None when the submission did not say (no check is made).
    seen_version: int | None = None
    conflict: str = ""
    # Context shown under the cell: (what, figure) pairs such as
    # ("2022-23 Q2", "872") and ("Q1", "680"), formatted as on the report.
    context: list[tuple[str, str]] = field(default_factory=list)
    # A full-year cell's internal note as typed (None: not sent, left alone).
    note_raw: str | None = None
    # True when the cell shows the quarters' sum rather than a figure on record.
    filled_from_quarters: bool = False

    def __post_init__(self) -> None:
        self.seen_version = self.version
        self.value = self.recorded

    @property
    def recorded(self) -> Decimal | None:
        return self.figure.value if self.figure is not None else None

    @property
    def version(self) -> int:
        return self.figure.version if self.figure is not None else 0

    @property
    def key(self) -> tuple[int, str, int | None]:
        return (self.metric.pk, self.period, self.region.pk if self.region else None)

    @property
    def label(self) -> str:
        """Suspects charged Q1 · Arrests — suspects charged, Calgary, full year."""
        if self.region is not None:
            metric = f"{self.metric.regional_label} — {self.metric.label.lower()}"
            return f"{metric}, {self.region.name}, full year"
        return f"{self.metric.label} {self.period}"

    @property
    def recorded_note(self) -> str:
        return self.figure.note if self.figure is not None else ""

    def bind(self, raw: str | None, seen: str | None = None, note: str | None = None) -> None:
        """Read the cell's text (None: not sent, left alone), the version it showed
        and, for a full-year cell, its internal note."""
        self.filled_from_quarters = False
        self.note_raw = note.strip() if note is not None else None
        if raw is None:
            self.sent = False
            self.value = self.recorded
            return
        self.seen_version = int(seen) if seen and seen.isdigit() else None
        self.raw = raw.strip()
        try:
            self.value = parse_value(self.raw, self.metric.value_type)
            self.error = ""
        except ValidationError as exc:
            self.value, self.error = None, exc.messages[0]

    @property
    def changed(self) -> bool:
        return self.sent and not self.error and self.value != self.recorded

    @property
    def note_changed(self) -> bool:
        """A new internal note for a figure that stays on record."""
        return (
            self.sent
            and not self.error
            and self.value is not None
            and self.note_raw is not None
            and self.note_raw != self.recorded_note
        )


@dataclass
class ColumnState:
    """Where a column's quarter stands in the reporting cycle, as its heading says."""

    period: str
    state: str  # a UnitQuarter.State value
    label: str  # Not started · In progress · Submitted · Returned · Approved
    detail: str = ""  # by whom and when
    comment: str = ""  # the administrator's, for a returned quarter


@dataclass
class GridRow:
    heading: str
    cells: list[Cell]

    def quarter_sum(self) -> tuple[str, str] | None:
        """The running sum of the quarters reported so far: ("Q1–Q3", "2,701"),
        or None when no quarter is (a unit-wide row only)."""
        quarters = [c for c in self.cells if c.period != "FY" and c.value is not None]
        if not quarters:
            return None
        total = sum(c.value for c in quarters)
        return (
            format_quarters([c.period for c in quarters]),
            format_figure(total, self.cells[0].metric.value_type),
        )

    @property
    def year_differs(self) -> bool:
        """The full year on record (or typed) differs from the sum of four quarters."""
        *quarters, year = self.cells
        if year.value is None or any(c.value is None for c in quarters):
            return False
        return year.value != sum(c.value for c in quarters)


@dataclass
class Grid:
    unit: Unit
    fiscal_year: FiscalYear
    rows: list[GridRow]
    regional_metrics: list[Metric] = field(default_factory=list)
    regional_rows: list[GridRow] = field(default_factory=list)
    periods: dict[str, ReportingPeriod] = field(default_factory=dict)
    column_states: dict[str, ColumnState] = field(default_factory=dict)

    @property
    def columns(self) -> list[tuple[str, ColumnState | None]]:
        """The unit-wide table's columns with their states (the full year has none)."""
        return [(period, self.column_states.get(period)) for period in COLUMNS]

    def first_empty_cell(self, period: str) -> str:
        """The name of the first unit-wide cell of ``period`` with nothing in it ("" if none)."""
        for row in self.rows:
            for cell in row.cells:
                if cell.period == period and not cell.raw:
                    return cell.name
        return ""

    @property
    def returned(self) -> list[ColumnState]:
        return [s for s in self.column_states.values() if s.state == UnitQuarter.State.RETURNED]

    @property
    def first_open_period(self) -> str:
        """The column a phone shows first: the first quarter not yet submitted."""
        for period in COLUMNS:
            state = self.column_states.get(quarter_of(period))
            if (
                state is None
                or state.state in UnitQuarter.OPEN_STATES
                or (state.state == UnitQuarter.State.RETURNED)
            ):
                return period
        return "Q1"

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows + self.regional_rows for cell in row.cells]

    @property
    def errors(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.error]

    @property
    def conflicts(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.conflict]

    def bind(self, data) -> bool:
        """Read the submitted cells (others are left alone); True if all of them are valid."""
        for cell in self.cells:
            cell.bind(data.get(cell.name), data.get(SEEN + cell.name), data.get(NOTE + cell.name))
        return not self.errors


def _prefill(figure: Figure | None, metric: Metric) -> str:
    return "" if figure is None else format_figure(figure.value, metric.value_type)


def _column_states(records: dict[str, UnitQuarter], entered: set[str]) -> dict[str, ColumnState]:
    states = {}
    for quarter in ReportingPeriod.QUARTERS:
        record = records.get(quarter)
        if record is None:
            state = (
                UnitQuarter.State.IN_PROGRESS
                if quarter in entered
                else UnitQuarter.State.NOT_STARTED
            )
        else:
            state = record.board_state(1 if quarter in entered else 0)
        column = ColumnState(quarter, state, UnitQuarter.State(state).label)
        if state == UnitQuarter.State.SUBMITTED:
            column.detail = (
                f"by {person_name(record.submitted_by)}, {format_moment(record.submitted_at)}"
            )
        elif state == UnitQuarter.State.APPROVED:
            column.detail = (
                f"by {person_name(record.approved_by)}, {format_moment(record.approved_at)}"
            )
        elif state == UnitQuarter.State.RETURNED:
            column.detail = (
                f"by {person_name(record.returned_by)}, {format_moment(record.returned_at)}"
            )
            column.comment = record.comment
        states[quarter] = column
    return states


def build_grid(unit: Unit, fiscal_year: FiscalYear) -> Grid:
    """The grid prefilled with the figures on record, each cell with last year's
    figure and the previous quarter's, each quarter column with its state.

    A constant number of queries: the periods, the year before, the metrics,
    the figures of both years, the unit-quarters and, where the unit reports
    by region, the regions."""
    periods = {p.period: p for p in fiscal_year.periods.all()}
    prior_year = FiscalYear.objects.filter(start_year=fiscal_year.start_year - 1).first()
    metrics = list(unit.metrics.active().order_by("display_order", "code"))
    years = [fiscal_year.pk] + ([prior_year.pk] if prior_year else [])
    figures, last_year = {}, {}
    for f in (
        Figure.objects.for_unit(unit)
        .filter(period__fiscal_year_id__in=years)
        .select_related("period")
    ):
        mine = figures if f.period.fiscal_year_id == fiscal_year.pk else last_year
        mine[(f.metric_id, f.period.period, f.region_id)] = f
    records = {
        r.quarter: r
        for r in UnitQuarter.objects.filter(unit=unit, fiscal_year=fiscal_year).select_related(
            "submitted_by", "approved_by", "returned_by"
        )
    }

    def shown(found: Figure | None, metric: Metric) -> str:
        return format_figure(found.value if found else None, metric.value_type)

    def cell(name, metric, period, region):
        region_id = region.pk if region else None
        found = figures.get((metric.pk, period, region_id))
        made = Cell(name, metric, period, region, found, raw=_prefill(found, metric))
        if prior_year is not None:
            before = last_year.get((metric.pk, period, region_id))
            made.context.append((f"{prior_year.label} {period}", shown(before, metric)))
        if period in ("Q2", "Q3", "Q4"):
            previous = f"Q{int(period[1]) - 1}"
            made.context.append((previous, shown(figures.get((metric.pk, previous, None)), metric)))
        elif period == "Q1" and prior_year is not None:
            before = last_year.get((metric.pk, "Q4", None))
            made.context.append((f"{prior_year.label} Q4", shown(before, metric)))
        return made

    rows = [
        GridRow(
            metric.label,
            [cell(f"v-{metric.pk}-{period}", metric, period, None) for period in COLUMNS],
        )
        for metric in metrics
    ]
    regional_metrics = [metric for metric in metrics if metric.regional_label]
    regional_rows = []
    if regional_metrics:
        regional_rows = [
            GridRow(
                region.name,
                [
                    cell(f"r-{metric.pk}-{region.pk}", metric, "FY", region)
                    for metric in regional_metrics
                ],
            )
            for region in Region.objects.all()
        ]
    entered = {quarter_of(key[1]) for key in figures}
    grid = Grid(
        unit,
        fiscal_year,
        rows,
        regional_metrics,
        regional_rows,
        periods,
        _column_states(records, entered),
    )
    return grid


def fill_years_from_quarters(grid: Grid, *, readonly: set[str]) -> None:
    """Fill each empty full-year cell whose four quarters are on record with
    their sum (the person saves it, or types the year's own figure)."""
    if "FY" in readonly:
        return
    for row in grid.rows:
        *quarters, year = row.cells
        if year.figure is None and not year.raw and all(c.value is not None for c in quarters):
            year.value = sum(c.value for c in quarters)
            year.raw = format_figure(year.value, year.metric.value_type)
            year.filled_from_quarters = True


def _value_seen(cell: Cell, period: ReportingPeriod) -> Decimal | None:
    """The value the cell showed: its figure's value at the version it saw."""
    if not cell.seen_version:
        return None
    return (
        Figure.history.filter(
            metric=cell.metric, period=period, region=cell.region, version=cell.seen_version
        )
        .exclude(history_type="-")
        .order_by("-history_id")
        .values_list("value", flat=True)
        .first()
    )


def frozen_periods(grid: Grid, *, user) -> dict[str, str]:
    """The grid's columns ``user`` may not change because their quarter is
    submitted or approved (shown read-only; the full year follows Q4), each
    with the gate's sentence saying why."""
    frozen = {}
    for period in COLUMNS:
        refusal = write_refusal(user, fiscal_year=grid.fiscal_year, unit=grid.unit, period=period)
        if isinstance(refusal, QuarterFrozen):
            frozen[period] = refusal.messages[0]
    return frozen


def save_grid(grid: Grid, *, user) -> dict[str, int]:
    """Write the changed cells of a bound, valid grid in one transaction.

    A cleared cell deletes its figure (it becomes *not reported*). Raises the
    lock, assignment or approved-quarter refusal before anything is written.
    With the year's row locked (as every writer of a figure locks it), the
    figures are read again and each sent cell compared with the version it
    showed: a cell typed over a figure changed since is a conflict
    (``cell.conflict`` says who changed it, when, and both values); with any
    conflict nothing is written and the first conflict's ``StaleFigure`` is
    raised.
    """
    if grid.errors:
        raise ValueError("save_grid needs a grid whose cells are all valid")
    counts = {"recorded": 0, "deleted": 0}
    with transaction.atomic():
        fiscal_year = FiscalYear.objects.select_for_update().get(pk=grid.fiscal_year.pk)
        if refusal := write_refusal(user, fiscal_year=fiscal_year, unit=grid.unit):
            raise refusal
        on_record = {
            (f.metric_id, f.period.period, f.region_id): f
            for f in Figure.objects.for_year(fiscal_year)
            .for_unit(grid.unit)
            .select_related("period")
        }
        refusals: list[StaleFigure] = []
        for cell in grid.cells:
            if not cell.sent:
                continue
            cell.figure = on_record.get(cell.key)
            if not cell.changed or cell.seen_version in (None, cell.version):
                continue
            period = grid.periods[cell.period]
            if cell.value == _value_seen(cell, period):
                # Left as it was shown: not this person's change to make.
                cell.sent = False
                continue
            refusal = services.stale_refusal(
                metric=cell.metric,
                period=period,
                region=cell.region,
                seen_version=cell.seen_version,
                current=cell.figure,
                attempted=cell.raw,
            )
            cell.conflict = refusal.messages[0]
            refusals.append(refusal)
        if refusals:
            raise refusals[0]
        for cell in grid.cells:
            if (cell.changed or cell.note_changed) and (
                refusal := write_refusal(
                    user, fiscal_year=fiscal_year, unit=grid.unit, period=cell.period
                )
            ):
                raise refusal
        for cell in grid.cells:
            if not (cell.changed or cell.note_changed):
                continue
            if cell.value is None:
                services.delete_figure(
                    figure=cell.figure,
                    user=user,
                    source=SOURCE,
                    expected_version=cell.seen_version,
                )
                counts["deleted"] += 1
            else:
                cell.figure = services.record_figure(
                    metric=cell.metric,
                    period=grid.periods[cell.period],
                    region=cell.region,
                    value=cell.value,
                    user=user,
                    source=SOURCE,
                    expected_version=cell.seen_version,
                    note=cell.note_raw if cell.note_changed else None,
                )
                counts["recorded"] += 1
    return counts
