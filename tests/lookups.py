"""Records of the shipped dataset by their natural keys."""

from reporting.models import Figure, ReportingPeriod
from units.models import Metric


def figure_of(unit: str, metric: str, period: str, year: str = "2023-24", region=None) -> Figure:
    return Figure.objects.get(
        metric__unit__code=unit,
        metric__code=metric,
        period__fiscal_year__label=year,
        period__period=period,
        **({"region__name": region} if region else {"region__isnull": True}),
    )


def period_of(period: str, year: str = "2023-24") -> ReportingPeriod:
    return ReportingPeriod.objects.get(fiscal_year__label=year, period=period)


def metric_of(unit: str, code: str) -> Metric:
    return Metric.objects.select_related("unit").get(unit__code=unit, code=code)
