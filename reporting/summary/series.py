"""A metric's whole series: every fiscal year on record, as plain data.

A published year's figures come from its newest release, exactly as they
were published; a year not yet published comes from the live records and is
marked as a draft (the caller passes only the years its reader may read, so
the public never sees one). A constant number of queries whatever the number
of years: the metric, its newest releases, the live figures of the draft
years and the regions, each read once.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, OuterRef, Subquery
from django.utils.safestring import SafeString
from django.utils.text import slugify

from reporting.formatting import plain_number
from reporting.models import Figure, FiscalYear, Release
from reporting.summary.build import QUARTERS, YearFigure, year_figure
from reporting.summary.charts import chart_id_for, series_chart
from units.models import Metric, Region

PUBLISHED = "published"
DRAFT = "draft"


@dataclass
class SeriesYear:
    label: str
    status: str  # PUBLISHED or DRAFT
    release: int | None  # the release the figures come from; None for a draft
    quarters: list[Decimal | None]
    year: YearFigure
    notes: list[str] = field(default_factory=list)
    # A published year whose correction is being prepared: its draft figure
    # (the live records), for staff only; None otherwise.
    correction: YearFigure | None = None

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT


@dataclass
class RegionSeries:
    region: str
    anchor: str
    values: list[Decimal | None]  # one per year of the series, oldest first
    chart: SafeString | None = None


@dataclass
class MetricSeries:
    unit_code: str
    unit_name: str
    metric_code: str
    label: str
    value_type: str
    metric_note: str
    years: list[SeriesYear]  # oldest first
    regions: list[RegionSeries]
    chart: SafeString | None = None

    @property
    def quarterly(self) -> bool:
        """Quarter columns only where some year has a quarterly figure."""
        return any(v is not None for year in self.years for v in year.quarters)

    @property
    def has_notes(self) -> bool:
        return bool(self.metric_note) or any(year.notes for year in self.years)

    @property
    def has_drafts(self) -> bool:
        return any(year.is_draft for year in self.years)


def build_series(
    metric: Metric, years: list[FiscalYear], *, corrections: bool = False
) -> MetricSeries:
    """The series of ``metric`` (with its unit selected) over ``years``.

    ``corrections`` (staff): a published year whose correction is being
    prepared also carries its draft figure, marked as such beside the release's.
    """
    years = sorted(years, key=lambda fy: fy.start_year)

    # {(year label, period, region name): (value, public note)}
    figures: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    releases = {}
    if years:
        newest = (
            Release.objects.filter(fiscal_year=OuterRef("fiscal_year"))
            .values("fiscal_year")
            .annotate(newest=Max("number"))
            .values("newest")
        )
        for release in Release.objects.filter(
            fiscal_year__in=years, number=Subquery(newest)
        ).select_related("fiscal_year"):
            releases[release.fiscal_year.label] = release.number
            for entry in release.figures:
                if entry["unit"] == metric.unit.code and entry["metric"] == metric.code:
                    figures[(release.fiscal_year.label, entry["period"], entry["region"])] = (
                        Decimal(entry["value"]),
                        entry.get("public_note", ""),
                    )
    # A year with a release is published (also while a correction of it is
    # prepared: readers keep its newest release); the others come from the
    # live records, as drafts.
    live = [fy for fy in years if fy.label not in releases]
    correcting = {
        fy.label for fy in years if corrections and fy.label in releases and not fy.is_locked
    }
    drafts: dict[tuple[str, str], Decimal] = {}  # the corrections' unit-wide figures
    if live or correcting:
        for label, period, region, value, note in Figure.objects.filter(
            metric=metric,
            period__fiscal_year__in=live + [fy for fy in years if fy.label in correcting],
        ).values_list(
            "period__fiscal_year__label", "period__period", "region__name", "value", "public_note"
        ):
            if label in correcting:
                if region is None:
                    drafts[(label, period)] = value
            else:
                figures[(label, period, region or "")] = (value, note)

    series_years = []
    for fy in years:
        quarters = [figures.get((fy.label, q, ""), (None, ""))[0] for q in QUARTERS]
        recorded = figures.get((fy.label, "FY", ""), (None, ""))[0]
        notes = []
        for (label, _period, _region), (_value, note) in figures.items():
            if label == fy.label and note and note not in notes:
                notes.append(note)
        series_years.append(
            SeriesYear(
                label=fy.label,
                status=PUBLISHED if fy.label in releases else DRAFT,
                release=releases.get(fy.label),
                quarters=quarters,
                year=year_figure(recorded, quarters),
                notes=notes,
                correction=year_figure(
                    drafts.get((fy.label, "FY")), [drafts.get((fy.label, q)) for q in QUARTERS]
                )
                if fy.label in correcting
                else None,
            )
        )

    regional_names = {region for (_, _, region) in figures if region}
    regions = []
    if regional_names:
        for region in Region.objects.filter(name__in=regional_names):
            values = [figures.get((fy.label, "FY", region.name), (None, ""))[0] for fy in years]
            anchor = f"region-{slugify(region.name)}"
            regions.append(
                RegionSeries(
                    region=region.name,
                    anchor=anchor,
                    values=values,
                    chart=series_chart(
                        chart_id_for(metric.unit.code, metric.code, anchor),
                        f"{metric.label}, {region.name}",
                        metric.value_type,
                        [
                            (fy.label, _recorded(value), fy.label not in releases)
                            for fy, value in zip(years, values, strict=True)
                        ],
                    ),
                )
            )
    series = MetricSeries(
        unit_code=metric.unit.code,
        unit_name=metric.unit.name,
        metric_code=metric.code,
        label=metric.label,
        value_type=metric.value_type,
        metric_note=metric.public_note,
        years=series_years,
        regions=regions,
    )
    series.chart = series_chart(
        chart_id_for(metric.unit.code, metric.code, "series"),
        metric.label,
        metric.value_type,
        [(year.label, year.year, year.is_draft) for year in series_years],
    )
    return series


def _recorded(value: Decimal | None) -> YearFigure:
    return YearFigure(value, "recorded" if value is not None else None)


def series_rows(series: MetricSeries) -> list[dict[str, str]]:
    """The series as CSV rows: one per figure, with codes and labels."""
    rows = []
    by_label = {year.label: year for year in series.years}
    for year in series.years:
        status = "draft" if year.is_draft else "published"
        periods = [(q, v) for q, v in zip(QUARTERS, year.quarters, strict=True) if v is not None]
        if year.year.source == "recorded":
            periods.append(("FY", year.year.value))
        for period, value in periods:
            rows.append(_row(series, year, status, period, "", value))
    for region in series.regions:
        for label, value in zip(by_label, region.values, strict=True):
            if value is not None:
                year = by_label[label]
                status = "draft" if year.is_draft else "published"
                rows.append(_row(series, year, status, "FY", region.region, value))
    return rows


CSV_COLUMNS = [
    "unit",
    "unit_name",
    "metric",
    "metric_label",
    "value_type",
    "fiscal_year",
    "period",
    "region",
    "value",
    "status",
    "release",
]


def _row(series, year, status, period, region, value) -> dict[str, str]:
    return {
        "unit": series.unit_code,
        "unit_name": series.unit_name,
        "metric": series.metric_code,
        "metric_label": series.label,
        "value_type": series.value_type,
        "fiscal_year": year.label,
        "period": period,
        "region": region,
        "value": str(plain_number(value)),
        "status": status,
        "release": str(year.release or ""),
    }
