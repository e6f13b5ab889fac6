"""What a release holds, written and read back.

A release is the whole published page of a year as plain data: the summary
``build_summary`` built (every figure with its labels and value type, the
prior years compared with, footnotes, the report's text, the ALERT-wide and
regional tables), the year's figures one by one, the figures of the prior
years it compared with (from their own releases), and the published totals.
It is stored as one canonical JSON text (keys sorted, no spaces, decimals
and moments as strings) with the SHA-256 of that text, so the digest can be
checked against the release's JSON download byte for byte.

The page of a published year is drawn from here (``summary_of``), never
from the live records.
"""

import dataclasses
import datetime
import hashlib
import json
import types
import typing
from decimal import Decimal

from reporting.models import FiscalYear, PublishedTotal, Release
from reporting.summary.build import AnnualSummary, build_summary

FORMAT = 1


def canonical_json(data) -> str:
    """One text for one content: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def to_plain(value):
    """Dataclasses, Decimals and moments as JSON's plain values (exact: a
    Decimal becomes its string, never a float)."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value


def from_plain(kind, value):
    """``to_plain``'s output read back as ``kind`` (a dataclass or a type hint)."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return from_plain(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item,) = typing.get_args(kind) or (object,)
        return [from_plain(item, entry) for entry in value]
    if origin is dict:
        _, item = typing.get_args(kind) or (str, object)
        return {key: from_plain(item, entry) for key, entry in value.items()}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: from_plain(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value
            }
        )
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    return value


def release_content(
    fiscal_year: FiscalYear,
    *,
    number: int,
    published_at: datetime.datetime,
    reason: str,
    published_as: str = "",
    published_on: datetime.date | None = None,
    notes: list[dict] | None = None,
) -> str:
    """The canonical JSON of ``fiscal_year``'s page as it would be published now
    as release ``number``: its live records, the prior years from their own
    newest releases (a prior year never published is left out). ``notes``:
    the public notes of acknowledged findings ({"unit", "note"})."""
    from reporting.publication import snapshot

    summary = build_summary(fiscal_year, published=True)
    summary.status = FiscalYear.Status.LOCKED
    summary.is_locked = True
    summary.locked_at = published_at
    priors = {
        release.fiscal_year.label: release for release in newest_releases(summary.compared_releases)
    }
    data = {
        "format": FORMAT,
        "fiscal_year": fiscal_year.label,
        "release": {
            "number": number,
            "published_at": published_at.isoformat(),
            "reason": reason,
            "published_as": published_as,
            "published_on": published_on.isoformat() if published_on else None,
            "notes": notes or [],
        },
        "summary": to_plain(summary),
        "figures": snapshot(fiscal_year),
        "prior_years": [
            {
                "fiscal_year": label,
                "release": priors[label].number,
                "figures": priors[label].figures,
            }
            for label in summary.prior_years
        ],
        "published_totals": [
            {"metric_code": total.metric_code, "value": str(total.value), "note": total.note}
            for total in PublishedTotal.objects.filter(fiscal_year=fiscal_year).order_by(
                "metric_code"
            )
        ],
    }
    return canonical_json(data)


def newest_releases(labels) -> list[Release]:
    """The newest release of each year named, in one query."""
    newest: dict[str, Release] = {}
    for release in (
        Release.objects.filter(fiscal_year__label__in=list(labels))
        .select_related("fiscal_year")
        .order_by("fiscal_year__start_year", "number")
    ):
        newest[release.fiscal_year.label] = release
    return list(newest.values())


def summary_of(release: Release) -> AnnualSummary:
    """The summary a release published, as ``build_summary``'s data."""
    return from_plain(AnnualSummary, release.data["summary"])


def release_rows(release: Release) -> list[tuple[str, dict]]:
    """(fiscal year, figure) of every figure the release's page showed: the
    year's own, then each prior year's as its release had it."""
    rows = [(release.data["fiscal_year"], entry) for entry in release.figures]
    for prior in release.data.get("prior_years", []):
        rows += [(prior["fiscal_year"], entry) for entry in prior["figures"]]
    return rows
