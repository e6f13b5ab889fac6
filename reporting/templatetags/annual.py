"""How the summary page prints a change from last year, for templates: thin
wrappers of ``reporting.formatting``."""

import datetime

from django import template
from django.utils import timezone

from reporting import formatting

register = template.Library()

register.filter("signed_figure", formatting.format_change)
register.filter("signed_percent", formatting.format_percent)
register.filter("direction", formatting.direction)
register.filter("arrow", formatting.arrow)


@register.filter
def markdown(text: str):
    """A narrative block's Markdown, rendered and sanitised (reporting.narrative)."""
    from reporting.narrative import render_markdown

    return render_markdown(text)


@register.filter
def duration_words(delta: datetime.timedelta) -> str:
    """1 hour · 2 hours · 30 minutes · 1 hour 30 minutes."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not parts:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def time_from_now(delta: datetime.timedelta) -> str:
    """The time ``delta`` from now as people read times here: 2026-12-04 14:35 MST."""
    return formatting.format_moment(timezone.now() + delta)


register.filter("tone", formatting.tone)


@register.filter
def web_address(url: str) -> str:
    """A page's address as a reader would type it (host and path, no scheme),
    printed beside a "Learn more" link so that paper readers have it too."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/") + (f"?{parts.query}" if parts.query else "")
