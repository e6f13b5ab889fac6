"""The annual summary, built once as plain data.

``build_summary`` is the one function behind the summary page, its downloads
(the report-layout workbook) and the API's summary endpoint. It costs a
constant number of queries whatever the number of units, metrics, regions
and years: the catalogue and the figures of the year and its two prior years
are each read in one query and assembled in Python.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from reporting.formatting import format_figure, format_quarters
from reporting.models import (
    Figure,
    FiscalYear,
    NarrativeBlock,
    PublishedTotal,
    Release,
    ReportingPeriod,
)
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
class NarrativeText:
    """A narrative block of the report as plain data (its Markdown body is
    rendered and sanitised where it is printed)."""

    key: str
    unit_code: str | None
    kind: str
    kind_label: str
    placement: str
    title: str
    body: str
    quotations: list[str]
    link_text: str
    link_url: str
    anchor: str

    @classmethod
    def from_block(cls, block: NarrativeBlock, fiscal_year: str, unit_code: str | None):
        return cls(
            key=block.key,
            unit_code=unit_code,
            kind=block.kind,
            kind_label=block.get_kind_display(),
            placement=block.placement,
            title=block.title,
            body=block.body,
            quotations=block.quotations,
            link_text=block.link_text,
            link_url=block.link_url,
            anchor=f"text-{fiscal_year}-{unit_code or 'year'}-{block.key}",
        )

    @property
    def shows_link(self) -> bool:
        return bool(self.link_url)


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
    # The prior years in which the unit has figures (a unit that did not
    # exist yet has no column for that year); rows' prior_years match it.
    prior_years: list[str] = field(default_factory=list)
    text_before: list[NarrativeText] = field(default_factory=list)
    text_after: list[NarrativeText] = field(default_factory=list)


@dataclass
class AlertTotalRow:
    """A metric the units share (by its code), added up across the units."""

    code: str
    label: str
    value_type: str
    units: list[str]  # the units whose figures are counted in the year
    prior_units: list[list[str]]  # those counted in each prior year
    compared_units: list[str]  # those in both this year and last: the change's units
    polarity: str  # the shared metrics' polarity (neither when they disagree)
    year: YearFigure
    prior_years: list[YearFigure]
    change: Decimal | None
    change_percent: Decimal | None
    footnotes: list[int] = field(default_factory=list)


@dataclass
class AlertTotals:
    rows: list[AlertTotalRow]
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
    locked_at: datetime.datetime | None
    prior_years: list[str]
    years: list[str]  # every fiscal year on record, newest first
    headlines: list[Headline]
    units: list[UnitSection]
    alert_totals: AlertTotals | None = None
    text_before: list[NarrativeText] = field(default_factory=list)  # the year's own text
    text_after: list[NarrativeText] = field(default_factory=list)
    # The prior years drawn from their releases: label -> release number.
    compared_releases: dict[str, int] = field(default_factory=dict)


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


def build_summary(
    fiscal_year: FiscalYear | str,
    *,
    every_unit: bool = False,
    published: bool = False,
) -> AnnualSummary:
    """The annual summary of a fiscal year, with its two prior years beside it.

    Only what existed: prior years not on record get no column, a unit with
    no figure in the year is left out, and a unit's prior-year column is
    shown only for years in which it has figures.

    ``every_unit`` keeps the active units with no figure in the year (the
    report-layout workbook is also the form staff fill in). Only public notes
    (``public_note`` of figures and metrics) reach it, for every reader.

    The year's own figures are its live records. A prior year that has been
    published is compared as its newest release has it (never as a draft of
    a correction); a prior year never published is left out when
    ``published`` (a page being published), and read from the records on a
    draft page.

    Raises FiscalYear.DoesNotExist for an unknown label.
    """
    years = list(FiscalYear.objects.order_by("-start_year"))
    label = fiscal_year.label if isinstance(fiscal_year, FiscalYear) else fiscal_year
    by_label = {fy.label: fy for fy in years}
    if label not in by_label:
        raise FiscalYear.DoesNotExist(f"There is no fiscal year {label}.")
    year = by_label[label]
    # Only prior years on record get a column: a year before the records began is not a row of dashes.
    prior_labels = [
        p for p in (FiscalYear.label_for(year.start_year - n) for n in (1, 2)) if p in by_label
    ]
    prior_releases = _newest_releases(prior_labels)
    if published:
        prior_labels = [p for p in prior_labels if p in prior_releases]
    live = [year] + [by_label[p] for p in prior_labels if p not in prior_releases]

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
            period__fiscal_year__in=live
        ).values_list(
            "metric_id",
            "period__fiscal_year__label",
            "period__period",
            "region_id",
            "value",
            "public_note",
        )
    }

    released = [prior_releases[p] for p in prior_labels if p in prior_releases]
    figures.update(_release_figures(released, units, regions))
    texts = _narrative(year)
    years_of_unit = _years_with_figures(units, figures)
    sections, headlines = [], []
    for unit in units:
        if year.label not in years_of_unit[unit.pk] and not every_unit:
            continue  # a unit with no figures in the year is left out of it
        unit_priors = [p for p in prior_labels if p in years_of_unit[unit.pk]]
        section = _unit_section(unit, year.label, unit_priors, regions, figures)
        section.text_before = texts.get((unit.code, NarrativeBlock.Placement.BEFORE), [])
        section.text_after = texts.get((unit.code, NarrativeBlock.Placement.AFTER), [])
        sections.append(section)
        last_year = prior_labels[0] if prior_labels else None
        for row in section.rows:
            if row.headline:
                previous = (
                    row.prior_years[0].value
                    if last_year and section.prior_years[:1] == [last_year]
                    else None
                )
                headlines.append(
                    Headline(
                        unit_code=unit.code,
                        metric_code=row.code,
                        label=row.label,
                        value_type=row.value_type,
                        value=row.year.value,
                        partial=row.year.is_partial,
                        last_year=previous,
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
        alert_totals=alert_totals(
            [u for u in units if any(s.code == u.code for s in sections)],
            year.label,
            prior_labels,
            figures,
            published=_published_totals(live, released),
        ),
        text_before=texts.get((None, NarrativeBlock.Placement.BEFORE), []),
        text_after=texts.get((None, NarrativeBlock.Placement.AFTER), []),
        compared_releases={r.fiscal_year.label: r.number for r in released},
    )


def years_shown(fiscal_year: str) -> list[str]:
    """The year and the prior years on record that its summary shows beside it."""
    start = FiscalYear.start_year_from_label(fiscal_year)
    wanted = [FiscalYear.label_for(start - n) for n in (0, 1, 2)]
    on_record = set(FiscalYear.objects.filter(label__in=wanted).values_list("label", flat=True))
    return [label for label in wanted if label in on_record]


def _years_with_figures(units, figures) -> dict[int, set[str]]:
    """Each unit's fiscal years (among those read) with at least one figure."""
    unit_of_metric = {metric.pk: unit.pk for unit in units for metric in unit.metrics.all()}
    years: dict[int, set[str]] = defaultdict(set)
    for metric_id, fy_label, _period, _region in figures:
        if metric_id in unit_of_metric:
            years[unit_of_metric[metric_id]].add(fy_label)
    return years


def _narrative(year: FiscalYear) -> dict[tuple[str | None, str], list[NarrativeText]]:
    """The year's text blocks by (unit code or None, placement), in display order."""
    texts: dict[tuple[str | None, str], list[NarrativeText]] = defaultdict(list)
    blocks = (
        NarrativeBlock.objects.filter(fiscal_year=year)
        .select_related("unit")
        .order_by("display_order", "pk")
    )
    for block in blocks:
        code = block.unit.code if block.unit_id else None
        if block.unit_id and not block.unit.active:
            continue
        texts[(code, block.placement)].append(NarrativeText.from_block(block, year.label, code))
    return texts


def _newest_releases(labels: list[str]) -> dict[str, Release]:
    """The newest release of each of these years that has one, in one query."""
    newest: dict[str, Release] = {}
    for release in (
        Release.objects.filter(fiscal_year__label__in=labels)
        .select_related("fiscal_year")
        .order_by("number")
    ):
        newest[release.fiscal_year.label] = release
    return newest


def _release_figures(releases: list[Release], units, regions) -> dict[tuple, tuple[Decimal, str]]:
    """The figures of prior years as their releases hold them, keyed as the
    live figures are (metrics and regions no longer in the catalogue drop out)."""
    metric_ids = {(unit.code, m.code): m.pk for unit in units for m in unit.metrics.all()}
    region_ids = {region.name: region.pk for region in regions}
    found = {}
    for release in releases:
        label = release.fiscal_year.label
        for entry in release.figures:
            metric_id = metric_ids.get((entry["unit"], entry["metric"]))
            region_id = region_ids.get(entry["region"]) if entry["region"] else None
            if metric_id is None or (entry["region"] and region_id is None):
                continue
            key = (metric_id, label, entry["period"], region_id)
            found[key] = (Decimal(entry["value"]), entry.get("public_note", ""))
    return found


def _published_totals(
    live: list[FiscalYear], released: list[Release]
) -> dict[tuple[str, str], PublishedTotal]:
    """ALERT's published totals of the years shown: live for the years read
    from the records, as released for the others."""
    totals = {
        (total.fiscal_year.label, total.metric_code): total
        for total in PublishedTotal.objects.filter(fiscal_year__in=live).select_related(
            "fiscal_year"
        )
    }
    for release in released:
        for total in release.data.get("published_totals", []):
            totals[(release.fiscal_year.label, total["metric_code"])] = PublishedTotal(
                metric_code=total["metric_code"], value=Decimal(total["value"]), note=total["note"]
            )
    return totals


def _sum_of(parts) -> YearFigure:
    parts = list(parts)
    if not parts:
        return YearFigure(None, None)
    value = sum((part.value for part in parts), Decimal(0))
    return YearFigure(value, "partial" if any(p.is_partial for p in parts) else "derived")


def _shared_polarity(metrics: list[Metric]) -> str:
    """The metrics' polarity when they all agree; else neither (no colour)."""
    polarities = {metric.polarity for metric in metrics}
    return polarities.pop() if len(polarities) == 1 else Metric.Polarity.NEITHER


def alert_totals(
    units, label: str, prior_labels: list[str], figures, *, published
) -> AlertTotals | None:
    """ALERT-wide totals of the metrics two or more units share (by metric
    code), added up from the units' year figures in each year shown.

    A unit that did not report the metric in a year is not counted in that
    year (never as 0), and each year names the units it counts; a total with
    a partial part is partial. The change from last year is computed over
    the units reported in both years (``compared_units``), so a unit that
    began or stopped reporting does not count as a rise or a fall. Where ALERT
    published its own total for a year (``PublishedTotal``) and it differs,
    a public footnote gives both figures and the published total's note.
    """
    metrics_by_code: dict[str, list[tuple[Unit, Metric]]] = defaultdict(list)
    for unit in units:
        for metric in unit.metrics.all():
            metrics_by_code[metric.code].append((unit, metric))
    rows, footnotes = [], []
    for code, members in metrics_by_code.items():
        if len(members) < 2 or len({m.value_type for _, m in members}) > 1:
            continue

        def parts_for(fy_label: str, members=members) -> dict[str, YearFigure]:
            """Each reporting unit's year figure, by unit code, in report order."""
            parts = {}
            for unit, metric in members:
                quarters = [
                    figures.get((metric.pk, fy_label, q, None), (None, ""))[0] for q in QUARTERS
                ]
                recorded = figures.get((metric.pk, fy_label, "FY", None), (None, ""))[0]
                part = year_figure(recorded, quarters)
                if part.value is not None:
                    parts[unit.code] = part
            return parts

        year_parts = parts_for(label)
        prior_parts = [parts_for(p) for p in prior_labels]
        year = _sum_of(year_parts.values())
        prior = [_sum_of(parts.values()) for parts in prior_parts]
        # The change compares like with like: the units reported in both years only.
        previous = FiscalYear.label_for(FiscalYear.start_year_from_label(label) - 1)
        compared: list[str] = []
        change = percent = None
        if prior_labels[:1] == [previous]:
            compared = [code for code in year_parts if code in prior_parts[0]]
            now = _sum_of(year_parts[code] for code in compared)
            then = _sum_of(prior_parts[0][code] for code in compared)
            # A partial year is never compared with a full one.
            if not now.is_partial and not then.is_partial:
                change, percent = change_between(now.value, then.value)
        first = members[0][1]
        row = AlertTotalRow(
            code=code,
            label=first.label,
            value_type=first.value_type,
            units=list(year_parts),
            prior_units=[list(parts) for parts in prior_parts],
            compared_units=compared if change is not None else [],
            polarity=_shared_polarity([metric for _, metric in members]),
            year=year,
            prior_years=prior,
            change=change,
            change_percent=percent,
        )
        for fy_label, total in [(label, year), *zip(prior_labels, prior, strict=True)]:
            stated = published.get((fy_label, code))
            if stated is None or total.value is None or stated.value == total.value:
                continue
            number = len(footnotes) + 1
            text = (
                f"ALERT published {format_figure(stated.value, first.value_type)} as its "
                f"{fy_label} total; the units' figures on record add up to "
                f"{format_figure(total.value, first.value_type)}."
            )
            if stated.note:
                text += f" {stated.note}"
            footnotes.append(Footnote(number, first.label, text))
            row.footnotes.append(number)
        rows.append(row)
    if not rows:
        return None
    return AlertTotals(rows=rows, footnotes=footnotes)


def _unit_section(unit, label, prior_labels, regions, figures) -> UnitSection:
    previous_label = FiscalYear.label_for(FiscalYear.start_year_from_label(label) - 1)
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
        # The change is from last year only: never from an older column (a
        # unit with no figures last year has nothing to compare).
        has_last_year = prior_labels[:1] == [previous_label]
        compared = compare_years(
            label,
            year,
            quarters,
            previous_label,
            prior[0] if has_last_year else YearFigure(None, None),
            prior_quarters[0] if has_last_year else [None] * len(QUARTERS),
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
        prior_years=prior_labels,
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
    # Every region of the catalogue, a dash where it was not reported: the
    # totals are then plainly the listed regions' sum.
    rows = [
        RegionalRow(region.name, [by_region[region.pk].get(m.pk) for m in columns])
        for region in regions
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
