"""Figures and labels as people read them, in one place.

The page (through thin template filters), the workbooks, the admin, the
findings, the entry grid and the charts all print figures with these
functions: 1,234 for counts, $1,234,567 for money (cents only when there are
any), a dash for not reported (never 0), a sign on every change.

Values are Decimals throughout; nothing here goes through a float. This
module imports nothing from reporting's models, so the models may use it.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

from units.models import Metric
from units.names import person_name

__all__ = ["person_name"]  # one helper names people; it lives in units, for its refusals

NOT_REPORTED = "—"
MINUS = "\u2212"  # a typographic minus, as wide as the plus beside it
ARROWS = {"up": "▲", "down": "▼", "level": "■"}

# Excel number formats for the report-layout workbook's cells.
COUNT_NUMBER_FORMAT = "#,##0"
# Whole dollars show no decimal point; a figure with cents shows both places
# ("#,##0.##" printed "$2,725,161." in LibreOffice and Excel).
CURRENCY_NUMBER_FORMAT = '"$"#,##0'
CURRENCY_CENTS_NUMBER_FORMAT = '"$"#,##0.00'


def format_count(value: Decimal | int) -> str:
    """1,334; a fraction keeps its digits (1,334.5), as a count should not hold one."""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"


def format_currency(value: Decimal | int) -> str:
    """$2,741,025 for whole dollars, $2,741,025.50 when there are cents."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def format_figure(value: Decimal | int | None, value_type: str = "count") -> str:
    """A figure of a metric of ``value_type``; the dash when it was not reported."""
    if value is None or value == "":
        return NOT_REPORTED
    return (
        format_currency(value) if value_type == Metric.ValueType.CURRENCY else format_count(value)
    )


def format_change(change: Decimal | None, value_type: str = "count") -> str:
    """+821 · −88 · +$1,234 · 0; blank when there is no change to show."""
    if change is None:
        return ""
    if change == 0:
        return format_figure(change, value_type)
    return _sign(change) + format_figure(abs(change), value_type)


def format_percent(percent: Decimal | None) -> str:
    """+12.5% · −3.0% · 0%; blank when the percent change means nothing."""
    if percent is None:
        return ""
    if percent == 0:
        return "0%"
    return f"{_sign(percent)}{abs(percent)}%"


# (from this largest figure, divide by, suffix, places)
CHART_SCALES = [
    (Decimal(1_000_000_000), Decimal(1_000_000_000), "B", Decimal("0.01")),
    (Decimal(1_000_000), Decimal(1_000_000), "M", Decimal("0.01")),
    (Decimal(10_000), Decimal(1_000), "K", Decimal("0.1")),
]


def format_chart_figures(values: list[Decimal | None], value_type: str = "count") -> list[str]:
    """The figures of one chart in one number format, chosen by the largest:
    $0.91M · $2.73M, or 52.9K · 218.1K, or 680 · 1,149 (whole numbers below
    10,000, dollars without cents). A chart's bars are short: the exact
    figures are in the table and in the chart's description. A dash for
    not reported."""
    reported = [v for v in values if v is not None]
    largest = max(reported, default=Decimal(0))
    prefix = "$" if value_type == Metric.ValueType.CURRENCY else ""
    for threshold, divisor, suffix, places in CHART_SCALES:
        if largest >= threshold:
            return [
                NOT_REPORTED if v is None else f"{prefix}{(v / divisor).quantize(places):,}{suffix}"
                for v in values
            ]
    return [NOT_REPORTED if v is None else f"{prefix}{v.quantize(Decimal(1)):,}" for v in values]


def plain_number(value: Decimal | None) -> int | Decimal | None:
    """A figure as a plain number for a file: 12 for a count, 1234.50 for cents."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.quantize(Decimal("0.01"))


def number_format(value_type: str, values: Iterable[Decimal | None] = ()) -> str:
    """The spreadsheet number format of cells holding figures of ``value_type``:
    money in whole dollars unless one of ``values`` (the row or column the
    format applies to) has cents."""
    if value_type != Metric.ValueType.CURRENCY:
        return COUNT_NUMBER_FORMAT
    if any(value is not None and value != value.to_integral_value() for value in values):
        return CURRENCY_CENTS_NUMBER_FORMAT
    return CURRENCY_NUMBER_FORMAT


def change_number_format(value_type: str, values: Iterable[Decimal | None] = ()) -> str:
    """The number format of a change: signed, in the figure's own format."""
    plain = number_format(value_type, values)
    return f"+{plain};-{plain};{plain}"


def direction(change: Decimal | None) -> str:
    """up, down or level: the arrow and the CSS class of a change from last year."""
    if change is None or change == 0:
        return "level"
    return "up" if change > 0 else "down"


def tone(change: Decimal | None, polarity: str = Metric.Polarity.NEITHER) -> str:
    """neutral, good or bad: the colour of a change. A direction is not a
    verdict: only a metric whose polarity is set in the admin is coloured."""
    if change is None or change == 0 or polarity == Metric.Polarity.NEITHER:
        return "neutral"
    better = change > 0 if polarity == Metric.Polarity.HIGHER_IS_BETTER else change < 0
    return "good" if better else "bad"


def format_quarters(quarters: list[str]) -> str:
    """Q1–Q2 for a run of quarters, Q3 for one, Q1, Q3 when there are gaps."""
    positions = [int(q[1]) for q in quarters]
    if len(positions) > 1 and positions == list(range(positions[0], positions[-1] + 1)):
        return f"{quarters[0]}–{quarters[-1]}"
    return ", ".join(quarters)


def arrow(change: Decimal | None) -> str:
    """▲, ▼ or ■: the sign carries the direction too, so colour only repeats it."""
    return ARROWS[direction(change)]


def format_moment(moment: datetime.datetime | None) -> str:
    """2026-12-04 21:36 MST: a time in ALERT's zone (TIME_ZONE, America/Edmonton),
    always with the zone, whatever zone the request or the database uses.

    The one way a time is written for a person to read: pages, refusals,
    emails and the API's messages (the API's machine fields stay ISO 8601)."""
    if moment is None:
        return NOT_REPORTED
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return f"{local:%Y-%m-%d %H:%M} {local:%Z}"


def figure_label(figure) -> str:
    """ICE · File intakes 2023-24 FY, then the region's name for a regional figure.

    ``figure`` is a Figure or one of its history records (both have the same
    metric, period and region).
    """
    metric, period = figure.metric, figure.period
    where = f" {figure.region.name}" if figure.region_id else ""
    return f"{metric.unit.code} · {metric.label} {period.fiscal_year.label} {period.period}{where}"


def _sign(amount: Decimal) -> str:
    return "+" if amount > 0 else MINUS
