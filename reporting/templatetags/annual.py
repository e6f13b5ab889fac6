"""How the summary page prints a change from last year, for templates: thin
wrappers of ``reporting.formatting``."""

from django import template

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
