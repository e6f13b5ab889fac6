"""The single-figure write services: validation, locking, history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reporting import services
from reporting.importing.longform import LongFormRow
from reporting.models import Figure, FiscalYear, ReportingPeriod, YearLocked
from tests.years import publish
from units.models import Metric


@pytest.fixture
def q1(dataset):
    return ReportingPeriod.objects.get(fiscal_year__label="2023-24", period="Q1")


@pytest.fixture
def intakes(dataset):
    return Metric.objects.get(unit__code="ICE", code="file-intakes")


def test_record_value_changes_a_figure_and_keeps_its_history(q1, intakes, clerk):
    figure = services.record_figure(
        metric=intakes, period=q1, value="1,681", user=clerk, source="admin"
    )
    assert figure.value == Decimal(1681)
    latest, previous = figure.history.all()[:2]
    assert (previous.value, latest.value) == (Decimal(680), Decimal(1681))
    assert latest.history_user == clerk
    assert latest.history_change_reason == "admin"


def test_record_value_refuses_a_fraction_of_a_count(q1, intakes, clerk):
    with pytest.raises(ValidationError, match="not a whole number"):
        services.record_figure(metric=intakes, period=q1, value="12.5", user=clerk)
    assert Figure.objects.get(metric=intakes, period=q1).value == Decimal(680)


def test_a_published_year_refuses_everyone_and_says_how_to_correct_it(
    q1, intakes, administrator, clerk
):
    publish("2023-24", user=administrator)
    for user in (clerk, administrator, None):
        with pytest.raises(YearLocked, match="was published .* Prepare a correction"):
            services.record_figure(metric=intakes, period=q1, value=1, user=user)
        figure = Figure.objects.get(metric=intakes, period=q1)
        with pytest.raises(YearLocked):
            services.delete_figure(figure=figure, user=user)
    assert Figure.objects.get(metric=intakes, period=q1).value == Decimal(680)


def test_a_correction_being_prepared_opens_the_records(q1, intakes, administrator, clerk):
    year = FiscalYear.objects.get(label="2023-24")
    publish(year, user=administrator)
    with pytest.raises(PermissionDenied):
        services.prepare_correction(fiscal_year=year, user=clerk, reason="Q1 mistyped")
    services.prepare_correction(fiscal_year=year, user=administrator, reason="Q1 mistyped")
    services.record_figure(metric=intakes, period=q1, value=681, user=clerk)
    assert Figure.objects.get(metric=intakes, period=q1).value == Decimal(681)


def test_publishing_is_recorded_in_the_years_history(dataset, clerk, administrator):
    year = FiscalYear.objects.get(label="2023-24")
    with pytest.raises(PermissionDenied):
        publish(year, user=clerk)
    publish(year, user=administrator)
    record = year.history.first()
    assert (record.status, record.history_user, record.history_change_reason) == (
        "locked",
        administrator,
        "published (release 1): First publication",
    )


def test_delete_value_leaves_not_reported_with_history(q1, intakes, clerk):
    figure = Figure.objects.get(metric=intakes, period=q1)
    figure_id = figure.pk
    services.delete_figure(figure=figure, user=clerk, source="admin")
    assert not Figure.objects.filter(metric=intakes, period=q1).exists()
    last = Figure.history.filter(id=figure_id).first()
    assert (last.history_type, last.history_user) == ("-", clerk)


def test_create_figure_names_a_new_figure_by_its_natural_keys(dataset, clerk):
    row = LongFormRow(
        number=1, unit="ice", metric="file-intakes", fiscal_year="2022-23", period="Q1", value="7"
    )
    figure = services.create_figure(row=row, user=clerk, source="api")
    assert (figure.metric.code, str(figure.period), figure.region, figure.value) == (
        "file-intakes",
        str(ReportingPeriod.objects.get(fiscal_year__label="2022-23", period="Q1")),
        None,
        Decimal(7),
    )
    assert figure.history.get().history_user == clerk


def test_create_figure_explains_unknown_keys_as_the_importer_does(dataset, clerk):
    row = LongFormRow(
        number=1, unit="ICE", metric="file-intake", fiscal_year="2022-23", period="Q1", value="7"
    )
    with pytest.raises(ValidationError) as refused:
        services.create_figure(row=row, user=clerk)
    assert "Did you mean “file-intakes”?" in refused.value.message_dict["metric"][0]


def test_create_figure_refuses_a_figure_already_on_record(q1, intakes, clerk):
    existing = Figure.objects.get(metric=intakes, period=q1, region=None)
    row = LongFormRow(
        number=1, unit="ICE", metric="file-intakes", fiscal_year="2023-24", period="Q1", value="7"
    )
    with pytest.raises(ValidationError, match=f"already on record \\(id {existing.pk}\\)"):
        services.create_figure(row=row, user=clerk)
    existing.refresh_from_db()
    assert existing.value == Decimal(680)
