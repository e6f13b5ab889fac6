"""Who may read the annual summary, and who sees the staff-only parts of it.

The one place these rules live: the summary page, its downloads and the year
list all use ``summary_access``; templates use ``can_see_findings``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

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
