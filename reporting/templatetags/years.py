"""The "open the next fiscal year" panel of the admin home and the grid picker."""

from django import template

from reporting.years import may_open_years, next_year_to_open

register = template.Library()


@register.inclusion_tag("admin/reporting/open_year.html", takes_context=True)
def open_year_panel(context, next_url: str = "") -> dict:
    """The next year to open and its button, for those who may open it (an
    administrators' notice: nobody else is shown it)."""
    request = context["request"]
    label = next_year_to_open() if may_open_years(request.user) else None
    return {
        "label": label,
        "next_url": next_url or request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
