"""The one validation of a figure: what is accepted, what is refused, and why."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reporting.validation import parse_value

COUNT, CURRENCY = "count", "currency"


@pytest.mark.parametrize(
    ("raw", "value_type", "expected"),
    [
        ("2725161", CURRENCY, Decimal("2725161.00")),
        ("2,725,161", CURRENCY, Decimal("2725161.00")),
        ("$2,725,161", CURRENCY, Decimal("2725161.00")),
        (" $906,814 ", CURRENCY, Decimal("906814.00")),
        ("1234.5", CURRENCY, Decimal("1234.50")),
        (1234.56, CURRENCY, Decimal("1234.56")),
        ("12", COUNT, Decimal(12)),
        (12, COUNT, Decimal(12)),
        (12.0, COUNT, Decimal(12)),
        ("0", COUNT, Decimal(0)),
        ("1,149", COUNT, Decimal(1149)),
    ],
)
def test_accepted_figures(raw, value_type, expected):
    assert parse_value(raw, value_type) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—"])
def test_blank_means_not_reported_never_zero(raw):
    assert parse_value(raw, COUNT) is None


@pytest.mark.parametrize(
    ("raw", "value_type", "words"),
    [
        ("$2,741025", CURRENCY, "thousands separators in the wrong places"),
        ("12,34", COUNT, "thousands separators in the wrong places"),
        ("twelve", COUNT, "is not a number"),
        ("12.5", COUNT, "not a whole number"),
        (12.5, COUNT, "not a whole number"),
        ("-4", COUNT, "negative"),
        ("$-4", CURRENCY, "negative"),
        ("12.345", CURRENCY, "fractions of a cent"),
        ("1e5", COUNT, "is not a number"),
        ("NaN", COUNT, "is not a number"),
        (float("inf"), COUNT, "is not a number"),
        (True, COUNT, "is not a number"),
    ],
)
def test_refused_figures_say_why(raw, value_type, words):
    with pytest.raises(ValidationError) as caught:
        parse_value(raw, value_type)
    assert words in caught.value.messages[0]
