"""The catalogue's rules are the database's: units, metrics and regions."""

import pytest
from django.db import IntegrityError, transaction

from units.models import Metric, Region, Unit


@pytest.fixture
def unit(db) -> Unit:
    return Unit.objects.create(code="ICE", name="Internet Child Exploitation", program="Kids")


def test_metric_code_is_unique_within_its_unit(unit):
    Metric.objects.create(unit=unit, code="file-intakes", label="File intakes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Metric.objects.create(unit=unit, code="file-intakes", label="Again")


def test_the_same_metric_code_may_serve_two_units(unit):
    other = Unit.objects.create(code="HTCE", name="Human Trafficking", program="Trafficking")
    Metric.objects.create(unit=unit, code="charges-laid", label="Charges laid")
    Metric.objects.create(unit=other, code="charges-laid", label="Charges laid")
    assert Metric.objects.filter(code="charges-laid").count() == 2


def test_region_names_are_unique(db):
    Region.objects.create(name="Calgary")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="Calgary")
