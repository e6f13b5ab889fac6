"""The one validation of a figure, used by every entry path.

The admin, the entry grid, the importer and the API all turn what a person
typed (or a spreadsheet held) into a stored value through ``parse_value``:
counts are whole numbers, currency is exact to the cent, nothing is negative,
and a blank means *not reported* (``None``), never 0.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from units.models import Metric

# Plain digits, or digits grouped by commas in threes; optional cents.
_PLAIN = re.compile(r"^\d+(\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
# The largest figure: 15 significant digits, the most that SQLite (which keeps
# a decimal column as an 8-byte float) and a spreadsheet's number cell hold
# exactly. The column (16 digits) is wider; 99,999,999,999,999.99 would come
# back from SQLite as ...98 and break every read of it.
MAX_VALUE = Decimal("9999999999999.99")


def parse_value(raw: object, value_type: str) -> Decimal | None:
    """Return the figure ``raw`` stands for, or None when it is blank.

    Accepts ``2725161``, ``2,725,161``, ``$2,725,161`` and numbers from a
    spreadsheet; rejects text, misplaced separators (``$2,741025``),
    negatives, fractions of a count and fractions of a cent, with a message
    that says how to write the figure instead.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError(f"“{raw}” is not a number.", code="not_a_number")
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        # repr gives the shortest text that reads back as the same float,
        # so a spreadsheet's 1234.56 stays 1234.56 and not 1234.5599999...
        number = Decimal(repr(raw))
    else:
        number = _parse_text(str(raw))
        if number is None:
            return None
    if not number.is_finite():
        raise ValidationError(f"“{raw}” is not a number.", code="not_a_number")
    return _check_number(number, value_type, raw)


def _parse_text(text: str) -> Decimal | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text in {"", "-", "—", "–"}:
        return None
    negative = False
    if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
        negative = True
        text = text.lstrip("-").strip("()")
    if text.startswith("$"):
        text = text[1:]
    elif text.upper().startswith("CAD"):
        text = text[3:]
    if text.startswith("-"):
        negative = True
        text = text[1:]
    if not (_PLAIN.match(text) or _GROUPED.match(text)):
        if re.fullmatch(r"[\d,]+(\.\d+)?", text):
            raise ValidationError(
                f"“{text}” has its thousands separators in the wrong places. "
                "Write the amount with no separators (2741025) or with a comma every "
                "three digits (2,741,025).",
                code="misplaced_separator",
            )
        raise ValidationError(
            f"“{text}” is not a number. Write digits only, for example 1234 or $1,234.",
            code="not_a_number",
        )
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the patterns above exclude it
        raise ValidationError(f"“{text}” is not a number.", code="not_a_number") from exc
    return -number if negative else number


def _check_number(number: Decimal, value_type: str, raw: object) -> Decimal:
    if number < 0:
        raise ValidationError(
            f"{raw} is negative: figures are counts or amounts and cannot be below 0.",
            code="negative",
        )
    if number > MAX_VALUE:
        raise ValidationError(
            f"{raw} is larger than any figure this system holds.", code="too_large"
        )
    if value_type == Metric.ValueType.COUNT:
        if number != number.to_integral_value():
            raise ValidationError(
                f"{raw} is not a whole number: this metric is a count. "
                "Enter a whole number such as 12.",
                code="fractional_count",
            )
        return number.quantize(Decimal(1))
    if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):
        raise ValidationError(
            f"{raw} has fractions of a cent: amounts are recorded to the cent "
            "(at most two decimal places).",
            code="fraction_of_cent",
        )
    return number.quantize(Decimal("0.01"))


def validate_for_metric(value: object, metric: Metric) -> Decimal:
    """parse_value for a figure that must be present (a stored value)."""
    number = parse_value(value, metric.value_type)
    if number is None:
        raise ValidationError("Enter a figure, or leave the figure out if it was not reported.")
    return number
