"""Operational endpoints."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from alert.middleware import database_unavailable_response, is_connection_failure


@never_cache
@require_safe
def health(request):
    """200 when the database answers a SELECT 1, 503 when it does not.

    For load balancers and uptime checks: no login, no figures.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
