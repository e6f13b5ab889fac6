"""Writes that span models or must be checked and recorded: imports, a figure's
record and removal, a year's set-up, its publication and corrections, the quarterly reporting
cycle's transitions, a year's text (narrative blocks and published totals).
Every entry path calls these."""

from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from reporting import cycle, notifications
from reporting.access import write_refusal
from reporting.findings import Severity, year_findings
from reporting.formatting import figure_label, format_figure, format_moment, person_name
from reporting.importing.files import parse_file
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import ImportOutcome, checksum_of, resolve_one, run_import
from reporting.models import (
    Figure,
    FigureExists,
    FiscalYear,
    NarrativeBlock,
    PublicationEvent,
    PublishedTotal,
    Release,
    ReportingPeriod,
    StaleFigure,
    UnitQuarter,
    YearLocked,
    bump_versions,
)
from reporting.publication import finding_key, latest_release
from reporting.releases import digest, release_content
from reporting.validation import validate_for_metric
from reporting.years import may_open_years, next_year_to_open
from units.models import Metric, Region, Unit


def import_file(
    *,
    content: bytes,
    file_name: str,
    user=None,
    dry_run: bool = False,
    file_format: str | None = None,
    source: str = "",
    progress=None,
) -> ImportOutcome:
    """Import a long-form or report-layout file through the one pipeline; nothing is written
    unless every row is accepted and it is not a dry run."""
    parsed = parse_file(content, file_name, file_format)
    return run_import(
        parsed.rows,
        user=user,
        dry_run=dry_run,
        file_name=file_name,
        file_format=parsed.file_format,
        checksum=checksum_of(content),
        source=source,
        file_problems=parsed.problems,
        layout=parsed.layout,
        progress=progress,
    )


@transaction.atomic
def create_fiscal_year(
    *, label: str, status: str = FiscalYear.Status.OPEN, user=None
) -> FiscalYear:
    """Add a fiscal year with its five periods (Q1-Q4 and the full year).

    The one way a year comes into being (the admin, the years' import, the
    dataset, generated years), so every year has its periods and the grid,
    the importer and the summary never have to make them.
    """
    fiscal_year = FiscalYear(label=label, status=status)
    fiscal_year.full_clean()
    if user is not None and user.is_authenticated:
        fiscal_year._history_user = user  # else the request's user, if there is one
    fiscal_year.save()
    ReportingPeriod.objects.ensure_for([fiscal_year])
    return fiscal_year


def open_fiscal_year(*, label: str, user, now=None) -> FiscalYear:
    """Open the next fiscal year (``label``), as an administrator's one click does.

    Refused unless ``user`` may add fiscal years, and unless ``label`` is still
    the next year to open (``reporting.years.next_year_to_open``): a second
    click, or two administrators at once, never opens two years.
    """
    if not may_open_years(user):
        raise PermissionDenied("Only administrators may open a fiscal year.")
    with transaction.atomic():
        # One opening at a time: the newest year's row is held while the next is made.
        list(FiscalYear.objects.select_for_update().order_by("-start_year")[:1])
        expected = next_year_to_open(now)
        if label != expected:
            if FiscalYear.objects.filter(label=label).exists():
                reason = f"Fiscal year {label} is already on record."
            elif expected:
                reason = f"Fiscal year {label} cannot be opened now; the next is {expected}."
            else:
                reason = f"Fiscal year {label} cannot be opened: it has not begun."
            raise ValidationError(reason, code="not_next_year")
        return create_fiscal_year(label=label, user=user)


def _attribute(figure: Figure, user, source: str) -> None:
    # simple-history reads these when the save is not inside a request.
    figure._history_user = user if user is not None and user.is_authenticated else None
    figure._change_reason = source


def check_figure(
    *,
    metric: Metric,
    fiscal_year: FiscalYear,
    value: object,
    user=None,
    period: str | None = None,
) -> Decimal:
    """What ``record_figure`` checks before it writes, for a form that asks first.

    Raises the gate's refusal (``YearLocked``, ``UnitNotAssigned``,
    ``QuarterApproved`` when the ``period`` code is given), then a
    ValidationError on ``value`` if it is not a figure of this metric; returns
    the number to store.
    """
    if refusal := write_refusal(user, fiscal_year=fiscal_year, unit=metric.unit, period=period):
        raise refusal
    try:
        return validate_for_metric(value, metric)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from exc


def stale_refusal(
    *,
    metric: Metric,
    period: ReportingPeriod,
    region: Region | None,
    seen_version: int,
    current: Figure | None,
    attempted: object = None,
    exists: bool = False,
) -> StaleFigure:
    """The refusal of a save made from a stale screen: which figure, who changed
    it and when (Edmonton time), what the screen showed and what is on record now.

    ``seen_version`` 0 means the screen showed no figure there.
    """
    changes = Figure.history.filter(metric=metric, period=period, region=region).select_related(
        "history_user"
    )
    last = changes.order_by("-history_id").first()
    seen = (
        changes.filter(version=seen_version)
        .exclude(history_type="-")
        .order_by("-history_id")
        .first()
        if seen_version
        else None
    )

    def shown(number) -> str:
        return (
            "nothing (not reported)" if number is None else format_figure(number, metric.value_type)
        )

    who = person_name(last.history_user) if last and last.history_user else "someone"
    when = format_moment(last.history_date) if last else ""
    seen_value = seen.value if seen is not None else None
    now_value = current.value if current is not None else None
    what = figure_label(current) if current is not None else _key_label(metric, period, region)
    if exists:
        message = (
            f"{what} is already on record (id {current.pk}), added by {who} on {when} "
            f"with {shown(now_value)}: change it with PUT or PATCH on its URL, or use the bulk upsert."
        )
    else:
        changed = "removed" if current is None and last and last.history_type == "-" else "changed"
        message = (
            f"{what} was {changed} by {who} on {when} after you loaded it: you saw "
            f"{shown(seen_value)}, it is now {shown(now_value)}. Nothing was saved; "
            "reload to see the figures on record and decide."
        )
    details = {
        "figure": what,
        "id": current.pk if current is not None else None,
        "changed_by": who,
        "changed_at": last.history_date.isoformat() if last else None,
        "changed_at_local": when,
        "seen_version": seen_version,
        "seen_value": None if seen_value is None else f"{seen_value:.2f}",
        "current_version": current.version if current is not None else 0,
        "current_value": None if now_value is None else f"{now_value:.2f}",
        "your_value": None if attempted is None else str(attempted),
    }
    kind = FigureExists if exists else StaleFigure
    return kind(message, figure_id=details["id"], details=details)


def _key_label(metric: Metric, period: ReportingPeriod, region: Region | None) -> str:
    return figure_label(Figure(metric=metric, period=period, region=region))


def ensure_unchanged(
    *,
    metric: Metric,
    period: ReportingPeriod,
    region: Region | None,
    expected_version: int,
    attempted: object = None,
) -> None:
    """Raise ``StaleFigure`` unless the figure on record is still the version a
    form showed (0: no figure). Locks the year's row first, as every writer
    does, so inside the caller's transaction (the admin's change form) the
    answer holds until its save."""
    FiscalYear.objects.select_for_update().get(pk=period.fiscal_year_id)
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .filter(metric=metric, period=period, region=region)
        .first()
    )
    if (figure.version if figure is not None else 0) != expected_version:
        raise stale_refusal(
            metric=metric,
            period=period,
            region=region,
            seen_version=expected_version,
            current=figure,
            attempted=attempted,
        )


def record_figure(
    *,
    metric: Metric,
    period: ReportingPeriod,
    region: Region | None = None,
    value: object,
    note: str | None = None,
    public_note: str | None = None,
    user=None,
    source: str = "",
    expected_version: int | None = None,
) -> Figure:
    """Create or change one figure: validated, refused in a locked year or an
    approved quarter, with history.

    ``value`` is what a person typed (``$1,234``, ``12``) or a number; a
    ``note`` (internal) or ``public_note`` (a footnote of the report) of None
    leaves that note on record as it is.

    ``expected_version`` is the figure's version the caller's screen or
    request saw (0: it saw no figure there; None: no check). If the figure
    on record is not that one any more, ``StaleFigure`` is raised and nothing
    is written. The year's row is locked first, as every writer of a figure
    does, so the check and the write cannot be split by another write.
    """
    with transaction.atomic():
        fiscal_year = FiscalYear.objects.select_for_update().get(pk=period.fiscal_year_id)
        number = check_figure(
            metric=metric, fiscal_year=fiscal_year, value=value, user=user, period=period.period
        )
        figure = (
            Figure.objects.select_for_update(of=("self",))
            .filter(metric=metric, period=period, region=region)
            .first()
        )
        on_record = figure.version if figure is not None else 0
        if expected_version is not None and expected_version != on_record:
            raise stale_refusal(
                metric=metric,
                period=period,
                region=region,
                seen_version=expected_version,
                current=figure,
                attempted=value,
                exists=expected_version == 0,
            )
        if figure is None:
            figure = Figure(metric=metric, period=period, region=region)
        bump_versions([figure])
        figure.value = number
        if note is not None:
            figure.note = note
        if public_note is not None:
            figure.public_note = public_note
        figure.updated_by = user if user is not None and user.is_authenticated else None
        # Written by hand now, not by the import that last wrote it.
        figure.import_batch = None
        figure.full_clean()
        _attribute(figure, user, source)
        figure.save()
    return figure


def create_figure(*, row: LongFormRow, user=None, source: str = "") -> Figure:
    """A new figure named by its natural keys (the API's create).

    The keys are resolved by the importer's own rules, with its messages and
    suggestions; a figure already on record is refused (changing one is
    ``record_figure``'s business); the rest is ``record_figure``.
    """
    planned = resolve_one(row)
    if planned.problems:
        errors: dict[str, list[str]] = {}
        for problem in planned.problems:
            errors.setdefault(problem.column, []).append(problem.message)
        raise ValidationError(errors)
    # expected_version=0: refused with FigureExists (the API's 409) if the
    # figure is on record, also when a parallel create got there first.
    return record_figure(
        metric=planned.metric,
        period=ReportingPeriod.objects.get(pk=planned.period_id),
        region=Region.objects.get(pk=planned.region_id) if planned.region_id else None,
        value=row.value,
        note=row.note,
        public_note=row.public_note,
        user=user,
        source=source,
        expected_version=0,
    )


def delete_figure(
    *, figure: Figure, user=None, source: str = "", expected_version: int | None = None
) -> None:
    """Remove a figure (it becomes *not reported*), refused in a locked year or an
    approved quarter; with ``expected_version``, refused (``StaleFigure``) if it
    changed since."""
    with transaction.atomic():
        fiscal_year = FiscalYear.objects.select_for_update().get(pk=figure.period.fiscal_year_id)
        if refusal := write_refusal(
            user, fiscal_year=fiscal_year, unit=figure.metric.unit, period=figure.period.period
        ):
            raise refusal
        if expected_version is not None:
            current = Figure.objects.select_for_update(of=("self",)).filter(pk=figure.pk).first()
            if current is None or current.version != expected_version:
                raise stale_refusal(
                    metric=figure.metric,
                    period=figure.period,
                    region=figure.region,
                    seen_version=expected_version,
                    current=current,
                )
        _remove(figure, user, source)


def _remove(figure: Figure, user, source: str) -> None:
    """Delete a figure whose removal the gate allowed; its history record says
    who removed it and from where."""
    _attribute(figure, user, source)
    figure.delete()


def delete_figures(*, figures, user=None, source: str = "") -> int:
    """Remove several figures at once, all or none: the admin's bulk delete.

    The gate is asked once a figure (its year's lock, its unit's assignment,
    its quarter's approval), for every figure before anything is removed;
    each removal leaves a history record saying who removed it and from where.
    """
    figures = list(figures.select_related("metric__unit", "period__fiscal_year"))
    with transaction.atomic():
        year_ids = {figure.period.fiscal_year_id for figure in figures}
        years = {
            fiscal_year.pk: fiscal_year
            for fiscal_year in FiscalYear.objects.select_for_update()
            .filter(pk__in=year_ids)
            .order_by("pk")
        }
        for figure in figures:
            fiscal_year = years[figure.period.fiscal_year_id]  # one approvals query a year
            if refusal := write_refusal(
                user, fiscal_year=fiscal_year, unit=figure.metric.unit, period=figure.period.period
            ):
                raise refusal
        for figure in figures:
            _remove(figure, user, source)
    return len(figures)


def change_fiscal_year(*, fiscal_year: FiscalYear, user=None) -> FiscalYear:
    """Save a change to a year's own record (the admin's form): validated, so
    that a year with a release keeps its label (``FiscalYear.ensure_label_kept``)."""
    with transaction.atomic():
        FiscalYear.objects.select_for_update().filter(pk=fiscal_year.pk).first()
        fiscal_year.full_clean()
        if user is not None and user.is_authenticated:
            fiscal_year._history_user = user
        fiscal_year.save()
    return fiscal_year


def year_text_refusal(record: NarrativeBlock | PublishedTotal, user, *, lock: bool = False):
    """The write gate's answer for a year's text or published total: its year,
    and a narrative block's unit. ``lock`` holds the year's row while it is
    asked (inside a write), as for a figure."""
    fiscal_year = (
        FiscalYear.objects.select_for_update().get(pk=record.fiscal_year_id)
        if lock
        else record.fiscal_year
    )
    unit = record.unit if isinstance(record, NarrativeBlock) else None
    return write_refusal(user, fiscal_year=fiscal_year, unit=unit)


def save_year_text(
    *, record: NarrativeBlock | PublishedTotal, user=None
) -> NarrativeBlock | PublishedTotal:
    """Save a narrative block or a published total, validated, with history;
    refused (YearLocked) in a locked year as a figure would be."""
    record.full_clean()
    with transaction.atomic():
        if refusal := year_text_refusal(record, user, lock=True):
            raise refusal
        if record.pk is not None:
            # Moving a block out of a locked year is a change to that year too.
            previous = type(record).objects.get(pk=record.pk)
            if refusal := year_text_refusal(previous, user, lock=True):
                raise refusal
        if user is not None and user.is_authenticated:
            record._history_user = user
        record.save()
    return record


def delete_year_text(*, record: NarrativeBlock | PublishedTotal, user=None) -> None:
    """Remove a narrative block or a published total; refused in a locked year."""
    with transaction.atomic():
        if refusal := year_text_refusal(record, user, lock=True):
            raise refusal
        if user is not None and user.is_authenticated:
            record._history_user = user
        record.delete()


def _may_publish(user) -> None:
    # user None is a command (load_dataset), which runs with the operator's authority.
    if user is not None and not user.has_perm("reporting.lock_fiscalyear"):
        raise PermissionDenied(
            "Only administrators may publish a fiscal year or prepare its correction."
        )


def publish_year(
    *,
    fiscal_year: FiscalYear,
    user,
    reason: str = "",
    acknowledgements: dict[str, str] | None = None,
    public_notes: dict[str, str] | None = None,
    published_as: str = "",
    published_on=None,
    incomplete_reason: str = "",
) -> Release:
    """Publish (lock) a draft year after its review, keeping its whole page as a new release.

    Every error among the year's findings must be acknowledged with a written
    reason (``acknowledgements``: ``publication.finding_key`` -> reason), else
    ValidationError naming each one. A year below 100 % complete
    (``cycle.year_completeness``: figures entered against expected) needs
    ``incomplete_reason``, kept with the acknowledgements. A first publication's ``reason`` defaults
    to "First publication"; a republication (after a correction) must say why.
    The findings are read again here, with the year's row locked, so a figure
    changed while the administrator read the review page cannot slip through.

    ``public_notes`` (finding key -> text) are optional notes of acknowledged
    errors for readers: the release prints them under the year ("the unit's
    table and the regional total differ because ...").

    ``published_as`` names where the figures were first published when that
    was not here ("ALERT's 2023-24 annual report", for the shipped years),
    with ``published_on`` its date where known: the page then says so and
    gives the release's own moment only as the day it was recorded.
    """
    _may_publish(user)
    acknowledgements = {k: (v or "").strip() for k, v in (acknowledgements or {}).items()}
    public_notes = {k: (v or "").strip() for k, v in (public_notes or {}).items()}
    reason = (reason or "").strip()
    with transaction.atomic():
        year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
        if year.is_locked:
            raise ValidationError(f"Fiscal year {year.label} is already published.")
        previous = latest_release(year)
        if previous is not None and not reason:
            raise ValidationError(
                {
                    "reason": f"Say why {year.label} is published again (release "
                    f"{previous.number + 1}): readers see it beside the changes."
                }
            )
        acknowledged, missing = [], []
        for finding in year_findings(year):
            if finding.severity != Severity.ERROR:
                continue
            key = finding_key(finding)
            written = acknowledgements.get(key, "")
            if written:
                entry = {
                    "kind": finding.kind,
                    "unit": finding.unit_code,
                    "message": finding.message,
                    "reason": written,
                }
                if public_notes.get(key):
                    entry["public_note"] = public_notes[key]
                acknowledged.append(entry)
            else:
                missing.append(finding.message)
        completeness = cycle.year_completeness(year)
        incomplete_reason = (incomplete_reason or "").strip()
        if not completeness.is_complete:
            if incomplete_reason:
                acknowledged.append(
                    {
                        "kind": "incomplete",
                        "unit": "",
                        "message": completeness.summary(),
                        "reason": incomplete_reason,
                    }
                )
            else:
                missing.append(completeness.summary() + " Say why it is published as it is.")
        if missing:
            raise ValidationError(
                [
                    f"Not published: fix this error or acknowledge it with a reason: {message}"
                    for message in missing
                ]
            )
        now = timezone.now()
        who = user if user is not None and user.is_authenticated else None
        number = previous.number + 1 if previous else 1
        content = release_content(
            year,
            number=number,
            published_at=now,
            reason=reason or "First publication",
            published_as=published_as,
            published_on=published_on,
            notes=[
                {"unit": entry["unit"] or "", "note": entry["public_note"]}
                for entry in acknowledged
                if entry.get("public_note")
            ],
        )
        release = Release(
            fiscal_year=year,
            number=number,
            published_at=now,
            published_by=who,
            reason=reason or "First publication",
            published_as=published_as,
            published_on=published_on,
            content=content,
            sha256=digest(content),
        )
        release.full_clean()
        release.save()
        PublicationEvent(
            fiscal_year=year,
            action=PublicationEvent.Action.PUBLISHED,
            at=now,
            by=who,
            reason=release.reason,
            release=release,
            acknowledgements=acknowledged,
        ).save()
        year.status = FiscalYear.Status.LOCKED
        year.locked_at, year.locked_by = now, who
        year._history_user = who
        year._change_reason = f"published (release {release.number}): {release.reason}"
        year.save()
    fiscal_year.refresh_from_db()
    return release


def prepare_correction(*, fiscal_year: FiscalYear, user, reason: str) -> PublicationEvent:
    """Open a published year for a correction ("Prepare a correction"), with the
    reason recorded: its records become writable again, while every reader
    keeps seeing its newest release until it is republished (release N+1,
    through the same review as a first publication)."""
    _may_publish(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what is to be corrected, and why."})
    with transaction.atomic():
        year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
        if not year.is_locked:
            raise ValidationError(
                f"Fiscal year {year.label} is not published: its records are already open."
            )
        who = user if user is not None and user.is_authenticated else None
        event = PublicationEvent(
            fiscal_year=year,
            action=PublicationEvent.Action.UNPUBLISHED,
            at=timezone.now(),
            by=who,
            reason=reason,
        )
        event.save()
        year.status = FiscalYear.Status.OPEN
        year.locked_at = year.locked_by = None
        year._history_user = who
        year._change_reason = f"correction prepared: {reason}"
        year.save()
    fiscal_year.refresh_from_db()
    return event


# --- The quarterly reporting cycle ----------------------------------------------------------


def move_quarter(
    *, action: str, unit: Unit, fiscal_year: FiscalYear, quarter: str, user, text: str = ""
) -> UnitQuarter:
    """One step of a unit-quarter through the reporting cycle, as
    ``cycle.TRANSITIONS[action]`` says: checked, stamped, kept in the history,
    and told by email to the people concerned once the step is committed.

    ``text`` is the step's written reason where it keeps one (the return's
    comment the clerk reads, the reopen's reason). Submitting is for a unit
    the user may enter figures for, with at least one figure entered;
    approving is for another administrator than the submitter unless
    ``settings.ALERT_ONE_PERSON_APPROVAL`` is on. The year's row is locked
    first (as every figure write does), then the unit-quarter's: an approval
    cannot interleave with a clerk's save or import, nor two administrators'
    decisions with each other.
    """
    transition = cycle.TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(f"“{action}” is not a step of the reporting cycle.", code="invalid")
    if not user.has_perm(transition.permission):
        raise PermissionDenied("Your role does not allow this step of the reporting cycle.")
    if transition.by_unit_staff and (refusal := write_refusal(user, unit=unit)):
        raise refusal
    if quarter not in ReportingPeriod.QUARTERS:
        raise ValidationError(f"“{quarter}” is not a quarter: use Q1, Q2, Q3 or Q4.")
    text = (text or "").strip()
    if transition.text_field and not text:
        raise ValidationError({transition.text_field: transition.text_needed})
    if transition.by_unit_staff and not (
        Figure.objects.for_year(fiscal_year)
        .for_unit(unit)
        .filter(period__period__in=[quarter, "FY"] if quarter == "Q4" else [quarter])
        .exists()
    ):
        raise ValidationError(
            f"Nothing to submit: {unit.code} has no figures for {fiscal_year.label} {quarter} "
            "yet. Enter them first.",
            code="nothing_entered",
        )
    with transaction.atomic():
        year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
        if year.is_locked:
            raise YearLocked(
                f"Fiscal year {year.label} is published: its quarters no longer move through "
                "the reporting cycle. Prepare a correction of it first.",
                code="locked",
            )
        # A quarter nobody has acted on has no record yet; its first step makes one
        # (the year's row lock keeps two first steps from racing).
        record = UnitQuarter.objects.select_for_update().filter(
            unit=unit, fiscal_year=year, quarter=quarter
        ).first() or UnitQuarter(unit=unit, fiscal_year=year, quarter=quarter)
        if record.state not in transition.from_states:
            where = (
                "open for entry"
                if record.state in UnitQuarter.OPEN_STATES
                else record.get_state_display().lower()
            )
            raise ValidationError(
                f"{record} is {where}: nothing was changed. "
                "Reload the board to see where it stands.",
                code="invalid_transition",
            )
        if transition.not_by_submitter and cycle.is_own_submission(user, record):
            raise ValidationError(
                f"You submitted {record}: another administrator approves it, so that every "
                "quarter is seen by two people (one-person approval is off).",
                code="own_submission",
            )
        record.state = transition.to_state
        setattr(record, f"{transition.stamp}_at", timezone.now())
        setattr(record, f"{transition.stamp}_by", user)
        if transition.text_field:
            setattr(record, transition.text_field, text)
        record.full_clean()
        record._history_user = user
        record._change_reason = f"{transition.done}: {text}" if text else transition.done
        record.save()
        transaction.on_commit(
            partial(notifications.quarter_moved, record=record, transition=transition, user=user)
        )
    return record
