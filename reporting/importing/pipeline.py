"""The one import pipeline: long-form rows -> checked plan -> one atomic write.

Every way figures come in (the admin's import, the commands, the API's bulk
upsert, the shipped dataset) ends here, so they share one set of rules and
one set of messages. The cost is a handful of set-based queries whatever the
size of the file: the catalogue is read once, existing figures are read in
one query, and writes are bulk operations that also write history.
"""

import difflib
import enum
import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from reporting.access import write_refusal
from reporting.importing.longform import LongFormRow
from reporting.models import Figure, FiscalYear, ImportBatch, ReportingPeriod, bump_versions
from reporting.validation import parse_value, validate_region_for_metric
from tabular.readers import UncachedFormula
from units.models import Metric, Region, Unit

BATCH_SIZE = 1000
PROGRESS_SLICE = 10_000


class Action(enum.StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"
    ERROR = "error"


class ProblemCode(models.TextChoices):
    """What is wrong with a row, for a program to act on (the message is for
    people); the label heads the problems of its kind on the import page."""

    UNKNOWN_UNIT = "unknown_unit", "Unknown units"  # blank, or no such unit
    UNKNOWN_METRIC = "unknown_metric", "Unknown metrics"
    BAD_YEAR = "bad_year", "Not a fiscal year"  # not a label such as 2023-24
    # A label, but the year has not been set up.
    UNKNOWN_YEAR = "unknown_year", "Fiscal years not set up"
    BAD_PERIOD = "bad_period", "Not a period"
    UNKNOWN_REGION = "unknown_region", "Unknown regions"
    # A region given for a metric not reported by region.
    NOT_REGIONAL = "not_regional", "Regions for metrics not reported by region"
    UNCACHED_FORMULA = "uncached_formula", "Formulas without a result"
    BAD_VALUE = "bad_value", "Not a figure"
    # The same figure twice in one file, with different values.
    DUPLICATE = "duplicate", "The same figure twice"
    LOCKED = "locked", "Locked (published) years"
    NOT_ASSIGNED = "not_assigned", "Units you are not assigned to"
    # The unit's quarter is approved: reopen it first.
    QUARTER_APPROVED = "quarter_approved", "Approved quarters"
    # Submitted: frozen until returned or approved.
    QUARTER_SUBMITTED = "quarter_submitted", "Submitted quarters (frozen until returned)"


@dataclass(slots=True)
class Problem:
    where: str
    column: str
    message: str
    code: ProblemCode

    def __str__(self) -> str:
        if not self.column:
            return f"{self.where}: {self.message}"
        return f"{self.where}, column “{self.column}”: {self.message}"


@dataclass(slots=True)
class PlannedRow:
    row: LongFormRow
    action: Action = Action.ERROR
    value: Decimal | None = None
    note: str | None = None
    public_note: str | None = None
    metric: Metric | None = None
    period_id: int | None = None
    region_id: int | None = None
    existing_id: int | None = None
    old_value: Decimal | None = None
    old_note: str = ""
    old_public_note: str = ""
    old_version: int = 0
    problems: list[Problem] = field(default_factory=list)
    remark: str = ""

    def reject(self, code: ProblemCode, column: str, message: str) -> None:
        self.problems.append(Problem(self.row.where(), self.row.heading(column), message, code))
        self.action = Action.ERROR


@dataclass
class ImportOutcome:
    rows: list[PlannedRow]
    file_problems: list[str] = field(default_factory=list)
    batch: ImportBatch | None = None
    written: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for planned in self.rows:
            counts[planned.action.value] += 1
        return counts

    @property
    def problems(self) -> list[str]:
        # A report-layout row is five figures (Q1-Q4 and the year): a misspelt
        # metric there is one problem, said once.
        messages = self.file_problems + [str(p) for planned in self.rows for p in planned.problems]
        return list(dict.fromkeys(messages))

    @property
    def has_errors(self) -> bool:
        return bool(self.file_problems) or any(p.action is Action.ERROR for p in self.rows)

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['new']} new, {c['update']} updated, {c['unchanged']} unchanged, "
            f"{c['skip']} skipped, {c['error']} rejected"
        )


class Catalogue:
    """Units, metrics, regions, years and periods, each read in one query."""

    def __init__(self) -> None:
        self.units = {u.code.upper(): u for u in Unit.objects.all()}
        self.metrics: dict[tuple[int, str], Metric] = {
            (m.unit_id, m.code.lower()): m for m in Metric.objects.select_related("unit")
        }
        # The report layout names metrics as the tables print them.
        self.metric_labels: dict[tuple[int, str], Metric] = {}
        for metric in self.metrics.values():
            for label in (metric.label, metric.regional_label):
                if label:
                    self.metric_labels.setdefault((metric.unit_id, label.casefold()), metric)
        self.regions = {r.name.casefold(): r for r in Region.objects.all()}
        self.years = {fy.label: fy for fy in FiscalYear.objects.select_related("locked_by")}
        self.periods: dict[tuple[int, str], int] = {}

    def load_periods(self, years: Sequence[FiscalYear]) -> None:
        # Every year has its five periods (services.create_fiscal_year).
        self.periods = {
            (fiscal_year_id, period): pk
            for pk, fiscal_year_id, period in ReportingPeriod.objects.filter(
                fiscal_year__in=years
            ).values_list("pk", "fiscal_year_id", "period")
        }

    def suggest(self, given: str, known: list[str]) -> str:
        close = difflib.get_close_matches(given, known, n=1, cutoff=0.5)
        if not close:
            close = difflib.get_close_matches(given.upper(), [k.upper() for k in known], n=1)
        return f" Did you mean “{close[0]}”?" if close else ""


def plan_import(rows: Sequence[LongFormRow], *, user=None) -> ImportOutcome:
    """Decide what each row would do, without writing a figure."""
    catalogue = Catalogue()
    planned_rows = [PlannedRow(row=row) for row in rows]
    _resolve(planned_rows, catalogue)
    years = {
        p.row.fiscal_year: catalogue.years[p.row.fiscal_year]
        for p in planned_rows
        if p.row.fiscal_year in catalogue.years
    }
    catalogue.load_periods(list(years.values()))
    FiscalYear.prefetch_frozen_quarters(years.values())
    _resolve_periods(planned_rows, catalogue)
    _compare_with_record(planned_rows, catalogue)
    _refuse_locked_years(planned_rows, catalogue, user)
    _refuse_unassigned_units(planned_rows, user)
    _refuse_frozen_quarters(planned_rows, catalogue, user)
    return ImportOutcome(rows=planned_rows)


def resolve_one(row: LongFormRow) -> PlannedRow:
    """One row's natural keys and value, checked with the importer's own rules
    and messages (the API's single-figure create uses it). Nothing is written."""
    catalogue = Catalogue()
    planned = PlannedRow(row=row)
    _resolve([planned], catalogue)
    if planned.action is not Action.ERROR:
        catalogue.load_periods([catalogue.years[row.fiscal_year]])
        _resolve_periods([planned], catalogue)
    return planned


def _resolve(planned_rows: list[PlannedRow], catalogue: Catalogue) -> None:
    unit_codes = sorted(u.code for u in catalogue.units.values())
    region_names = sorted(r.name for r in catalogue.regions.values())
    # Once, not per row: Django builds the choices' list on every access.
    periods = frozenset(ReportingPeriod.Period.values)
    for planned in planned_rows:
        row = planned.row
        unit = catalogue.units.get(row.unit.upper())
        if not row.unit:
            planned.reject(
                ProblemCode.UNKNOWN_UNIT,
                "unit",
                f"The unit is blank. Use one of {', '.join(unit_codes)}.",
            )
        elif unit is None:
            planned.reject(
                ProblemCode.UNKNOWN_UNIT,
                "unit",
                f"There is no unit “{row.unit}”.{catalogue.suggest(row.unit, unit_codes)} "
                f"Known units: {', '.join(unit_codes)}.",
            )
        if unit is not None:
            metric = catalogue.metrics.get(
                (unit.pk, row.metric.lower())
            ) or catalogue.metric_labels.get((unit.pk, row.metric.casefold()))
            if metric is None:
                codes = sorted(code for (uid, code) in catalogue.metrics if uid == unit.pk)
                if row.headings.get("metric"):  # the report layout: labels, not codes
                    codes = sorted(
                        m.label for (uid, _), m in catalogue.metric_labels.items() if uid == unit.pk
                    )
                what = f"“{row.metric}”" if row.metric else "a blank metric"
                planned.reject(
                    ProblemCode.UNKNOWN_METRIC,
                    "metric",
                    f"{unit.code} has no metric {what}.{catalogue.suggest(row.metric, codes)}",
                )
            else:
                planned.metric = metric
        if row.fiscal_year not in catalogue.years:
            try:
                FiscalYear.start_year_from_label(row.fiscal_year)
            except ValidationError as exc:
                planned.reject(ProblemCode.BAD_YEAR, "fiscal_year", exc.message_dict["label"][0])
            else:
                known = sorted(catalogue.years)
                planned.reject(
                    ProblemCode.UNKNOWN_YEAR,
                    "fiscal_year",
                    f"The fiscal year {row.fiscal_year} has not been set up "
                    f"(known: {', '.join(known) or 'none'}). An administrator adds it first.",
                )
        if row.period not in periods:
            planned.reject(
                ProblemCode.BAD_PERIOD,
                "period",
                f"“{row.period}” is not a period: use Q1, Q2, Q3, Q4, or FY for the full year.",
            )
        if row.region:
            region = catalogue.regions.get(row.region.casefold())
            if region is None:
                planned.reject(
                    ProblemCode.UNKNOWN_REGION,
                    "region",
                    f"There is no region “{row.region}”."
                    f"{catalogue.suggest(row.region, region_names)} Leave it blank for a "
                    "unit-wide figure.",
                )
            else:
                planned.region_id = region.pk
                if planned.metric is not None:
                    try:
                        validate_region_for_metric(planned.metric, region)
                    except ValidationError as exc:
                        planned.reject(ProblemCode.NOT_REGIONAL, "region", exc.messages[0])
        if isinstance(row.value, UncachedFormula):
            planned.reject(
                ProblemCode.UNCACHED_FORMULA,
                "value",
                f"the cell holds the formula {row.value} but no calculated result. Open the file "
                "in Excel or LibreOffice and save it again, or type the figure itself.",
            )
        elif planned.metric is not None:
            try:
                planned.value = parse_value(row.value, planned.metric.value_type)
            except ValidationError as exc:
                planned.reject(ProblemCode.BAD_VALUE, "value", exc.messages[0])
        planned.note = row.note
        planned.public_note = row.public_note
        if not planned.problems:
            planned.action = Action.SKIP if planned.value is None else Action.NEW
            if planned.value is None:
                planned.remark = "blank: not reported, nothing stored"


def _resolve_periods(planned_rows: list[PlannedRow], catalogue: Catalogue) -> None:
    for planned in planned_rows:
        if planned.action is Action.ERROR:
            continue
        fiscal_year = catalogue.years[planned.row.fiscal_year]
        planned.period_id = catalogue.periods[(fiscal_year.pk, planned.row.period)]


def _compare_with_record(planned_rows: list[PlannedRow], catalogue: Catalogue) -> None:
    live = [p for p in planned_rows if p.action is Action.NEW]
    existing = {}
    if live:
        period_ids = {p.period_id for p in live}
        metric_ids = {p.metric.pk for p in live}
        existing = {
            (metric_id, period_id, region_id): (pk, value, note, public_note, version)
            for pk, metric_id, period_id, region_id, value, note, public_note, version in (
                Figure.objects.filter(
                    period_id__in=period_ids, metric_id__in=metric_ids
                ).values_list(
                    "pk",
                    "metric_id",
                    "period_id",
                    "region_id",
                    "value",
                    "note",
                    "public_note",
                    "version",
                )
            )
        }
    first_in_file: dict[tuple, PlannedRow] = {}
    for planned in live:
        key = (planned.metric.pk, planned.period_id, planned.region_id)
        earlier = first_in_file.get(key)
        if earlier is not None:
            if earlier.value == planned.value:
                planned.action = Action.SKIP
                planned.remark = f"repeats {earlier.row.where()}"
            else:
                planned.reject(
                    ProblemCode.DUPLICATE,
                    "value",
                    f"this figure is also given in {earlier.row.where()} with a different value "
                    f"({earlier.value.normalize():f} there, {planned.value.normalize():f} here). "
                    "Keep one of the two rows.",
                )
            continue
        first_in_file[key] = planned
        if key in existing:
            pk, value, note, public_note, version = existing[key]
            planned.existing_id, planned.old_value = pk, value
            planned.old_note, planned.old_public_note = note, public_note
            planned.old_version = version
            note_changes = planned.note is not None and planned.note != note
            public_note_changes = (
                planned.public_note is not None and planned.public_note != public_note
            )
            # A note the file does not state stays as it is on record.
            if planned.note is None:
                planned.note = note
            if planned.public_note is None:
                planned.public_note = public_note
            if value == planned.value and not note_changes and not public_note_changes:
                planned.action = Action.UNCHANGED
            else:
                planned.action = Action.UPDATE


def _refuse_locked_years(planned_rows: list[PlannedRow], catalogue: Catalogue, user) -> None:
    for planned in planned_rows:
        if planned.action not in (Action.NEW, Action.UPDATE):
            continue
        fiscal_year = catalogue.years[planned.row.fiscal_year]
        if refusal := write_refusal(user, fiscal_year=fiscal_year):
            planned.reject(ProblemCode.LOCKED, "fiscal_year", refusal.messages[0])


def _refuse_unassigned_units(planned_rows: list[PlannedRow], user) -> None:
    for planned in planned_rows:
        if planned.action not in (Action.NEW, Action.UPDATE):
            continue
        if refusal := write_refusal(user, unit=planned.metric.unit):
            planned.reject(ProblemCode.NOT_ASSIGNED, "unit", refusal.messages[0])


def _refuse_frozen_quarters(planned_rows: list[PlannedRow], catalogue: Catalogue, user) -> None:
    for planned in planned_rows:
        if planned.action not in (Action.NEW, Action.UPDATE):
            continue
        fiscal_year = catalogue.years[planned.row.fiscal_year]
        refusal = write_refusal(
            user, fiscal_year=fiscal_year, unit=planned.metric.unit, period=planned.row.period
        )
        if refusal:
            planned.reject(ProblemCode(refusal.code), "period", refusal.messages[0])


def checksum_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def run_import(
    rows: Sequence[LongFormRow],
    *,
    user=None,
    dry_run: bool = False,
    file_name: str = "",
    file_format: str = "",
    checksum: str = "",
    source: str = "",
    file_problems: Sequence[str] = (),
    layout: str = "long",
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Check every row; unless it is a dry run or anything is rejected, write
    all of it in one transaction. The import is recorded either way."""
    with transaction.atomic():
        # Hold the years this file touches so that no one locks one mid-import.
        labels = {row.fiscal_year for row in rows}
        list(FiscalYear.objects.select_for_update().filter(label__in=labels).order_by("pk"))
        # Rows are checked even when the file as a whole has problems, so that
        # the preview shows every problem at once.
        outcome = plan_import(rows, user=user)
        outcome.file_problems = list(file_problems)
        if outcome.has_errors:
            status = ImportBatch.Status.REJECTED
        elif dry_run:
            status = ImportBatch.Status.DRY_RUN
        else:
            status = ImportBatch.Status.CONFIRMED
        counts = outcome.counts
        outcome.batch = ImportBatch.objects.create(
            file_name=file_name[:255],
            checksum=checksum,
            file_format=file_format,
            layout=layout,
            source=source,
            user=user if user is not None and user.is_authenticated else None,
            status=status,
            new=counts["new"],
            updated=counts["update"],
            unchanged=counts["unchanged"],
            skipped=counts["skip"],
            rejected=counts["error"],
        )
        if status == ImportBatch.Status.CONFIRMED:
            _write(outcome, user=user, progress=progress)
            outcome.written = True
    return outcome


def _slices(items, size: int):
    items = iter(items)
    while part := list(itertools.islice(items, size)):
        yield part


def _write(outcome: ImportOutcome, *, user, progress=None) -> None:
    batch = outcome.batch
    who = user if user is not None and user.is_authenticated else None
    reason = f"import #{batch.pk}: {batch.file_name}" if batch.file_name else f"import #{batch.pk}"
    now = timezone.now()

    def figures(*, new: bool):
        # Made a slice at a time: 300,000 model instances at once were most
        # of a 10 MB file's memory.
        for planned in outcome.rows:
            if planned.action not in (Action.NEW, Action.UPDATE):
                continue
            if bool(planned.existing_id) == new:
                continue
            yield Figure(
                pk=planned.existing_id,
                metric=planned.metric,
                period_id=planned.period_id,
                region_id=planned.region_id,
                value=planned.value,
                note=planned.note or "",
                public_note=planned.public_note or "",
                import_batch=batch,
                updated_by=who,
                updated_at=now,
                version=planned.old_version,  # bumped below, as every write is
            )

    total = sum(1 for p in outcome.rows if p.action in (Action.NEW, Action.UPDATE))
    done = 0
    # Written in slices so that a long file can report its progress; each
    # slice's history is copied from the rows just written.
    history = {"user": who, "reason": reason, "when": now}
    fields = ["value", "note", "public_note", "import_batch", "updated_by", "updated_at", "version"]
    for part in _slices(figures(new=True), PROGRESS_SLICE):
        bump_versions(part)
        written = Figure.objects.bulk_create(part, batch_size=BATCH_SIZE)
        Figure.objects.record_history([figure.pk for figure in written], "+", **history)
        done += len(written)
        if progress:
            progress(done, total)
    for part in _slices(figures(new=False), PROGRESS_SLICE):
        bump_versions(part)
        Figure.objects.bulk_update(part, fields, batch_size=BATCH_SIZE)
        Figure.objects.record_history([figure.pk for figure in part], "~", **history)
        done += len(part)
        if progress:
            progress(done, total)
