"""What the summary page shows beside the summary itself: its charts, and the
staff-only data-quality findings. Plain data built from ``build_summary``'s
result; no queries here except those of the findings module."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.text import slugify

from reporting.findings import findings_for
from reporting.formatting import (
    arrow,
    direction,
    format_change,
    format_figure,
    format_percent,
    tone,
)
from reporting.models import FiscalYear
from reporting.summary.build import (
    QUARTERS,
    AlertTotalRow,
    AnnualSummary,
    MetricRow,
    UnitSection,
    YearFigure,
)
from reporting.summary.charts import quarterly_chart, trend_chart


@dataclass
class FigureCell:
    text: str
    css: str = ""
    partial: bool = False
    revised: str = ""  # the anchor of its revision note, when a release revised it


@dataclass
class RowView:
    """A metric row with its cells already formatted: the page renders
    hundreds of cells, and formatting them here keeps the template cheap."""

    row: MetricRow
    cells: list[FigureCell]  # Q1-Q4, the year, the prior years
    change: str
    percent: str
    direction: str
    arrow: str
    tone: str  # neutral unless the metric's polarity says which way is better

    @classmethod
    def from_row(
        cls, row: MetricRow, revised: dict[str, str] | None = None, *, quarterly: bool = True
    ) -> "RowView":
        """``revised``: the anchors of this metric's revised figures by period."""
        revised = revised or {}

        def year_cell(year: YearFigure, css: str, anchor: str = "") -> FigureCell:
            return FigureCell(
                format_figure(year.value, row.value_type), css, year.is_partial, anchor
            )

        # Column classes say what a phone may fold away: the quarters and the
        # year before last (the year, last year and the change always show).
        return cls(
            row=row,
            cells=[
                FigureCell(
                    format_figure(value, row.value_type), " col-quarter", revised=revised.get(q, "")
                )
                for q, value in (zip(QUARTERS, row.quarters, strict=True) if quarterly else [])
            ]
            + [year_cell(row.year, " col-year", revised.get("FY", ""))]
            + [
                year_cell(prior, f" col-prior col-prior-{position}")
                for position, prior in enumerate(row.prior_years, start=1)
            ],
            change=format_change(row.change, row.value_type),
            percent=format_percent(row.change_percent),
            direction=direction(row.change),
            arrow=arrow(row.change),
            tone=tone(row.change, row.polarity),
        )


@dataclass
class ChartCard:
    row: MetricRow
    quarterly: SafeString | None
    trend: SafeString | None


@dataclass
class FindingLink:
    """A data-quality finding as the summary page prints it: its message,
    linked to the first figure it names."""

    message: str
    url: str | None
    unit_code: str | None


@dataclass
class UnitView:
    section: UnitSection
    rows: list[RowView]
    charts: list[ChartCard]
    findings: list[FindingLink] = field(default_factory=list)
    compares: bool = True  # the unit has last year's column, so a change to show
    # Quarter columns only where the year has a quarterly figure in this table:
    # a year published as annual totals is not four columns of dashes.
    quarterly: bool = True
    # Revised regional figures: (region, metric code) -> the revision's anchor.
    regional_revised: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def charts_caption(self) -> str:
        """What the unit's charts really show: quarters, years, or both."""
        shown = []
        if any(card.quarterly for card in self.charts):
            shown.append("by quarter")
        if any(card.trend for card in self.charts):
            shown.append("over the years shown")
        return "each metric " + " and ".join(shown)

    @property
    def regional_rows(self) -> list[tuple[str, str, list[tuple]]]:
        """Each region, the anchor of its series, and its figures with their
        value type, metric code (each figure links to the region's series) and
        the anchor of its revision note (blank unless a release revised it)."""
        regional = self.section.regional
        if regional is None:
            return []
        columns = [(column.value_type, column.metric_code) for column in regional.columns]
        return [
            (
                row.region,
                f"region-{slugify(row.region)}",
                [
                    (value, *column, self.regional_revised.get((row.region, column[1]), ""))
                    for value, column in zip(row.values, columns, strict=True)
                ],
            )
            for row in regional.rows
        ]

    @property
    def regional_totals(self) -> list[tuple]:
        regional = self.section.regional
        if regional is None:
            return []
        types = [column.value_type for column in regional.columns]
        return list(zip(regional.totals, types, strict=True))


@dataclass
class AlertTotalView:
    """An ALERT-wide total as the page prints it: each year's cell with the
    units it counts, and the change over the units reported in both years."""

    row: AlertTotalRow
    cells: list[tuple[FigureCell, str]]  # the year, the prior years; each with its units
    change: str
    percent: str
    direction: str
    arrow: str
    tone: str  # neutral unless the metrics' polarity says which way is better
    compared: str  # the units the change counts: "ICE + HTCE + CFSEU"

    @classmethod
    def from_row(cls, row: AlertTotalRow) -> "AlertTotalView":
        def counted(codes: list[str]) -> str:
            return " + ".join(codes)

        return cls(
            row=row,
            cells=[
                (
                    FigureCell(
                        format_figure(row.year.value, row.value_type),
                        " col-year",
                        row.year.is_partial,
                    ),
                    counted(row.units),
                )
            ]
            + [
                (
                    FigureCell(
                        format_figure(p.value, row.value_type),
                        f" col-prior col-prior-{n}",
                        p.is_partial,
                    ),
                    counted(units),
                )
                for n, (p, units) in enumerate(
                    zip(row.prior_years, row.prior_units, strict=True), start=1
                )
            ],
            change=format_change(row.change, row.value_type),
            percent=format_percent(row.change_percent),
            direction=direction(row.change),
            arrow=arrow(row.change),
            tone=tone(row.change, row.polarity),
            compared=counted(row.compared_units),
        )


@dataclass
class SummaryPage:
    units: list[UnitView]
    findings: list[FindingLink] | None  # None: the viewer does not see findings
    general_findings: list[FindingLink]
    alert_totals: list[AlertTotalView] = field(default_factory=list)

    @classmethod
    def from_summary(
        cls,
        summary: AnnualSummary,
        *,
        findings: list[FindingLink] | None = None,
        revised: dict[tuple[str, str, str, str], str] | None = None,
    ) -> "SummaryPage":
        """``revised``: anchors of the year's revised figures by (unit, metric,
        period, region) (a published page marks those cells)."""
        revised = revised or {}
        by_metric: dict[tuple[str, str], dict[str, str]] = {}
        by_region: dict[str, dict[tuple[str, str], str]] = {}
        for (unit, metric, period, region), anchor in revised.items():
            if region:
                by_region.setdefault(unit, {})[(region, metric)] = anchor
            else:
                by_metric.setdefault((unit, metric), {})[period] = anchor
        units = []
        placed = set()
        for section in summary.units:
            charts = [
                card
                for card in (
                    ChartCard(
                        row=row,
                        quarterly=quarterly_chart(section.code, row, summary.fiscal_year),
                        trend=trend_chart(
                            section.code, row, summary.fiscal_year, section.prior_years
                        ),
                    )
                    for row in section.rows
                )
                if card.quarterly or card.trend  # an empty chart is not drawn
            ]
            mine = [f for f in findings or [] if f.unit_code == section.code]
            quarterly = reports_quarters(section)
            placed.update(id(f) for f in mine)
            units.append(
                UnitView(
                    section=section,
                    rows=[
                        RowView.from_row(
                            row, by_metric.get((section.code, row.code)), quarterly=quarterly
                        )
                        for row in section.rows
                    ],
                    charts=charts,
                    findings=mine,
                    compares=bool(summary.prior_years)
                    and section.prior_years[:1] == summary.prior_years[:1],
                    quarterly=quarterly,
                    regional_revised=by_region.get(section.code, {}),
                )
            )
        general = [f for f in findings or [] if id(f) not in placed]
        totals = summary.alert_totals.rows if summary.alert_totals else []
        return cls(
            units=units,
            findings=findings,
            general_findings=general,
            alert_totals=[AlertTotalView.from_row(row) for row in totals],
        )


def reports_quarters(section: UnitSection) -> bool:
    """Whether any row of the unit's table has a quarterly figure in the year."""
    return any(value is not None for row in section.rows for value in row.quarters)


def staff_findings(fiscal_year: str, user) -> list[FindingLink]:
    """The year's data-quality findings ``user`` may read (their units'), as
    the page prints them for staff.

    A figure's internal note is never printed on the report, for anyone: its
    finding (``source-note``) says only that there is one, and links to the
    figure in the admin, where it is read.
    """
    return [
        FindingLink(
            message=(
                f"{item.figures[0].label} has an internal note: read it in the admin."
                if item.kind == "source-note" and item.figures
                else item.message
            ),
            url=item.figures[0].url if item.figures else None,
            unit_code=item.unit_code,
        )
        for item in findings_for(user, FiscalYear.objects.get(label=fiscal_year))
    ]
