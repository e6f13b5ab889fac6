"""The database becoming unreachable is an outage, not a bug: answer 503."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("alert.database")


RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


def database_unavailable_response(request) -> HttpResponse:
    """The 503 page, or for the API (whose clients read JSON) the same in JSON,
    each with Retry-After. Rendered without the request: nothing it needs
    (the session, the user) can be read while the database is away."""
    if request is not None and request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {
                "detail": "The records' database cannot be reached just now. Nothing in "
                "this request was saved; try again shortly.",
                "code": "database_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a plain 503 page.

    The failed connection is closed so the next request opens a fresh one:
    the app recovers by itself as soon as the database is back. Other
    OperationalErrors (a lock timeout, a deadlock) are not outages and
    propagate as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if not is_connection_failure(exception):
            return None
        logger.error(
            "Database unreachable during %s %s: %s", request.method, request.path, exception
        )
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
            if not connection.is_usable():
                connection.close()
        return database_unavailable_response(request)


def is_connection_failure(exception: Exception) -> bool:
    if isinstance(exception, InterfaceError):
        return True
    cause = exception.__cause__
    # psycopg: a broken connection raises OperationalError whose SQLSTATE is in
    # class 08 (connection exception) or 57P (admin shutdown / cannot connect now),
    # or none at all when the socket simply died.
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        text = str(exception).lower()
        return not any(word in text for word in ("deadlock", "lock", "database is locked"))
    return sqlstate.startswith("08") or sqlstate.startswith("57P")
