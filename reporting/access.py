"""Who may read the annual summary, who sees its staff-only parts, and who may
change a figure.

The one place these rules live: the summary page, its downloads and the year
list use ``summary_access``; templates use ``can_see_findings``; every path
that writes a figure (admin, entry grid, services, import pipeline, API) asks
``write_refusal``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from reporting.models import Figure, FiscalYear, YearLocked
from units.models import Unit, UnitNotAssigned

# Leadership, Data entry and Administrators hold it through their groups
# (reporting.roles); superusers hold every permission.
SUMMARY_PERMISSION = "reporting.view_figure"
# Data entry and Administrators may change figures; Leadership only reads.
FINDINGS_PERMISSION = "reporting.change_figure"


def can_view_summary(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(SUMMARY_PERMISSION)


def can_see_findings(user) -> bool:
    """Staff who keep the figures (not leadership) see the data-quality findings."""
    return can_view_summary(user) and user.has_perm(FINDINGS_PERMISSION)


def summary_access(view):
    """Anonymous users are sent to log in; signed-in users without a role get 403."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not can_view_summary(request.user):
            raise PermissionDenied("You need a Leadership, Data entry or Administrators role.")
        return view(request, *args, **kwargs)

    return login_required(checked)


def write_refusal(
    user,
    figure: Figure | None = None,
    *,
    fiscal_year: FiscalYear | None = None,
    unit: Unit | None = None,
) -> YearLocked | UnitNotAssigned | None:
    """Why ``user`` may not change this figure (or this unit's figures in this
    year); None when they may.

    The one gate for writing a figure, and a year's text (narrative blocks
    and published totals, which lock with their year: pass their year and
    unit). Pass a ``figure``, or its year and unit
    (either alone asks about that part only: the import pipeline reports a
    locked year against the year's column and an unassigned unit against the
    unit's). Two rules, in this order:

    * a locked (published) year refuses everyone without
      ``reporting.change_locked_year`` (``FiscalYear.is_writable_by``);
    * a user assigned to units changes only those (``Unit.is_editable_by``,
      the catalogue's rule of assignment).

    The refusal comes back as the error a write raises, not raised:
    ``YearLocked`` (code ``locked``) or ``UnitNotAssigned`` (code
    ``unit_not_assigned``), whose ``messages[0]`` is the sentence to show. A
    service does ``if refusal: raise refusal``; the admin shows the message or
    answers False. ``user`` None (a command, the shipped dataset) is never
    limited by assignment, but cannot change a locked year.

    Model permissions (add/change/delete figure) are not part of it: the
    admin and DRF check those, the services leave them to their callers.
    """
    if figure is not None:
        fiscal_year, unit = figure.period.fiscal_year, figure.metric.unit
    try:
        if fiscal_year is not None:
            fiscal_year.ensure_writable_by(user)
        if unit is not None:
            unit.ensure_editable_by(user)
    except (YearLocked, UnitNotAssigned) as refusal:
        return refusal
    return None
