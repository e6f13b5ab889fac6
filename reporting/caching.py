"""What many readers share, built once per state of the records.

Pages and API answers that read only the records (figures, years, their
text and the catalogue) are the same for every reader of one kind until the
records change. They are kept in the shared cache (Redis when configured:
one copy for every app server) under a key that carries the *records
version*, so a change shows at once everywhere: the next request reads a new
version and builds afresh, and the old entries expire unused.

An entry under a records version never changes, so each process also keeps
the few it served last (``shared_get``), for at most a minute: a copy in
front of the shared cache, never the only one. The version in its key is
read from the database on every request, so a change of the records is seen
at once. A ``restore`` can bring back a version's number with other records:
the key also carries the cache's generation (``cache_generation``),
which the restore moves on, so every entry made before it is retired on every
server at once, and nothing else in the cache is touched.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from functools import cache

from django.core.cache import cache as shared_cache
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from reporting.models import Figure, FiscalYear, NarrativeBlock, PublishedTotal
from units.models import Metric, Region, Unit

# records_version's function on PostgreSQL.
VERSION_FUNCTION = "alert_records_version"
# How long an entry outlives its use; a change of the records retires it at once.
SHARED_SECONDS = 60 * 60

# Entries each process keeps in front of the shared cache (a page is 10-200 KB),
# and for how long.
LOCAL_ENTRIES = 32
LOCAL_SECONDS = 60

# Where base.html leaves the site's navigation out of a shared page.
SITE_NAV_MARK = mark_safe("<!-- site-nav -->")

# Every model a shared page or answer reads. Each keeps history, and every
# entry path (admin, grid, import, API, services, commands) writes it.
RECORDS = (Figure, FiscalYear, Unit, Metric, Region, NarrativeBlock, PublishedTotal)


# The generation of this installation's shared entries, part of every
# ``records_key``. ``manage.py restore`` moves it on, which retires every
# entry made before it at once, on every server, without touching any other
# key of the cache (another installation's under its own prefix, or this
# one's throttle counters). One cache read per key built.
GENERATION_KEY = "records-generation"


def cache_generation() -> int:
    generation = shared_cache.get(GENERATION_KEY)
    if generation is None:
        # Lost (a new cache, an eviction): start from the clock, so that a
        # generation is never reused; add() lets the first process win.
        shared_cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = shared_cache.get(GENERATION_KEY)
    return generation


def new_cache_generation() -> None:
    """Retire every entry keyed by the generation (after a restore)."""
    try:
        shared_cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: any new one will do
        shared_cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def records_version() -> str:
    """A token that changes whenever anything in ``RECORDS`` changes.

    The newest history record of each model identifies the state of the
    records. One query, read afresh on every request, so it is right across
    processes and servers. On PostgreSQL the query runs inside a function
    (``install_records_version``), whose plan the server keeps: planning
    the seven subqueries afresh cost more than running them.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {VERSION_FUNCTION}()")
            return cursor.fetchone()[0]
        cursor.execute(f"SELECT {_newest_records_sql()}")
        return "|".join(str(part) for part in cursor.fetchone())


def install_records_version(using: str = "default") -> None:
    """(Re)create ``records_version``'s function on a PostgreSQL database, from
    ``RECORDS`` as they now are; run after every ``migrate``."""
    if connections[using].vendor != "postgresql":
        return
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {VERSION_FUNCTION}() RETURNS text "
            "LANGUAGE plpgsql STABLE AS $body$ BEGIN "
            f"RETURN concat_ws('|', {_newest_records_sql(using)}); "
            "END $body$"
        )


def records_key(name: str, *parts: str) -> str:
    """The cache key of ``name`` for ``parts`` (the reader's kind, a URL...)
    in the current state of the records: one query."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{name}:{cache_generation()}:{records_version()}:{digest}"


_local: OrderedDict[str, tuple[float, object]] = OrderedDict()
_local_lock = threading.Lock()


def shared_get(key: str):
    """The entry under ``key`` (a ``records_key``), or None: from this
    process's copies, else from the shared cache."""
    with _local_lock:
        held = _local.get(key)
        if held is not None and held[0] > time.monotonic():
            _local.move_to_end(key)
            return held[1]
    value = shared_cache.get(key)
    if value is not None:
        _keep(key, value)
    return value


def shared_set(key: str, value) -> None:
    """Share ``value`` under ``key`` (a ``records_key``) with every process."""
    shared_cache.set(key, value, SHARED_SECONDS)
    _keep(key, value)


def forget_records_in_cache() -> None:
    """After a restore: retire every cached entry about the records (the
    shared pages) by moving the cache's generation on; this process's copies
    go too. Only keys made by this installation are
    concerned, and none is deleted one by one: they expire unused."""
    new_cache_generation()
    forget_local_copies()


def forget_local_copies() -> None:
    """Drop this process's copies of shared entries (the shared cache keeps its own)."""
    with _local_lock:
        _local.clear()


def _keep(key: str, value) -> None:
    with _local_lock:
        _local[key] = (time.monotonic() + LOCAL_SECONDS, value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


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
    # Only the reader and their CSRF token: none of the site's context processors.
    reader = {"user": request.user, "csrf_token": get_token(request)}
    nav = get_template("partials/site_nav.html").render(reader).encode()
    return HttpResponse(b"".join((page[0], nav, page[1])))


@cache
def _newest_records_sql(using: str = "default") -> str:
    """The newest history id of each of ``RECORDS`` (0 for none), as columns."""
    quote = connections[using].ops.quote_name
    return ", ".join(
        f"COALESCE((SELECT MAX(history_id) FROM {quote(model.history.model._meta.db_table)}), 0)"
        for model in RECORDS
    )
