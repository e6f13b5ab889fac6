"""Operational endpoints."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alert.middleware import database_unavailable_response, is_connection_failure


@never_cache
@require_GET
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
