"""Many fiscal years of figures, for the query-count tests and the benchmark."""

from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from reporting.findings import Severity, year_findings
from reporting.models import Figure, FiscalYear, Release, ReportingPeriod
from reporting.publication import finding_key
from reporting.services import create_fiscal_year, publish_year
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


def publish(fiscal_year: FiscalYear | str, *, user=None, reason: str = "") -> Release:
    """Publish a year as an administrator does, through ``publish_year``: its
    errors and any incompleteness acknowledged (the tests' years carry the
    report's own), a reason given when it is a republication."""
    if isinstance(fiscal_year, str):
        fiscal_year = FiscalYear.objects.get(label=fiscal_year)
    acknowledged = {
        finding_key(finding): "Acknowledged in the test."
        for finding in year_findings(fiscal_year)
        if finding.severity == Severity.ERROR
    }
    if not reason and Release.objects.filter(fiscal_year=fiscal_year).exists():
        reason = "Republished in the test."
    return publish_year(
        fiscal_year=fiscal_year,
        user=user,
        reason=reason,
        acknowledgements=acknowledged,
        incomplete_reason="Published incomplete in the test.",
    )
