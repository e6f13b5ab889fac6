"""What many readers share, built once per state of the records.

Pages and API answers that read only the records (figures, years, their
text and the catalogue) are the same for every reader of one kind until the
records change. They are kept in the shared cache (Redis when configured:
one copy for every app server) under a key that carries the *records
version*, so a change shows at once everywhere: the next request reads a new
version and builds afresh, and the old entries expire unused.
"""

import hashlib
from functools import cache

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from reporting.models import Figure, FiscalYear, NarrativeBlock, PublishedTotal
from units.models import Metric, Region, Unit

# How long an entry outlives its use; a change of the records retires it at once.
SHARED_SECONDS = 60 * 60

# Where base.html leaves the site's navigation out of a shared page.
SITE_NAV_MARK = mark_safe("<!-- site-nav -->")

# Every model a shared page or answer reads. Each keeps history, and every
# entry path (admin, grid, import, API, services, commands) writes it.
RECORDS = (Figure, FiscalYear, Unit, Metric, Region, NarrativeBlock, PublishedTotal)


def records_version() -> str:
    """A token that changes whenever anything in ``RECORDS`` changes.

    The newest history record of each model identifies the state of the
    records. One query, read afresh on every request, so it is right across
    processes and servers.
    """
    with connection.cursor() as cursor:
        cursor.execute(_records_version_sql())
        return "|".join(str(part) for part in cursor.fetchone())


def records_key(name: str, *parts: str) -> str:
    """The cache key of ``name`` for ``parts`` (the reader's kind, a URL...)
    in the current state of the records: one query."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{name}:{records_version()}:{digest}"


def shared_page(template_name: str, context: dict, request: HttpRequest) -> tuple[bytes, bytes]:
    """A page the same for every reader of one kind, rendered once for the cache:
    its bytes before and after the site's navigation (``serve_shared_page``
    adds that per request, as it names the reader and carries their CSRF token).
    """
    html = render_to_string(template_name, {**context, "site_nav_mark": SITE_NAV_MARK}, request)
    head, _, tail = html.partition(SITE_NAV_MARK)
    return head.encode(), tail.encode()


def serve_shared_page(request: HttpRequest, page: tuple[bytes, bytes]) -> HttpResponse:
    """A ``shared_page`` with this reader's navigation in its place."""
    nav = render_to_string("partials/site_nav.html", request=request).encode()
    return HttpResponse(b"".join((page[0], nav, page[1])))


@cache
def _records_version_sql() -> str:
    # Built once: ``Model.history`` builds a new manager class on each access.
    parts = []
    for model in RECORDS:
        table = connection.ops.quote_name(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX(history_id) FROM {table})")
    return "SELECT " + ", ".join(parts)
