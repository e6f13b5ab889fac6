"""Which fiscal year is current in Alberta, and which one may be opened next.

ALERT's fiscal year runs 1 April to 31 March, by the calendar in Edmonton
(``America/Edmonton``), whatever the server's own clock zone. Years are opened
one at a time: the next is the year after the newest on record, and never one
that has not begun.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from reporting.models import FiscalYear

ALBERTA = ZoneInfo("America/Edmonton")
OPEN_PERMISSION = "reporting.add_fiscalyear"


def current_start_year(now: datetime.datetime | None = None) -> int:
    """The start year of the fiscal year under way in Alberta at ``now``."""
    today = timezone.localtime(now or timezone.now(), ALBERTA).date()
    return today.year if today.month >= 4 else today.year - 1


def next_year_to_open(now: datetime.datetime | None = None) -> str | None:
    """The label of the year to open next (``2024-25``), or None when the
    current fiscal year is already on record."""
    newest = FiscalYear.objects.aggregate(newest=Max("start_year"))["newest"]
    current = current_start_year(now)
    start = current if newest is None else newest + 1
    return FiscalYear.label_for(start) if start <= current else None


def may_open_years(user) -> bool:
    return user.is_active and user.has_perm(OPEN_PERMISSION)
