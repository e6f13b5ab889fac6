"""How the summary page prints a change from last year: the sign and an arrow
carry the direction (colour only repeats it)."""

from decimal import Decimal

from django import template

from reporting.templatetags.figures import figure

register = template.Library()

MINUS = "\u2212"


@register.filter
def signed_figure(change: Decimal | None, value_type: str = "count") -> str:
    """+821 · −88 · +$1,234 · 0; blank when there is no change to show."""
    if change is None:
        return ""
    if change == 0:
        return figure(change, value_type)
    sign = "+" if change > 0 else MINUS
    return sign + figure(abs(change), value_type)


@register.filter
def signed_percent(percent: Decimal | None) -> str:
    if percent is None:
        return ""
    if percent == 0:
        return "0%"
    sign = "+" if percent > 0 else MINUS
    return f"{sign}{abs(percent)}%"


@register.filter
def direction(change: Decimal | None) -> str:
    """up, down or level, for the arrow and the CSS class."""
    if change is None or change == 0:
        return "level"
    return "up" if change > 0 else "down"
