"""The figures API's pages, shared by every reader who may see the same units.

A page of the figures list is the same for every reader of one scope (all
units, or the units a clerk is assigned to) until the records it reads
change. It is kept in the shared cache (Redis when configured) under the
*records version* (``RecordsVersion``), a token every write replaces in its
own transaction: a reader who sees the new token sees the write, so a page
built after reading a token is never older than the token, and an entry
under an old token is never read again (it expires unused). The same key is
the page's ETag, so a client that sends it back gets a 304 while the records
are unchanged.

What moves the version: a history record of any of ``PAGE_READS`` (every
save and delete through the ORM, signalled by simple-history) and the import
pipeline's bulk history (``FigureQuerySet.record_history``); ``restore``
moves it too. What does not: a user's new username (the API's
``updated_by``), which shows at the next change of the records.
"""

import hashlib

from reporting.models import RECORDS_VERSION_ROW, Figure, FiscalYear, RecordsVersion
from units.models import Metric, Region, Unit

# What a page of the figures list reads; a change to any of them moves the version.
PAGE_READS = (Figure, FiscalYear, Unit, Metric, Region)
# How long an entry is kept once made; a new version retires it at once.
PAGE_SECONDS = 60 * 60


def records_version() -> str:
    """The records' current version: one query. Read it *before* the records
    a page is built from, so the page is at least as new as its key."""
    token = (
        RecordsVersion.objects.filter(pk=RECORDS_VERSION_ROW)
        .values_list("token", flat=True)
        .first()
    )
    return token.hex if token else "none"


def page_key(scope: str, url: str) -> str:
    """The cache key and ETag of the page at ``url`` for readers of ``scope``
    in the records' current version."""
    digest = hashlib.sha256("\x1f".join((records_version(), scope, url)).encode()).hexdigest()
    return f"api-figures:{digest[:40]}"
