"""Many fiscal years of figures, for the query-count tests and the benchmark."""

from decimal import Decimal

from reporting.models import FiscalYear, MetricValue, ReportingPeriod
from units.models import Metric, Region


def load_years(count: int) -> None:
    """Give every active metric a figure for each quarter, the year and each
    regional metric's regions, in ``count`` fiscal years ending with 2023-24."""
    first = 2023 - count + 1
    FiscalYear.objects.bulk_create(
        [FiscalYear(label=FiscalYear.label_for(y), start_year=y) for y in range(first, 2024)],
        ignore_conflicts=True,
    )
    years = list(FiscalYear.objects.filter(start_year__gte=first))
    ReportingPeriod.objects.ensure_for(years)
    periods = list(ReportingPeriod.objects.filter(fiscal_year__in=years))
    metrics = list(Metric.objects.active())
    regions = list(Region.objects.all())
    existing = set(MetricValue.objects.values_list("metric_id", "period_id", "region_id"))
    figures = []
    for period in periods:
        for metric in metrics:
            targets = [None] + (regions if metric.regional_label and period.is_full_year else [])
            for region in targets:
                key = (metric.pk, period.pk, region.pk if region else None)
                if key not in existing:
                    figures.append(
                        MetricValue(metric=metric, period=period, region=region, value=Decimal(7))
                    )
    MetricValue.objects.bulk_create(figures)
