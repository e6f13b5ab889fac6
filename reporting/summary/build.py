"""The annual summary, built once as plain data.

``build_summary`` is the one function behind the summary page, its downloads
(the report-layout workbook) and the API's summary endpoint. It costs a
constant number of queries whatever the number of units, metrics, regions
and years: the catalogue and the figures of the year and its two prior years
are each read in one query and assembled in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch

from reporting.formatting import format_quarters
from reporting.models import Figure, FiscalYear, ReportingPeriod
from units.models import Metric, Region, Unit

QUARTERS = ReportingPeriod.QUARTERS
PERCENT_THRESHOLD = 10  # percent changes on smaller counts mislead


@dataclass
class YearFigure:
    """A metric's figure for a whole year.

    ``source`` is ``recorded`` (a full-year figure is on record), ``derived``
    (the sum of all four reported quarters), ``partial`` (the sum of the
    quarters reported so far; some are missing) or ``None`` (not reported).
    """

    value: Decimal | None
    source: str | None

    @property
    def is_partial(self) -> bool:
        return self.source == "partial"


@dataclass
class MetricRow:
    code: str
    label: str
    value_type: str
    headline: bool
    regional_label: str
    quarters: list[Decimal | None]
    year: YearFigure
    prior_years: list[YearFigure]
    change: Decimal | None
    change_percent: Decimal | None
    footnotes: list[int] = field(default_factory=list)
    # "Q1–Q2 vs Q1–Q2 2023-24" when the change is year-to-date; blank for full years.
    comparison: str = ""
    # Why there is no change to show, in the reader's words; blank when there is one.
    no_comparison: str = ""
    polarity: str = Metric.Polarity.NEITHER


@dataclass
class RegionalColumn:
    metric_code: str
    heading: str
    value_type: str


@dataclass
class RegionalRow:
    region: str
    values: list[Decimal | None]


@dataclass
class RegionalTable:
    columns: list[RegionalColumn]
    rows: list[RegionalRow]
    totals: list[Decimal | None]


@dataclass
class Footnote:
    number: int
    metric_label: str
    text: str


@dataclass
class UnitSection:
    code: str
    name: str
    program: str
    team: str
    heading: str
    description: str
    rows: list[MetricRow]
    regional: RegionalTable | None
    footnotes: list[Footnote]


@dataclass
class Headline:
    unit_code: str
    metric_code: str
    label: str
    value_type: str
    value: Decimal | None
    partial: bool
    last_year: Decimal | None
    change: Decimal | None
    change_percent: Decimal | None
    comparison: str = ""
    no_comparison: str = ""
    polarity: str = Metric.Polarity.NEITHER


@dataclass
class AnnualSummary:
    fiscal_year: str
    status: str
    is_locked: bool
    locked_at: object
    prior_years: list[str]
    years: list[str]  # every fiscal year on record, newest first
    headlines: list[Headline]
    units: list[UnitSection]


def year_figure(recorded: Decimal | None, quarters: list[Decimal | None]) -> YearFigure:
    if recorded is not None:
        return YearFigure(recorded, "recorded")
    reported = [q for q in quarters if q is not None]
    if not reported:
        return YearFigure(None, None)
    return YearFigure(sum(reported, Decimal(0)), "derived" if len(reported) == 4 else "partial")


def change_between(current: Decimal | None, previous: Decimal | None):
    """The change from last year, and the percent change where it means something."""
    if current is None or previous is None:
        return None, None
    change = current - previous
    if previous < PERCENT_THRESHOLD:
        return change, None
    return change, (change * 100 / previous).quantize(Decimal("0.1"))


@dataclass
class Comparison:
    """A year's figure against the prior year's, on the same footing."""

    change: Decimal | None
    percent: Decimal | None
    label: str  # "Q1–Q2 vs Q1–Q2 2023-24" for a year-to-date comparison, else ""
    missing: str  # why there is nothing to compare, else ""


def compare_years(
    label: str,
    year: YearFigure,
    quarters: list[Decimal | None],
    prior_label: str,
    prior: YearFigure,
    prior_quarters: list[Decimal | None],
) -> Comparison:
    """Compare like with like, never a partial year with a full one.

    A full year (recorded, or all four quarters) is compared with a full prior
    year. A partial year is compared year-to-date: the sum of its quarters on
    record against the sum of the same quarters of the prior year, which must
    all be on record. Otherwise there is no comparison, and ``missing`` says why.
    """
    if year.value is None:
        return Comparison(None, None, "", f"Not reported for {label}")
    if not year.is_partial:
        if prior.value is None:
            return Comparison(None, None, "", f"No {prior_label} figure to compare")
        if prior.is_partial:
            return Comparison(None, None, "", f"{prior_label} has only some quarters on record")
        change, percent = change_between(year.value, prior.value)
        return Comparison(change, percent, "", "")
    on_record = [q for q, value in zip(QUARTERS, quarters, strict=True) if value is not None]
    span = format_quarters(on_record)
    prior_values = [prior_quarters[QUARTERS.index(q)] for q in on_record]
    if any(value is None for value in prior_values):
        return Comparison(None, None, "", f"No {span} figures for {prior_label} to compare")
    change, percent = change_between(year.value, sum(prior_values, Decimal(0)))
    return Comparison(change, percent, f"{span} vs {span} {prior_label}", "")


def build_summary(fiscal_year: FiscalYear | str, *, internal_notes: bool = True) -> AnnualSummary:
    """The annual summary of a fiscal year, with its two prior years beside it.

    Only public notes (``public_note`` of figures and metrics) reach it, for
    every reader; ``internal_notes`` is kept for callers and changes nothing.

    Raises FiscalYear.DoesNotExist for an unknown label.
    """
    years = list(FiscalYear.objects.order_by("-start_year"))
    label = fiscal_year.label if isinstance(fiscal_year, FiscalYear) else fiscal_year
    by_label = {fy.label: fy for fy in years}
    if label not in by_label:
        raise FiscalYear.DoesNotExist(f"There is no fiscal year {label}.")
    year = by_label[label]
    prior_labels = [FiscalYear.label_for(year.start_year - n) for n in (1, 2)]
    shown = [year] + [by_label[p] for p in prior_labels if p in by_label]

    units = list(
        Unit.objects.active().prefetch_related(
            Prefetch(
                "metrics",
                queryset=Metric.objects.filter(active=True).order_by("display_order", "code"),
            )
        )
    )
    regions = list(Region.objects.all())
    # {(metric_id, year label, period, region_id): (value, public note)}. Only
    # public notes reach the summary: the internal note is for staff, and the
    # page, its print and its downloads are all built from this.
    figures: dict[tuple, tuple[Decimal, str]] = {
        (metric_id, fy_label, period, region_id): (value, note)
        for metric_id, fy_label, period, region_id, value, note in Figure.objects.filter(
            period__fiscal_year__in=shown
        ).values_list(
            "metric_id",
            "period__fiscal_year__label",
            "period__period",
            "region_id",
            "value",
            "public_note",
        )
    }

    sections, headlines = [], []
    for unit in units:
        section = _unit_section(
            unit, year.label, prior_labels, regions, figures, internal_notes=internal_notes
        )
        sections.append(section)
        for row in section.rows:
            if row.headline:
                headlines.append(
                    Headline(
                        unit_code=unit.code,
                        metric_code=row.code,
                        label=row.label,
                        value_type=row.value_type,
                        value=row.year.value,
                        partial=row.year.is_partial,
                        last_year=row.prior_years[0].value,
                        change=row.change,
                        change_percent=row.change_percent,
                        comparison=row.comparison,
                        no_comparison=row.no_comparison,
                        polarity=row.polarity,
                    )
                )
    return AnnualSummary(
        fiscal_year=year.label,
        status=year.status,
        is_locked=year.is_locked,
        locked_at=year.locked_at,
        prior_years=prior_labels,
        years=[fy.label for fy in years],
        headlines=headlines,
        units=sections,
    )


def _unit_section(
    unit, label, prior_labels, regions, figures, *, internal_notes: bool = True
) -> UnitSection:
    rows, footnotes = [], []
    notes_seen: dict[str, int] = {}

    def footnote(metric: Metric, text: str) -> int:
        if text not in notes_seen:
            notes_seen[text] = len(footnotes) + 1
            footnotes.append(Footnote(notes_seen[text], metric.label, text))
        return notes_seen[text]

    for metric in unit.metrics.all():

        def figure(fy_label, period, region_id=None, metric_id=metric.pk):
            return figures.get((metric_id, fy_label, period, region_id), (None, ""))

        quarters = [figure(label, q)[0] for q in QUARTERS]
        year = year_figure(figure(label, "FY")[0], quarters)
        prior_quarters = [[figure(p, q)[0] for q in QUARTERS] for p in prior_labels]
        prior = [
            year_figure(figure(p, "FY")[0], p_quarters)
            for p, p_quarters in zip(prior_labels, prior_quarters, strict=True)
        ]
        compared = compare_years(
            label, year, quarters, prior_labels[0], prior[0], prior_quarters[0]
        )
        refs = []
        if metric.public_note:
            refs.append(footnote(metric, metric.public_note))
        for fy_label in [label, *prior_labels]:
            for period in (*QUARTERS, "FY"):
                note = figure(fy_label, period)[1]
                if note:
                    ref = footnote(metric, note)
                    if ref not in refs:
                        refs.append(ref)
        rows.append(
            MetricRow(
                code=metric.code,
                label=metric.label,
                value_type=metric.value_type,
                headline=metric.headline,
                regional_label=metric.regional_label,
                quarters=quarters,
                year=year,
                prior_years=prior,
                change=compared.change,
                change_percent=compared.percent,
                footnotes=refs,
                comparison=compared.label,
                no_comparison=compared.missing,
                polarity=metric.polarity,
            )
        )
    return UnitSection(
        code=unit.code,
        name=unit.name,
        program=unit.program,
        team=unit.team,
        heading=unit.heading,
        description=unit.description,
        rows=rows,
        regional=_regional_table(unit, label, regions, figures),
        footnotes=footnotes,
    )


def _regional_table(unit, label, regions, figures) -> RegionalTable | None:
    metrics = list(unit.metrics.all())
    by_region: dict[int, dict[int, Decimal]] = defaultdict(dict)
    metric_ids = {m.pk for m in metrics}
    for (metric_id, fy_label, period, region_id), (value, _) in figures.items():
        if (
            region_id is not None
            and fy_label == label
            and period == "FY"
            and metric_id in metric_ids
        ):
            by_region[region_id][metric_id] = value
    if not by_region:
        return None
    reported = {metric_id for values in by_region.values() for metric_id in values}
    columns = [m for m in metrics if m.regional_label or m.pk in reported]
    rows = [
        RegionalRow(region.name, [by_region[region.pk].get(m.pk) for m in columns])
        for region in regions
        if region.pk in by_region
    ]
    totals = []
    for position in range(len(columns)):
        values = [row.values[position] for row in rows if row.values[position] is not None]
        totals.append(sum(values, Decimal(0)) if values else None)
    return RegionalTable(
        columns=[
            RegionalColumn(m.code, m.regional_label or m.label, m.value_type) for m in columns
        ],
        rows=rows,
        totals=totals,
    )


def records_version() -> str:
    """A token that changes whenever anything the summary shows changes.

    Every write of a figure, a fiscal year or the catalogue leaves a history
    record (all entry paths write history, bulk imports included), so the
    newest record of each history table identifies the state of the records.
    One query; the summary page caches its content under this token, which
    stays correct across processes because each request reads it afresh.
    """
    parts = []
    for model in (Figure, FiscalYear, Unit, Metric, Region):
        table = connection.ops.quote_name(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX(history_id) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return "|".join(str(part) for part in cursor.fetchone())
