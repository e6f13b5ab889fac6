"""The "open the next fiscal year" panel of the admin home and the grid picker."""

from django import template

from reporting.years import may_open_years, next_year_to_open, year_openers

register = template.Library()


@register.inclusion_tag("admin/reporting/open_year.html", takes_context=True)
def open_year_panel(context, next_url: str = "") -> dict:
    """Administrators get the button; everyone else, who can press it."""
    request = context["request"]
    label = next_year_to_open()
    allowed = label is not None and may_open_years(request.user)
    return {
        "label": label,
        "may_open": allowed,
        "openers": [] if label is None or allowed else year_openers(),
        "next_url": next_url or request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
