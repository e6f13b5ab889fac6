"""The admin home: what awaits the person in the reporting cycle, then the
work, then the technical models under "System"."""

from django import template

from reporting.cycle import build_board
from reporting.models import UnitQuarter

register = template.Library()

# Models kept for the system's own workings, listed under "System" (and only
# to people whose permissions show them: administrators).
SYSTEM_APPS = {"axes", "authtoken"}
SYSTEM_MODELS = {("auth", "group"), ("reporting", "reportingperiod")}


def _is_system(app_label: str, model_name: str) -> bool:
    return app_label in SYSTEM_APPS or (app_label, model_name) in SYSTEM_MODELS


@register.simple_tag
def split_system(app_list: list[dict]) -> tuple[list[dict], list[dict]]:
    """The admin's app list as (the work's apps, the system's apps)."""
    work, system = [], []
    for app in app_list:
        mine = [
            m for m in app["models"] if not _is_system(app["app_label"], m["object_name"].lower())
        ]
        theirs = [
            m for m in app["models"] if _is_system(app["app_label"], m["object_name"].lower())
        ]
        if mine:
            work.append({**app, "models": mine})
        if theirs:
            system.append({**app, "models": theirs})
    return work, system


@register.inclusion_tag("admin/reporting/awaiting.html", takes_context=True)
def cycle_awaiting(context) -> dict:
    """The unit-quarters that wait on this person: to submit, returned to
    correct (or, for an administrator, waiting on the clerks), to approve —
    read from the board, so the states and steps are the board's own."""
    user = context["request"].user
    to_submit, returned, to_approve = [], [], []
    for board in build_board(user):
        for row in board.rows:
            for cell in row.cells:
                if cell.state == UnitQuarter.State.RETURNED:
                    returned.append(cell)
                elif "submit" in cell.actions:
                    to_submit.append(cell)
                if "approve" in cell.actions:
                    to_approve.append(cell)
    return {"to_submit": to_submit, "returned": returned, "to_approve": to_approve}
