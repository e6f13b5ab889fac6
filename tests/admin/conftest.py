"""Helpers for the admin tests: figures by their natural keys, a locked year."""

import pytest

from reporting.models import Figure, FiscalYear, ReportingPeriod
from tests.years import publish
from units.models import Metric, Unit


def figure_of(unit: str, metric: str, period: str, year: str = "2023-24", region=None):
    return (
        Figure.objects.get(
            metric__unit__code=unit,
            metric__code=metric,
            period__fiscal_year__label=year,
            period__period=period,
            region__name=region,
        )
        if region
        else Figure.objects.get(
            metric__unit__code=unit,
            metric__code=metric,
            period__fiscal_year__label=year,
            period__period=period,
            region__isnull=True,
        )
    )


def period_of(period: str, year: str = "2023-24") -> ReportingPeriod:
    return ReportingPeriod.objects.get(fiscal_year__label=year, period=period)


def metric_of(unit: str, code: str) -> Metric:
    return Metric.objects.select_related("unit").get(unit__code=unit, code=code)


@pytest.fixture
def year(dataset) -> FiscalYear:
    return FiscalYear.objects.get(label="2023-24")


@pytest.fixture
def locked_year(year, administrator) -> FiscalYear:
    publish(year, user=administrator)
    year.refresh_from_db()
    return year


@pytest.fixture
def ice(dataset) -> Unit:
    return Unit.objects.get(code="ICE")


@pytest.fixture
def cfseu(dataset) -> Unit:
    return Unit.objects.get(code="CFSEU")
