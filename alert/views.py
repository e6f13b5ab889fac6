"""Operational endpoints."""

import sys

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from alert.cache import FailOpenRedisCache
from alert.middleware import database_unavailable_response, is_connection_failure


@never_cache
@require_safe
def health(request):
    """200 when the database answers a SELECT 1, 503 when it does not.

    For load balancers and uptime checks: no login, no figures. The cache's
    state is reported beside it ("ok", "unreachable" or "not configured")
    but never fails the check: without the cache the site works, slower,
    and taking every server out of rotation for it would stop it altogether.
    """
    cache_state = cache_health()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "cache": cache_state},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache_state})


def cache_health() -> str:
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, FailOpenRedisCache):
        return "not configured"  # each process's own memory: nothing to reach
    return "ok" if backend.reachable() else "unreachable"


def server_error(request):
    """handler500: a lost database anywhere (middleware included) is a 503."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError) and is_connection_failure(
        exception
    ):
        return database_unavailable_response(request)
    return defaults.server_error(request)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the
    API's JSON): the site's icon, not a 404."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
