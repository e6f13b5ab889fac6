"""Figures as people read them: 1,234 for counts, $1,234,567 for money, a dash
for not reported (never 0)."""

from decimal import Decimal

from django import template

register = template.Library()

NOT_REPORTED = "—"


@register.filter
def figure(value: Decimal | int | None, value_type: str = "count") -> str:
    if value is None or value == "":
        return NOT_REPORTED
    value = Decimal(value)
    if value_type == "currency":
        if value == value.to_integral_value():
            return f"${value:,.0f}"
        return f"${value:,.2f}"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"
