"""Each release as open data: a Frictionless Data Package (``datapackage.json``)
describing the release's CSV, column by column.

The package names every column of the CSV with its type and meaning (a Table
Schema), the CSV's SHA-256 and size, and the release it holds (year, number,
when and why it was published, and the release's own SHA-256, that of the
whole published page). Licence and attribution come from settings
an administrator fills in (``ALERT_OPEN_DATA_LICENCE_*``,
``ALERT_OPEN_DATA_ATTRIBUTION``): until then the package says so, and names
no licence it was not given.
"""

import hashlib
import json

from django.conf import settings

from reporting.exporting.longform import export_release

CSV_NAME = "figures.csv"

# Every column the release CSV can hold: its type and what it means.
FIELDS = {
    "unit": ("string", "The unit's code, e.g. CFSEU."),
    "unit_name": ("string", "The unit's name."),
    "metric": ("string", "The metric's code within its unit, e.g. charges-laid."),
    "metric_label": ("string", "The metric as the report prints it."),
    "value_type": ("string", "count (a number of things) or currency (Canadian dollars)."),
    "fiscal_year": ("string", "ALERT's fiscal year, April to March, e.g. 2023-24."),
    "period": ("string", "Q1, Q2, Q3, Q4 (quarters of the fiscal year) or FY (the full year)."),
    "period_label": ("string", "The period in words, e.g. Q1 (Apr–Jun) or Full year."),
    "region": ("string", "The region of a regional figure; empty for the unit as a whole."),
    "value": (
        "number",
        "The figure as published: exact, in dollars for currency. A figure not "
        "reported has no row (never 0).",
    ),
    "public_note": ("string", "The note printed with the figure, if any."),
}
CONSTRAINTS = {
    "unit": {"required": True},
    "metric": {"required": True},
    "fiscal_year": {"required": True, "pattern": r"\d{4}-\d{2}"},
    "period": {"required": True, "enum": ["Q1", "Q2", "Q3", "Q4", "FY"]},
    "value_type": {"enum": ["count", "currency"]},
    "value": {"required": True},
}


def release_csv(release) -> bytes:
    return export_release(release, "csv")


def data_package(release, csv_content: bytes) -> dict:
    """The Data Package of ``release`` whose CSV is ``csv_content``."""
    header = csv_content.decode("utf-8-sig").splitlines()[0].split(",")
    year = release.fiscal_year.label
    licence = {
        key: value
        for key, value in (
            ("name", settings.ALERT_OPEN_DATA_LICENCE_NAME),
            ("path", settings.ALERT_OPEN_DATA_LICENCE_PATH),
            ("title", settings.ALERT_OPEN_DATA_LICENCE_TITLE),
        )
        if value
    }
    package = {
        "profile": "tabular-data-package",
        "name": f"alert-results-{year}-release-{release.number}",
        "title": f"ALERT results {year}, release {release.number}",
        "description": (
            f"The figures of ALERT's annual results for fiscal year {year} exactly as "
            f"published in release {release.number}: one row per figure, by unit, metric, "
            "period and region. " + (release.reason or "")
        ).strip(),
        "version": str(release.number),
        "created": release.published_at.isoformat(),
        "keywords": ["ALERT", "Alberta", "law enforcement", "annual results"],
        "alert_release": {
            "fiscal_year": year,
            "number": release.number,
            "published_at": release.published_at.isoformat(),
            "reason": release.reason,
            "published_as": release.published_as,
            # The release's own digest: of the whole published page as stored
            # (reporting.releases); the CSV's is the resource's "hash".
            "sha256": release.sha256,
        },
        "attribution": settings.ALERT_OPEN_DATA_ATTRIBUTION
        or "Not yet set by an administrator (ALERT_OPEN_DATA_ATTRIBUTION).",
        "resources": [
            {
                "name": "figures",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "hash": f"sha256:{hashlib.sha256(csv_content).hexdigest()}",
                "bytes": len(csv_content),
                "schema": {
                    "fields": [
                        {
                            "name": name,
                            "type": FIELDS[name][0],
                            "description": FIELDS[name][1],
                            **({"constraints": CONSTRAINTS[name]} if name in CONSTRAINTS else {}),
                        }
                        for name in header
                    ],
                    "primaryKey": ["unit", "metric", "period", "region"],
                    "missingValues": [],
                },
            }
        ],
    }
    if licence:
        package["licenses"] = [licence]
    else:
        package["licence_note"] = (
            "No licence has been set yet: an administrator sets ALERT_OPEN_DATA_LICENCE_NAME, "
            "_PATH and _TITLE."
        )
    return package


def data_package_json(release, csv_content: bytes) -> bytes:
    return json.dumps(data_package(release, csv_content), ensure_ascii=False, indent=2).encode()
