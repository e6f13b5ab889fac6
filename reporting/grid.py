"""The entry grid: one unit's figures for one fiscal year, entered on one screen.

Rows are the unit's metrics and columns Q1-Q4 and the full year; where the
unit reports by region, a second grid holds regions by regional metrics (full
year). Every cell is checked with ``parse_value``; the save is all or
nothing and goes through the single-figure services, so locks, unit
assignment and history apply exactly as everywhere else.

Only what was sent changes: a cell missing from the submission is left
alone (a present, empty cell clears its figure). Each cell carries the
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
from reporting.formatting import format_figure
from reporting.models import Figure, FiscalYear, QuarterFrozen, ReportingPeriod, StaleFigure
from reporting.validation import parse_value
from units.models import Metric, Region, Unit

SOURCE = provenance.GRID
COLUMNS = ("Q1", "Q2", "Q3", "Q4", "FY")
SEEN = "s-"  # prefix of the hidden field holding the version a cell showed


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

    def __post_init__(self) -> None:
        self.seen_version = self.version

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

    def bind(self, raw: str | None, seen: str | None = None) -> None:
        """Read the cell's text (None: not sent, left alone) and the version it showed."""
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


@dataclass
class GridRow:
    heading: str
    cells: list[Cell]


@dataclass
class Grid:
    unit: Unit
    fiscal_year: FiscalYear
    rows: list[GridRow]
    regional_metrics: list[Metric] = field(default_factory=list)
    regional_rows: list[GridRow] = field(default_factory=list)
    periods: dict[str, ReportingPeriod] = field(default_factory=dict)

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
            cell.bind(data.get(cell.name), data.get(SEEN + cell.name))
        return not self.errors


def _prefill(figure: Figure | None, metric: Metric) -> str:
    return "" if figure is None else format_figure(figure.value, metric.value_type)


def build_grid(unit: Unit, fiscal_year: FiscalYear) -> Grid:
    """The grid prefilled with the figures on record (a query each for the
    periods, the metrics, the figures and, where the unit reports by region, the regions)."""
    periods = {p.period: p for p in fiscal_year.periods.all()}
    metrics = list(unit.metrics.active().order_by("display_order", "code"))
    figures = {
        (f.metric_id, f.period.period, f.region_id): f
        for f in Figure.objects.for_year(fiscal_year).for_unit(unit).select_related("period")
    }

    def cell(name, metric, period, region):
        found = figures.get((metric.pk, period, region.pk if region else None))
        return Cell(name, metric, period, region, found, raw=_prefill(found, metric))

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
    return Grid(unit, fiscal_year, rows, regional_metrics, regional_rows, periods)


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
            if cell.changed and (
                refusal := write_refusal(
                    user, fiscal_year=fiscal_year, unit=grid.unit, period=cell.period
                )
            ):
                raise refusal
        for cell in grid.cells:
            if not cell.changed:
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
                )
                counts["recorded"] += 1
    return counts
