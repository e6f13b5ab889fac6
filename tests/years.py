"""Many fiscal years of figures, for the query-count tests and the benchmark."""

from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from reporting.models import Figure, FiscalYear, ReportingPeriod
from reporting.services import create_fiscal_year
from units.models import Metric, Region


def load_years(count: int) -> None:
    """Give every active metric a figure for each quarter, the year and each
    regional metric's regions, in ``count`` fiscal years ending with 2023-24."""
    first = 2023 - count + 1
    known = set(FiscalYear.objects.values_list("start_year", flat=True))
    for start_year in range(first, 2024):
        if start_year not in known:
            create_fiscal_year(label=FiscalYear.label_for(start_year))
    years = list(FiscalYear.objects.filter(start_year__gte=first))
    periods = list(ReportingPeriod.objects.filter(fiscal_year__in=years))
    metrics = list(Metric.objects.active())
    regions = list(Region.objects.all())
    existing = set(Figure.objects.values_list("metric_id", "period_id", "region_id"))
    figures = []
    for period in periods:
        for metric in metrics:
            targets = [None] + (regions if metric.regional_label and period.is_full_year else [])
            for region in targets:
                key = (metric.pk, period.pk, region.pk if region else None)
                if key not in existing:
                    figures.append(
                        Figure(metric=metric, period=period, region=region, value=Decimal(7))
                    )
    bulk_create_with_history(figures, Figure, batch_size=1000)
