"""Who changed a figure and through what, as a person reads it.

Every path that writes a figure names itself in the figure's history (the
change reason, through ``services``' ``source``): the entry grid, the
figure's form, the list's bulk delete, the API by token or by a signed-in
session, and imports, whose reason names their ``ImportBatch``
(``import #12: cfseu-q2.xlsx``, written by the pipeline). ``who_and_through``
turns a history record back into a sentence: "Jane Smith, import #12
(cfseu-q2.xlsx)", "Jane Smith, the entry grid", "API token of Jane Smith".
"""

import re

from reporting.formatting import person_name
from reporting.models import ImportBatch

GRID = "grid"
FORM = "admin"
BULK_DELETE = "admin: bulk delete"
API_TOKEN = "api: token"
API_SESSION = "api: session"
API = "api"  # written before the API named how it was signed in

THROUGH = {
    GRID: "the entry grid",
    FORM: "the figure's form",
    BULK_DELETE: "a bulk delete in the figures list",
    API_SESSION: "the API (signed in)",
    API: "the API",
}
IMPORT_REASON = re.compile(r"^import #(?P<number>\d+)(?::\s*(?P<file_name>.*))?$", re.DOTALL)


def api_source(request) -> str:
    """The API's source for a write: by token, or by a signed-in session."""
    from rest_framework.authtoken.models import Token

    return API_TOKEN if isinstance(request.auth, Token) else API_SESSION


def describe_import(batch: ImportBatch) -> str:
    """import #12 (cfseu-q2.xlsx), import_values #13 (fix.csv), API bulk upload #14…"""
    number, name = batch.pk, batch.file_name
    return {
        ImportBatch.Source.COMMAND: f"import_values #{number} ({name})",
        ImportBatch.Source.API: f"API bulk upload #{number}",
        ImportBatch.Source.DATASET: f"the shipped dataset (import #{number})",
        ImportBatch.Source.GENERATED: f"generated sample years (import #{number})",
    }.get(batch.source, f"import #{number} ({name})" if name else f"import #{number}")


def through(record) -> str:
    """What a history record's change came through; ``record`` is a
    HistoricalFigure with its ``import_batch`` (select it related)."""
    reason = (record.history_change_reason or "").strip()
    if reason == API_TOKEN:
        return f"API token of {person_name(record.history_user)}"
    if match := IMPORT_REASON.match(reason):
        if record.import_batch_id == int(match["number"]) and record.import_batch is not None:
            return describe_import(record.import_batch)
        name = match["file_name"]
        return f"import #{match['number']} ({name})" if name else f"import #{match['number']}"
    return THROUGH.get(reason, reason or "not recorded")


def who_and_through(record) -> str:
    """Jane Smith, import #12 (cfseu-q2.xlsx) · API token of Jane Smith ·
    The shipped dataset (import #1)."""
    how = through(record)
    if (record.history_change_reason or "").strip() == API_TOKEN:
        return how
    if record.history_user is None:
        return how[:1].upper() + how[1:]
    return f"{person_name(record.history_user)}, {how}"
