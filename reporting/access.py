"""Who may read the annual summary, who sees its staff-only parts, and who may
change a figure.

The one place these rules live: the summary page, its downloads and the year
list use ``summary_access`` and ``readable_years``; templates use
``can_see_findings``; every path that writes a figure (admin, entry grid,
services, import pipeline, API) asks ``write_refusal``.

Reading: a signed-in user with a role reads every year, drafts included.
With ``ALERT_PUBLIC_REPORTS`` on, anyone else reads the published years only,
without the staff panel or internal notes (``is_public_reader``).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reporting.models import Figure, FiscalYear, QuarterFrozen, YearLocked
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


def public_reports() -> bool:
    return settings.ALERT_PUBLIC_REPORTS


def is_public_reader(user) -> bool:
    """Someone reading without a role, as the public may when public reports are on."""
    return not can_view_summary(user)


def readable_years(user):
    """The fiscal years ``user`` may read: all for a role, the published ones for
    the public (when public reports are on), none otherwise."""
    if can_view_summary(user):
        return FiscalYear.objects.all()
    if public_reports():
        return FiscalYear.objects.published()
    return FiscalYear.objects.none()


def summary_access(view):
    """Anonymous users are sent to log in (unless public reports are on: then the
    view shows published years only); signed-in users without a role get 403."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not can_view_summary(request.user):
            if public_reports():
                return view(request, *args, **kwargs)
            raise PermissionDenied("You need a Leadership, Data entry or Administrators role.")
        return view(request, *args, **kwargs)

    @wraps(view)
    def gate(request, *args, **kwargs):
        if public_reports() or request.user.is_authenticated:
            return checked(request, *args, **kwargs)
        return login_required(checked)(request, *args, **kwargs)

    return gate


def readable_year(view):
    """The summary's pages of one year: ``summary_access`` first, then the year
    of the URL's ``fiscal_year``, with its newest release
    (``FiscalYearQuerySet.with_newest_release``), passed to the view in its
    place. A year this reader may not read answers 404 as a year that does
    not exist does (an anonymous reader cannot tell a draft from nothing)."""

    @summary_access
    @wraps(view)
    def resolved(request, fiscal_year: str, *args, **kwargs):
        year = readable_years(request.user).with_newest_release().filter(label=fiscal_year).first()
        if year is None:
            raise Http404(f"There is no fiscal year {fiscal_year} to read.")
        return view(request, year, *args, **kwargs)

    return resolved


# Importing adds and changes figures: the admin's import, the API's bulk
# upsert and ``import_values --user`` ask for both.
IMPORT_PERMISSIONS = ("reporting.add_figure", "reporting.change_figure")


def may_import(user) -> bool:
    """Whether ``user`` may import figures at all (Administrators and Data
    entry); each row is then asked ``write_refusal`` (their units, open years)."""
    return user.is_active and user.has_perms(IMPORT_PERMISSIONS)


def write_refusal(
    user,
    figure: Figure | None = None,
    *,
    fiscal_year: FiscalYear | None = None,
    unit: Unit | None = None,
    period: str | None = None,
) -> YearLocked | UnitNotAssigned | QuarterFrozen | None:
    """Why ``user`` may not change this figure (or this unit's figures in this
    year, or in this period of it); None when they may.

    The one gate for writing a figure, and a year's text (narrative blocks
    and published totals, which lock with their year: pass their year and
    unit). Pass a ``figure``, or its year, unit
    and period code (``Q1``..``Q4``, ``FY``); a part left out is not asked
    about (the import pipeline reports a locked year against the year's
    column and an unassigned unit against the unit's). Three rules, in this
    order:

    * a published year refuses everyone, administrators and commands
      included, until a correction of it is prepared
      (``FiscalYear.is_writable_by``; the message says how to correct it);
    * a user assigned to units changes only those (``Unit.is_editable_by``,
      the catalogue's rule of assignment);
    * a submitted or approved unit-quarter refuses everyone without
      ``reporting.change_approved_quarter`` (administrators correct it, with
      history; clerks wait for a return or ask for a reopen); a full-year
      figure belongs to Q4 (``FiscalYear.ensure_quarter_writable_by``). Asked
      only when the year, the unit and the period are all known.

    The refusal comes back as the error a write raises, not raised:
    ``YearLocked`` (code ``locked``), ``UnitNotAssigned`` (code
    ``unit_not_assigned``) or a ``QuarterFrozen``: ``QuarterSubmitted`` (code
    ``quarter_submitted``) or ``QuarterApproved`` (code ``quarter_approved``),
    whose ``messages[0]`` is the sentence to show. A service does ``if
    refusal: raise refusal``; the admin shows the message or answers False.
    ``user`` None (a command, the shipped dataset) is never limited by
    assignment, but cannot change a published year or a frozen quarter.

    Model permissions (add/change/delete figure) are not part of it: the
    admin and DRF check those, the services leave them to their callers.
    """
    if figure is not None:
        fiscal_year, unit = figure.period.fiscal_year, figure.metric.unit
        period = figure.period.period
    try:
        if fiscal_year is not None:
            fiscal_year.ensure_writable_by(user)
        if unit is not None:
            unit.ensure_editable_by(user)
        if fiscal_year is not None and unit is not None and period is not None:
            fiscal_year.ensure_quarter_writable_by(user, unit=unit, period=period)
    except (YearLocked, UnitNotAssigned, QuarterFrozen) as refusal:
        return refusal
    return None
