"""Figures as people read them, for templates: thin wrappers of
``reporting.formatting``."""

from django import template

from reporting import formatting

register = template.Library()

register.filter("figure", formatting.format_figure)
register.filter("moment", formatting.format_moment)
register.filter("person", formatting.person_name)


@register.filter
def label_breaks(label: str):
    """A label that may wrap after a slash ("photos/<wbr>videos") as well as at
    spaces, so that a narrow column never breaks it inside a word."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(escape(label).replace("/", "/<wbr>"))  # noqa: S308 - escaped first
