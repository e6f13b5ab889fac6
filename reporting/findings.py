"""Data-quality findings: what in a fiscal year's figures deserves a second look.

``year_findings(fiscal_year)`` is the one function behind the admin's
findings page and the findings staff see on the summary page. It reads the
catalogue and the figures of the year and its two prior years in three
queries, whatever their number, and never changes anything: an outlier is
flagged for follow-up, never rejected.

The checks, in the order they are listed:

- ``quarters-vs-year``: all four quarters and the full year are on record and
  the quarters do not add up to it.
- ``regions-vs-unit``: a metric's regional full-year figures do not add up to
  the unit's own full-year figure.
- ``fractional-count``: a count holds a fraction.
- ``quarters-missing``: some quarters are on record and others are not.
- ``no-figures``: an active metric has no figure at all in an open year (one
  finding per unit when the whole unit has none, e.g. a team not yet formed).
- ``source-note``: a figure carries a note, which says what its source lost
  or how a figure was read.
- ``quarter-outlier``: a quarter is more than three times the largest other
  quarter, or less than a third of the smallest, and at least
  ``OUTLIER_MIN_GAP`` away from the nearest (small counts wobble).
- ``year-outlier``: the full year is that far from every prior year on record.
- ``charged-without-charges``: a unit reports suspects charged but no charges
  laid for the year.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from reporting.formatting import figure_label, format_figure
from reporting.models import Figure, FiscalYear, ReportingPeriod
from units.models import Metric, assigned_unit_ids

OUTLIER_RATIO = Decimal(3)
OUTLIER_MIN_GAP = Decimal(20)
QUARTERS = ReportingPeriod.QUARTERS


class Severity:
    ERROR = "error"  # the figures contradict each other
    WARNING = "warning"  # something is missing or unusual: follow it up
    INFO = "info"  # worth knowing when reading the figures


@dataclass(frozen=True)
class FigureRef:
    figure_id: int
    label: str
    value: str
    url: str
    period: str = ""  # Q1..Q4 or FY: the reporting cycle's board counts findings by quarter


@dataclass
class DataQualityFinding:
    """Something in a year's figures that deserves a second look (see the checks above)."""

    unit_code: str
    kind: str
    severity: str
    message: str
    figures: list[FigureRef] = field(default_factory=list)


def _ref(figure: Figure) -> FigureRef:
    return FigureRef(
        figure_id=figure.pk,
        label=figure_label(figure),
        value=format_figure(figure.value, figure.metric.value_type),
        url=reverse("admin:reporting_figure_change", args=[figure.pk]),
        period=figure.period.period,
    )


def _fmt(value: Decimal, metric: Metric) -> str:
    return format_figure(value, metric.value_type)


def _far(value: Decimal, others: list[Decimal]) -> bool:
    if not others:
        return False
    nearest_gap = min(abs(value - other) for other in others)
    if nearest_gap < OUTLIER_MIN_GAP:
        return False
    return value > OUTLIER_RATIO * max(others) or value * OUTLIER_RATIO < min(others)


def year_findings(
    fiscal_year: FiscalYear, *, unit_ids: frozenset[int] | None = None
) -> list[DataQualityFinding]:
    """Every finding for ``fiscal_year``, grouped by check, in report order;
    with ``unit_ids``, only those units' (every check is within one unit, so
    nothing of another unit is even read: a clerk's findings, see
    ``findings_for``)."""
    prior_years = list(
        FiscalYear.objects.filter(
            start_year__lt=fiscal_year.start_year, start_year__gte=fiscal_year.start_year - 2
        ).values_list("pk", flat=True)
    )
    metrics = Metric.objects.active().select_related("unit")
    figures = Figure.objects.filter(period__fiscal_year_id__in=[fiscal_year.pk, *prior_years])
    if unit_ids is not None:
        metrics = metrics.filter(unit_id__in=unit_ids)
        figures = figures.filter(metric__unit_id__in=unit_ids)
    metrics = list(metrics)
    figures = list(
        figures.select_related("metric__unit", "period__fiscal_year", "region").in_report_order()
    )
    this_year = [f for f in figures if f.period.fiscal_year_id == fiscal_year.pk]
    unit_wide: dict[tuple[int, str], Figure] = {}
    regional: dict[int, list[Figure]] = defaultdict(list)
    priors: dict[int, list[Figure]] = defaultdict(list)
    for f in figures:
        if f.period.fiscal_year_id != fiscal_year.pk:
            if f.region_id is None and f.period.is_full_year:
                priors[f.metric_id].append(f)
        elif f.region_id is None:
            unit_wide[(f.metric_id, f.period.period)] = f
        else:
            regional[f.metric_id].append(f)

    findings: list[DataQualityFinding] = []
    findings += _quarters_vs_year(metrics, unit_wide)
    findings += _regions_vs_unit(metrics, unit_wide, regional)
    findings += _fractional_counts(this_year)
    findings += _quarters_missing(metrics, unit_wide)
    if not fiscal_year.is_locked:
        findings += _no_figures(metrics, this_year, fiscal_year)
    findings += _source_notes(this_year)
    findings += _quarter_outliers(metrics, unit_wide)
    findings += _year_outliers(metrics, unit_wide, priors, fiscal_year)
    findings += _charged_without_charges(metrics, this_year, fiscal_year)
    return findings


def _quarters_vs_year(metrics, unit_wide):
    for metric in metrics:
        quarters = [unit_wide.get((metric.pk, q)) for q in QUARTERS]
        year = unit_wide.get((metric.pk, "FY"))
        if year is None or None in quarters:
            continue
        total = sum(q.value for q in quarters)
        if total != year.value:
            yield DataQualityFinding(
                metric.unit.code,
                "quarters-vs-year",
                Severity.ERROR,
                f"{metric}: the quarters add up to "
                f"{_fmt(total, metric)} but the full year is recorded as "
                f"{_fmt(year.value, metric)} (a difference of {_fmt(abs(total - year.value), metric)}).",
                [_ref(f) for f in [*quarters, year]],
            )


def _regions_vs_unit(metrics, unit_wide, regional):
    for metric in metrics:
        parts = regional.get(metric.pk, [])
        parts = [f for f in parts if f.period.is_full_year]
        if not parts:
            continue
        total = sum(f.value for f in parts)
        year = unit_wide.get((metric.pk, "FY"))
        if year is None:
            yield DataQualityFinding(
                metric.unit.code,
                "regions-vs-unit",
                Severity.WARNING,
                f"{metric}: regional figures add up to "
                f"{_fmt(total, metric)} but the unit has no full-year figure.",
                [_ref(f) for f in parts],
            )
        elif total != year.value:
            yield DataQualityFinding(
                metric.unit.code,
                "regions-vs-unit",
                Severity.ERROR,
                f"{metric}: the regions add up to "
                f"{_fmt(total, metric)} but the unit's full year is {_fmt(year.value, metric)}.",
                [_ref(year), *[_ref(f) for f in parts]],
            )


def _fractional_counts(this_year):
    for f in this_year:
        if not f.metric.is_currency and not f.is_whole:
            yield DataQualityFinding(
                f.metric.unit.code,
                "fractional-count",
                Severity.ERROR,
                f"{f.metric} is a count but holds {f.value}.",
                [_ref(f)],
            )


def _quarters_missing(metrics, unit_wide):
    for metric in metrics:
        present = [q for q in QUARTERS if (metric.pk, q) in unit_wide]
        if 0 < len(present) < len(QUARTERS):
            missing = [q for q in QUARTERS if q not in present]
            yield DataQualityFinding(
                metric.unit.code,
                "quarters-missing",
                Severity.WARNING,
                f"{metric}: {', '.join(present)} reported, {', '.join(missing)} not.",
                [_ref(unit_wide[(metric.pk, q)]) for q in present],
            )


def _no_figures(metrics, this_year, fiscal_year):
    reported = {f.metric_id for f in this_year}
    by_unit: dict = defaultdict(list)
    for metric in metrics:
        by_unit[metric.unit].append(metric)
    for unit, unit_metrics in by_unit.items():
        empty = [m for m in unit_metrics if m.pk not in reported]
        if not empty:
            continue
        if len(empty) == len(unit_metrics):
            yield DataQualityFinding(
                unit.code,
                "no-figures",
                Severity.INFO,
                f"{unit.code} has no figures at all for {fiscal_year.label} "
                f"(none of its {len(empty)} metrics).",
            )
            continue
        for metric in empty:
            yield DataQualityFinding(
                unit.code,
                "no-figures",
                Severity.WARNING,
                f"{metric} has no figure for {fiscal_year.label}: "
                "not reported, or not yet entered.",
            )


def _source_notes(this_year):
    for f in this_year:
        if f.note:
            yield DataQualityFinding(
                f.metric.unit.code, "source-note", Severity.INFO, f.note, [_ref(f)]
            )


def _quarter_outliers(metrics, unit_wide):
    for metric in metrics:
        quarters = [unit_wide[(metric.pk, q)] for q in QUARTERS if (metric.pk, q) in unit_wide]
        if len(quarters) < 3:
            continue
        for f in quarters:
            others = [o.value for o in quarters if o is not f]
            if _far(f.value, others):
                yield DataQualityFinding(
                    metric.unit.code,
                    "quarter-outlier",
                    Severity.WARNING,
                    f"{metric} {f.period.period} is "
                    f"{_fmt(f.value, metric)} against {_fmt(min(others), metric)}-"
                    f"{_fmt(max(others), metric)} in the other quarters: check it.",
                    [_ref(f)],
                )


def _year_outliers(metrics, unit_wide, priors, fiscal_year):
    for metric in metrics:
        year = unit_wide.get((metric.pk, "FY"))
        earlier = priors.get(metric.pk, [])
        if year is None or not earlier:
            continue
        if _far(year.value, [f.value for f in earlier]):
            shown = ", ".join(
                f"{_fmt(f.value, metric)} in {f.period.fiscal_year.label}" for f in earlier
            )
            yield DataQualityFinding(
                metric.unit.code,
                "year-outlier",
                Severity.WARNING,
                f"{metric} is {_fmt(year.value, metric)} in "
                f"{fiscal_year.label} against {shown}: check it.",
                [_ref(year), *[_ref(f) for f in earlier]],
            )


def _charged_without_charges(metrics, this_year, fiscal_year):
    by_code: dict = defaultdict(list)
    for f in this_year:
        if f.region_id is None:
            by_code[(f.metric.unit_id, f.metric.code)].append(f)
    for metric in metrics:
        if metric.code != "suspects-charged":
            continue
        charged = [f for f in by_code.get((metric.unit_id, "suspects-charged"), []) if f.value]
        charges = by_code.get((metric.unit_id, "charges-laid"), [])
        if charged and not any(f.value for f in charges):
            yield DataQualityFinding(
                metric.unit.code,
                "charged-without-charges",
                Severity.WARNING,
                f"{metric.unit.code} reports suspects charged in {fiscal_year.label} "
                "but no charges laid.",
                [_ref(f) for f in charged],
            )


def findings_for(user, fiscal_year: FiscalYear) -> list[DataQualityFinding]:
    """The findings of ``fiscal_year`` that ``user`` may read: those of the
    units whose figures they see (``assigned_unit_ids``), all for
    administrators and leadership."""
    return year_findings(fiscal_year, unit_ids=assigned_unit_ids(user))


def figure_findings(figure: Figure) -> list[DataQualityFinding]:
    """The findings of ``figure``'s year that name it (the figure form shows them).

    A subset of ``year_findings``, never a second set of checks, so the form,
    the findings page and the summary agree on what is found.
    """
    return [
        finding
        for finding in year_findings(figure.period.fiscal_year)
        if any(ref.figure_id == figure.pk for ref in finding.figures)
    ]
