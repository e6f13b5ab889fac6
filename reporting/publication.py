"""Publication read-side: what a release holds, what changed between two, and
the review an administrator reads before publishing.

The writes (publish, prepare a correction) are ``services.publish_year`` and
``services.prepare_correction``; they use ``snapshot`` and ``finding_key`` from
here. Everything here reads; nothing changes a record.
"""

import hashlib
from dataclasses import dataclass, field

from reporting.cycle import Completeness, year_completeness
from reporting.findings import DataQualityFinding, Severity, year_findings
from reporting.formatting import format_figure, plain_number
from reporting.models import (
    Figure,
    FiscalYear,
    PublicationEvent,
    Release,
)

# The keys of a figure in a release; with the value they say what was published.
KEY_FIELDS = ("unit", "metric", "period", "region")


def snapshot(fiscal_year: FiscalYear) -> list[dict]:
    """The year's figures as a release stores them: keys, the labels they were
    printed with, the value as an exact string, and the public note where
    figures have one (the ``public_note`` column, when the records hold it)."""
    has_public_note = any(f.name == "public_note" for f in Figure._meta.concrete_fields)
    rows = []
    for figure in Figure.objects.for_year(fiscal_year).with_keys().in_report_order():
        entry = {
            "unit": figure.metric.unit.code,
            "metric": figure.metric.code,
            "metric_label": figure.metric.label,
            "value_type": figure.metric.value_type,
            "period": figure.period.period,
            "region": figure.region.name if figure.region_id else "",
            "value": str(plain_number(figure.value)),
        }
        if has_public_note:
            entry["public_note"] = figure.public_note
        rows.append(entry)
    return rows


def _key(entry: dict) -> tuple:
    return tuple(entry[name] for name in KEY_FIELDS)


@dataclass
class FigureChange:
    """One figure that differs between two states of a year."""

    unit: str
    metric_label: str
    period: str
    region: str
    before: str  # formatted; the dash when it was not reported
    after: str
    metric: str = ""  # the metric's code (with unit, period and region: the cell's key)
    anchor: str = ""  # the id of its line on a published page (a revised cell links to it)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.unit, self.metric, self.period, self.region)

    def __str__(self) -> str:
        where = f" {self.region}" if self.region else ""
        return (
            f"{self.unit} · {self.metric_label} {self.period}{where}: {self.before} → {self.after}"
        )


def changes_between(before: list[dict], after: list[dict]) -> list[FigureChange]:
    """The figures added, removed or changed from ``before`` to ``after``, in
    ``after``'s order (the report order), then those removed."""
    old = {_key(entry): entry for entry in before}
    new = {_key(entry): entry for entry in after}
    changes = []

    def change(entry: dict, old_entry: dict | None, new_entry: dict | None) -> FigureChange:
        value_type = entry["value_type"]
        return FigureChange(
            unit=entry["unit"],
            metric=entry["metric"],
            metric_label=entry["metric_label"],
            period=entry["period"],
            region=entry["region"],
            before=format_figure(old_entry["value"] if old_entry else None, value_type),
            after=format_figure(new_entry["value"] if new_entry else None, value_type),
        )

    for key, entry in new.items():
        previous = old.get(key)
        if previous is None or previous["value"] != entry["value"]:
            changes.append(change(entry, previous, entry))
    for key, entry in old.items():
        if key not in new:
            changes.append(change(entry, entry, None))
    return changes


@dataclass
class Revision:
    """A release after the first: when, why, and what it changed."""

    number: int
    published_at: object
    reason: str
    changes: list[FigureChange]


@dataclass
class ReleaseHistory:
    """What the summary says about a year's publication: its first release
    (None for a draft never published) and its revisions."""

    first_release: Release | None
    revisions: list[Revision]

    def marks(self) -> dict[tuple[str, str, str, str], FigureChange]:
        """Each revised figure's newest change, by its key (unit, metric,
        period, region): the cells a published page marks as revised."""
        return {change.key: change for revision in self.revisions for change in revision.changes}


def release_history(fiscal_year: FiscalYear, *, up_to: int | None = None) -> ReleaseHistory:
    """The year's first release and revisions (up to release ``up_to``: a
    release's own page never shows the ones after it), in one query."""
    releases = Release.objects.filter(fiscal_year=fiscal_year).order_by("number")
    if up_to is not None:
        releases = releases.filter(number__lte=up_to)
    releases = list(releases)
    return ReleaseHistory(
        first_release=releases[0] if releases else None, revisions=revisions(releases)
    )


def revisions(releases: list[Release]) -> list[Revision]:
    """Each republication of a year (its releases in order) with the changes
    from the release before it, oldest first; each change has its anchor."""
    found = []
    for previous, current in zip(releases, releases[1:], strict=False):
        changes = changes_between(previous.figures, current.figures)
        for position, change in enumerate(changes, start=1):
            change.anchor = f"revision-{current.number}-{position}"
        found.append(
            Revision(
                number=current.number,
                published_at=current.published_at,
                reason=current.reason,
                changes=changes,
            )
        )
    return found


def finding_key(finding: DataQualityFinding) -> str:
    """A stable name for a finding, for the review form's acknowledgements: the
    same finding in the same figures has the same key; a changed figure makes
    a new finding that needs its own acknowledgement."""
    text = f"{finding.kind}|{finding.unit_code}|{finding.message}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class ReviewedFinding:
    key: str
    finding: DataQualityFinding

    @property
    def is_error(self) -> bool:
        return self.finding.severity == Severity.ERROR


@dataclass
class PublicationReview:
    """What an administrator reads before publishing a year.

    ``errors`` block publishing until each is acknowledged with a reason, and
    so does ``completeness`` below 100 % (one reason for the year);
    ``others`` (warnings, information) are for reading. ``changes`` is what
    differs from the latest release (empty for a first publication).
    """

    fiscal_year: FiscalYear
    errors: list[ReviewedFinding]
    others: list[ReviewedFinding]
    latest_release: Release | None
    changes: list[FigureChange]
    completeness: Completeness | None = None
    history: list[PublicationEvent] = field(default_factory=list)

    @property
    def next_release_number(self) -> int:
        return self.latest_release.number + 1 if self.latest_release else 1

    @property
    def is_republication(self) -> bool:
        return self.latest_release is not None


def latest_release(fiscal_year: FiscalYear) -> Release | None:
    return Release.objects.filter(fiscal_year=fiscal_year).order_by("-number").first()


def review_year(fiscal_year: FiscalYear) -> PublicationReview:
    reviewed = [ReviewedFinding(finding_key(f), f) for f in year_findings(fiscal_year)]
    latest = latest_release(fiscal_year)
    return PublicationReview(
        fiscal_year=fiscal_year,
        errors=[r for r in reviewed if r.is_error],
        others=[r for r in reviewed if not r.is_error],
        latest_release=latest,
        changes=changes_between(latest.figures, snapshot(fiscal_year)) if latest else [],
        history=list(
            PublicationEvent.objects.filter(fiscal_year=fiscal_year).select_related("by", "release")
        ),
        completeness=year_completeness(fiscal_year),
    )
