"""What the figure form shows around a figure: the same metric's other periods
in the unit-year (Q1-Q4 and the full year, unit-wide or the same region), and
the findings that name it."""

from dataclasses import dataclass

from django.urls import reverse

from reporting.findings import DataQualityFinding, figure_findings
from reporting.formatting import NOT_REPORTED, format_figure
from reporting.models import Figure, ReportingPeriod


@dataclass(frozen=True)
class PeriodCell:
    period: str
    value: str  # formatted as in the report; a dash when not reported
    url: str | None  # the figure's own page, None when not reported
    is_this_figure: bool


def unit_year_periods(figure: Figure) -> list[PeriodCell]:
    """The metric's Q1-Q4 and FY in the figure's year (and region), in one query."""
    on_record = {
        other.period.period: other
        for other in Figure.objects.filter(
            metric_id=figure.metric_id,
            period__fiscal_year_id=figure.period.fiscal_year_id,
            region_id=figure.region_id,
        ).select_related("period")
    }
    cells = []
    for period in [*ReportingPeriod.QUARTERS, "FY"]:
        other = on_record.get(period)
        cells.append(
            PeriodCell(
                period=period,
                value=format_figure(other.value, figure.metric.value_type)
                if other
                else NOT_REPORTED,
                url=reverse("admin:reporting_figure_change", args=[other.pk]) if other else None,
                is_this_figure=other is not None and other.pk == figure.pk,
            )
        )
    return cells


def figure_context(figure: Figure) -> dict[str, list[PeriodCell] | list[DataQualityFinding]]:
    return {
        "unit_year_periods": unit_year_periods(figure),
        "figure_findings": figure_findings(figure),
    }
