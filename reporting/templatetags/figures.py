"""Figures as people read them, for templates: thin wrappers of
``reporting.formatting``."""

from django import template

from reporting import formatting

register = template.Library()

register.filter("figure", formatting.format_figure)
register.filter("moment", formatting.format_moment)
register.filter("person", formatting.person_name)
