"""The database holds the records' rules, not only the forms."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reporting.models import Figure, FiscalYear, ImportBatch, ReportingPeriod
from reporting.services import create_fiscal_year
from units.models import Metric, Region, Unit


@pytest.fixture
def setting(db):
    unit = Unit.objects.create(code="ICE", name="Internet Child Exploitation", program="Kids")
    count = Metric.objects.create(unit=unit, code="file-intakes", label="File intakes")
    money = Metric.objects.create(
        unit=unit, code="proceeds", label="Proceeds", value_type=Metric.ValueType.CURRENCY
    )
    year = create_fiscal_year(label="2023-24")
    q1 = ReportingPeriod.objects.get(fiscal_year=year, period="Q1")
    region = Region.objects.create(name="Calgary")
    return {"count": count, "money": money, "year": year, "q1": q1, "region": region}


def test_second_unit_wide_value_for_same_metric_and_period_is_refused(setting):
    Figure.objects.create(metric=setting["count"], period=setting["q1"], value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(metric=setting["count"], period=setting["q1"], value=2)


def test_second_regional_value_for_same_metric_period_and_region_is_refused(setting):
    Figure.objects.create(
        metric=setting["count"], period=setting["q1"], region=setting["region"], value=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(
            metric=setting["count"], period=setting["q1"], region=setting["region"], value=2
        )


def test_unit_wide_and_regional_values_of_the_same_metric_coexist(setting):
    Figure.objects.create(metric=setting["count"], period=setting["q1"], value=10)
    Figure.objects.create(
        metric=setting["count"], period=setting["q1"], region=setting["region"], value=4
    )
    assert Figure.objects.count() == 2


def test_negative_value_is_refused_by_the_database(setting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(metric=setting["count"], period=setting["q1"], value=-1)


def test_negative_value_is_refused_by_validation(setting):
    figure = Figure(metric=setting["count"], period=setting["q1"], value=Decimal(-3))
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    assert "negative" in str(caught.value)


def test_fractional_count_is_refused(setting):
    figure = Figure(metric=setting["count"], period=setting["q1"], value=Decimal("12.5"))
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    assert "not a whole number" in str(caught.value)


def test_currency_keeps_cents_exactly(setting):
    figure = Figure(metric=setting["money"], period=setting["q1"], value=Decimal("1234.56"))
    figure.full_clean()
    figure.save()
    figure.refresh_from_db()
    assert figure.value == Decimal("1234.56")


@pytest.mark.parametrize("label", ["2023-25", "2023/24", "23-24", "2023-2024", "abcd-ef"])
def test_malformed_fiscal_year_label_is_refused_by_validation(db, label):
    with pytest.raises(ValidationError):
        FiscalYear(label=label).full_clean()


@pytest.mark.parametrize("label", ["2023-25", "2023/24", "23-24"])
def test_malformed_fiscal_year_label_is_refused_by_the_database(db, label):
    with pytest.raises(IntegrityError), transaction.atomic():
        FiscalYear.objects.create(label=label, start_year=2023)


def test_fiscal_year_runs_april_to_march(db):
    year = FiscalYear.objects.create(label="2023-24")
    assert year.start_year == 2023
    assert (str(year.start_date), str(year.end_date)) == ("2023-04-01", "2024-03-31")


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("Q1", "2023-04-01", "2023-06-30"),
        ("Q2", "2023-07-01", "2023-09-30"),
        ("Q3", "2023-10-01", "2023-12-31"),
        ("Q4", "2024-01-01", "2024-03-31"),
        ("FY", "2023-04-01", "2024-03-31"),
    ],
)
def test_period_date_ranges(db, period, start, end):
    year = FiscalYear.objects.create(label="2023-24")
    dates = ReportingPeriod(fiscal_year=year, period=period).date_range()
    assert (str(dates[0]), str(dates[1])) == (start, end)


def test_quarter_five_is_refused_by_the_database(db):
    year = FiscalYear.objects.create(label="2023-24")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(fiscal_year=year, period="Q5")


def test_a_year_has_one_period_of_each_kind(db):
    year = FiscalYear.objects.create(label="2023-24")
    ReportingPeriod.objects.create(fiscal_year=year, period="Q1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(fiscal_year=year, period="Q1")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("status", "done", "reporting_importbatch_status_valid"),
        ("layout", "wide", "reporting_importbatch_layout_valid"),
        ("source", "email", "reporting_importbatch_source_valid"),
    ],
)
def test_an_import_batch_records_only_known_statuses_layouts_and_sources(
    db, field, value, constraint
):
    batch = {"file_name": "q1.csv", "status": ImportBatch.Status.CONFIRMED, field: value}
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        ImportBatch.objects.create(**batch)
