"""The records: fiscal years, their reporting periods, and the figures."""

import datetime
import json
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Concat, Right
from django.urls import reverse
from simple_history.models import HistoricalRecords

from reporting.formatting import figure_label, format_figure, format_moment, person_name
from reporting.narrative import LINK_PREFIXES, validate_link_address
from reporting.validation import MAX_VALUE
from units.models import Metric, Region, Unit, assigned_unit_ids

# ASCII digits only: \d would take any script's digits (２０２４-25), which the
# label's constraint then refuses with an error instead of a message.
FISCAL_YEAR_LABEL = re.compile(r"^([0-9]{4})-([0-9]{2})$")
# The years reporting_fiscalyear_start_year_range holds, checked in clean() first.
FIRST_START_YEAR, LAST_START_YEAR = 1900, 2998


class YearLocked(ValidationError):
    """Raised when a figure of a locked (published) year would change."""


class StaleFigure(ValidationError):
    """Raised when a figure changed after the screen or request that would
    overwrite it was loaded (code ``stale``): the save is refused so that the
    person can reload and decide.

    ``figure_id`` is the figure on record now (None if it was removed).
    """

    default_code = "stale"

    def __init__(self, message: str, *, figure_id: int | None = None, details: dict | None = None):
        super().__init__(message, code=self.default_code)
        self.figure_id = figure_id
        self.details = details or {}


class FigureExists(StaleFigure):
    """A new figure was asked for where one is already on record (code ``exists``)."""

    default_code = "exists"


class QuarterFrozen(ValidationError):
    """Raised when a figure of a submitted or approved unit-quarter would change
    without the permission to correct such quarters (administrators hold it;
    clerks wait for a return or ask for a reopen)."""


class QuarterApproved(QuarterFrozen):
    """The unit-quarter is approved (code ``quarter_approved``): reopen it first."""


class QuarterSubmitted(QuarterFrozen):
    """The unit-quarter is submitted (code ``quarter_submitted``): frozen until an
    administrator returns or approves it."""


class FiscalYearQuerySet(models.QuerySet):
    def open(self) -> "FiscalYearQuerySet":
        return self.filter(status=FiscalYear.Status.OPEN)

    def locked(self) -> "FiscalYearQuerySet":
        return self.filter(status=FiscalYear.Status.LOCKED)

    def published(self) -> "FiscalYearQuerySet":
        """The years readers see as published: those with a release. A year
        whose correction is being prepared (unlocked again) stays published:
        readers keep seeing its newest release."""
        return self.filter(Exists(Release.objects.filter(fiscal_year=OuterRef("pk"))))

    def with_newest_release(self) -> "FiscalYearQuerySet":
        """Each year with ``release_number`` and ``release_sha256`` of its newest
        release (None for a year never published), in the same query."""
        newest = Release.objects.filter(fiscal_year=OuterRef("pk")).order_by("-number")
        return self.annotate(
            release_number=Subquery(newest.values("number")[:1]),
            release_sha256=Subquery(newest.values("sha256")[:1]),
        )

    def writable_by(self, user) -> "FiscalYearQuerySet":
        """The years whose figures ``user`` may change (``FiscalYear.is_writable_by``):
        every year but a published one (with no correction being prepared),
        the same for everyone."""
        return self.exclude(status=FiscalYear.Status.LOCKED)


class FiscalYearStatus(models.TextChoices):
    # The values are the database's; readers see Draft and Published.
    OPEN = "open", "Draft"
    LOCKED = "locked", "Published"


class FiscalYear(models.Model):
    """ALERT's fiscal year: 1 April to 31 March, labelled ``2023-24``."""

    Status = FiscalYearStatus

    label = models.CharField(max_length=7, unique=True, help_text="For example 2023-24.")
    start_year = models.PositiveSmallIntegerField(unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))
    objects = FiscalYearQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year"]
        permissions = [
            ("lock_fiscalyear", "Can publish fiscal years and prepare their corrections"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=FIRST_START_YEAR) & Q(start_year__lte=LAST_START_YEAR),
                name="reporting_fiscalyear_start_year_range",
            ),
            # The label is the start year and the last two digits of the next year.
            models.CheckConstraint(
                condition=Q(
                    label=Concat(
                        Cast("start_year", models.CharField()),
                        Value("-"),
                        Right(Cast(F("start_year") + 1, models.CharField()), 2),
                        output_field=models.CharField(),
                    )
                ),
                name="reporting_fiscalyear_label_matches_start_year",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FiscalYearStatus.values),
                name="reporting_fiscalyear_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        # start_year is derived from the label, so the two never disagree.
        if self.label and FISCAL_YEAR_LABEL.match(self.label):
            self.start_year = int(self.label[:4])
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:reporting_fiscalyear_change", args=[self.pk])

    def clean(self) -> None:
        self.start_year = self.start_year_from_label(self.label)
        self.ensure_label_kept()

    def ensure_label_kept(self) -> None:
        """A year that has a release keeps its label: its releases, their files
        and their addresses name it."""
        if self.pk is None:
            return
        stored = FiscalYear.objects.filter(pk=self.pk).values_list("label", flat=True).first()
        if stored and stored != self.label and self.releases.exists():
            raise ValidationError(
                {
                    "label": f"{stored} has been published: its label cannot change "
                    "(its releases and their addresses name it)."
                },
                code="label_published",
            )

    @classmethod
    def start_year_from_label(cls, label: str) -> int:
        """The start year of a label such as ``2023-24``; ValidationError if malformed."""
        match = FISCAL_YEAR_LABEL.match((label or "").strip())
        if not match:
            raise ValidationError(
                {
                    "label": f"“{label}” is not a fiscal year: write it as YYYY-YY, for example 2023-24."
                }
            )
        start, end = int(match.group(1)), int(match.group(2))
        if not FIRST_START_YEAR <= start <= LAST_START_YEAR:
            raise ValidationError(
                {
                    "label": f"“{label}” is outside the years this system holds: "
                    f"{cls.label_for(FIRST_START_YEAR)} to {cls.label_for(LAST_START_YEAR)}."
                },
                code="year_out_of_range",
            )
        if (start + 1) % 100 != end:
            raise ValidationError(
                {
                    "label": f"“{label}” is not a fiscal year: the two years must be consecutive, "
                    f"for example {start}-{(start + 1) % 100:02d}."
                }
            )
        return start

    @classmethod
    def label_for(cls, start_year: int) -> str:
        return f"{start_year}-{(start_year + 1) % 100:02d}"

    @property
    def is_locked(self) -> bool:
        """Closed to every write: published, and no correction being prepared."""
        return self.status == self.Status.LOCKED

    @property
    def start_date(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def end_date(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    def locked_message(self) -> str:
        when = f" on {format_moment(self.locked_at)}" if self.locked_at else ""
        who = f" by {person_name(self.locked_by)}" if self.locked_by_id else ""
        return (
            f"Fiscal year {self.label} was published{when}{who}: nobody changes a published "
            "year in place. Prepare a correction (administrators, on the year's page in "
            "the admin) to correct it; readers keep the published release until the "
            "correction is republished."
        )

    def deletion_refusal(self) -> str:
        """Why this year cannot be deleted, in plain words ("" when it can): a year
        that holds figures, unit-quarters, text or releases keeps them."""
        held = [
            (Figure.objects.filter(period__fiscal_year=self).count(), "figure", "figures"),
            (self.unit_quarters.count(), "unit-quarter", "unit-quarters"),
            (self.narrative_blocks.count(), "text block", "text blocks"),
            (self.published_totals.count(), "published total", "published totals"),
            (self.releases.count(), "release", "releases"),
        ]
        named = [f"{count:,} {one if count == 1 else many}" for count, one, many in held if count]
        if not named:
            return ""
        return (
            f"Fiscal year {self.label} cannot be deleted: it holds {', '.join(named)}. "
            "A year with records is kept; only a year added by mistake, with nothing in it, "
            "can be deleted."
        )

    def is_writable_by(self, user) -> bool:
        """Whether this year's records may change: it is a draft, or a correction
        of it is being prepared. The same for every user, administrators included."""
        return not self.is_locked

    def ensure_writable_by(self, user) -> None:
        """Raise YearLocked when the year is published (and no correction is open)."""
        if not self.is_writable_by(user):
            raise YearLocked(self.locked_message(), code="locked")

    def frozen_quarters(self) -> dict[tuple[int, str], "UnitQuarter"]:
        """This year's submitted and approved unit-quarters by (unit id, quarter):
        one query, cached on this instance (a request, a service call, an import)."""
        cached = getattr(self, "_frozen_quarters", None)
        if cached is None:
            cached = {
                (uq.unit_id, uq.quarter): uq
                for uq in UnitQuarter.objects.filter(fiscal_year=self)
                .frozen()
                .select_related("unit", "fiscal_year", "approved_by", "submitted_by")
            }
            self._frozen_quarters = cached
        return cached

    @staticmethod
    def prefetch_frozen_quarters(years) -> None:
        """``frozen_quarters`` of several years in one query (the import pipeline)."""
        years = list(years)
        found: dict[int, dict] = {year.pk: {} for year in years}
        for uq in (
            UnitQuarter.objects.filter(fiscal_year__in=years)
            .frozen()
            .select_related("unit", "fiscal_year", "approved_by", "submitted_by")
        ):
            found[uq.fiscal_year_id][(uq.unit_id, uq.quarter)] = uq
        for year in years:
            year._frozen_quarters = found[year.pk]

    def ensure_quarter_writable_by(self, user, *, unit: Unit, period: str) -> None:
        """Raise QuarterSubmitted or QuarterApproved if the unit-quarter holding
        ``period`` (a full-year figure belongs to Q4) is submitted or approved and
        ``user`` may not correct such quarters (commands, with no user, may not)."""
        if user is not None and user.has_perm(UnitQuarter.CORRECT_PERMISSION):
            return
        frozen = self.frozen_quarters().get((unit.pk, quarter_of(period)))
        if frozen is None:
            return
        if frozen.state == UnitQuarter.State.SUBMITTED:
            raise QuarterSubmitted(frozen.submitted_message(period), code="quarter_submitted")
        raise QuarterApproved(frozen.approved_message(period), code="quarter_approved")


class ReportingPeriodQuerySet(models.QuerySet):
    def ensure_for(self, fiscal_years) -> None:
        """Make sure each year has its four quarters and its full-year period."""
        if fiscal_years:
            ReportingPeriod.objects.bulk_create(
                [
                    ReportingPeriod(fiscal_year=fiscal_year, period=period)
                    for fiscal_year in fiscal_years
                    for period in ReportingPeriod.Period.values
                ],
                ignore_conflicts=True,
            )


class PeriodKind(models.TextChoices):
    Q1 = "Q1", "Q1 (Apr–Jun)"
    Q2 = "Q2", "Q2 (Jul–Sep)"
    Q3 = "Q3", "Q3 (Oct–Dec)"
    Q4 = "Q4", "Q4 (Jan–Mar)"
    FY = "FY", "Full year"


class ReportingPeriod(models.Model):
    """A quarter of a fiscal year, or the full year itself."""

    Period = PeriodKind

    QUARTERS = ("Q1", "Q2", "Q3", "Q4")

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="periods")
    period = models.CharField(max_length=2, choices=Period.choices)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year__start_year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "period"], name="reporting_period_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(period__in=PeriodKind.values),
                name="reporting_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year.label} {self.period}"

    @property
    def is_full_year(self) -> bool:
        return self.period == self.Period.FY

    def date_range(self) -> tuple[datetime.date, datetime.date]:
        fy = self.fiscal_year
        if self.is_full_year:
            return fy.start_date, fy.end_date
        quarter = int(self.period[1])
        start_month = 4 + 3 * (quarter - 1)
        year = fy.start_year + (start_month - 1) // 12
        start_month = (start_month - 1) % 12 + 1
        start = datetime.date(year, start_month, 1)
        next_start = datetime.date(
            year + (start_month + 3 - 1) // 12, (start_month + 2) % 12 + 1, 1
        )
        return start, next_start - datetime.timedelta(days=1)


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportBatchQuerySet":
        """The imports ``user`` may read: all, or for a clerk limited to units
        (``assigned_unit_ids``) the imports they made and those whose every
        written figure (in the figures' history) is of their units. An import
        that wrote another unit's figures is not theirs to read: its counts
        and file name speak of that unit."""
        ids = assigned_unit_ids(user)
        if ids is None:
            return self
        written = Figure.history.model.objects.filter(import_batch=OuterRef("pk"))
        return self.filter(
            Q(user=user)
            | Q(
                Exists(written.filter(metric__unit_id__in=ids)),
                ~Exists(written.exclude(metric__unit_id__in=ids)),
            )
        )


class ImportBatchStatus(models.TextChoices):
    DRY_RUN = "dry_run", "Preview (nothing written)"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected (nothing written)"


class ImportBatchLayout(models.TextChoices):
    LONG = "long", "Long form"
    REPORT = "report", "Report layout"


class ImportBatchSource(models.TextChoices):
    ADMIN = "admin", "Admin"
    COMMAND = "command", "Command (import_values)"
    API = "api", "API"
    DATASET = "dataset", "Shipped dataset (load_dataset)"
    GENERATED = "generated", "Generated years (generate_sample_years)"


class ImportBatch(models.Model):
    """Provenance of one import: which file, by whom, and what it did."""

    Status = ImportBatchStatus

    Layout = ImportBatchLayout

    Source = ImportBatchSource

    file_name = models.CharField(max_length=255)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    file_format = models.CharField("format", max_length=10, blank=True)
    layout = models.CharField(
        max_length=10,
        choices=Layout.choices,
        default=Layout.LONG,
        help_text="long form or report layout",
    )
    source = models.CharField(
        max_length=20, choices=Source.choices, blank=True, help_text="Where the import came from."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportBatchStatus.values),
                name="reporting_importbatch_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(layout__in=ImportBatchLayout.values),
                name="reporting_importbatch_layout_valid",
            ),
            # Blank: an import made by code that names no source.
            models.CheckConstraint(
                condition=Q(source__in=["", *ImportBatchSource.values]),
                name="reporting_importbatch_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.file_name} ({format_moment(self.created_at)})"
            if self.created_at
            else self.file_name
        )


# Figures a statement of record_history: within every database's limit of parameters.
HISTORY_SLICE = 5_000


class FigureQuerySet(models.QuerySet):
    def for_year(self, fiscal_year: FiscalYear | str) -> "FigureQuerySet":
        if isinstance(fiscal_year, FiscalYear):
            return self.filter(period__fiscal_year=fiscal_year)
        return self.filter(period__fiscal_year__label=fiscal_year)

    def for_unit(self, unit: Unit | str) -> "FigureQuerySet":
        if isinstance(unit, Unit):
            return self.filter(metric__unit=unit)
        return self.filter(metric__unit__code=unit)

    def visible_to(self, user) -> "FigureQuerySet":
        """The figures ``user`` may see and change: all, or their assigned units'."""
        ids = assigned_unit_ids(user)
        return self if ids is None else self.filter(metric__unit_id__in=ids)

    def record_history(self, pks, history_type: str, *, user, reason: str, when) -> None:
        """One history record of each figure ``pks`` names, as it now stands in
        the database: what simple_history's ``bulk_history_create`` writes
        (type ``+`` created or ``~`` changed, user, reason, date), copied by
        the database in one ``INSERT … SELECT`` a slice rather than built
        and sent back as a Python object a row. For the import pipeline's
        large writes: 1.98× a plain bulk_create against 3.9× with
        ``bulk_create_with_history`` (BENCHMARKS.md, issue 15)."""
        history = self.model.history.model
        tracked = [field.attname for field in history.tracked_fields]
        stamp = {
            "history_date": Value(when, output_field=models.DateTimeField()),
            "history_type": Value(history_type, output_field=models.CharField()),
            "history_user": Value(user.pk if user else None, output_field=IntegerField()),
            "history_change_reason": Value(reason, output_field=models.TextField()),
        }
        columns = ", ".join(
            connections[self.db].ops.quote_name(history._meta.get_field(name).column)
            for name in (*tracked, *stamp)
        )
        table = connections[self.db].ops.quote_name(history._meta.db_table)
        pks = list(pks)
        if None in pks:  # a database that does not return new rows' ids
            raise ValueError("record_history needs figures that are saved.")
        for start in range(0, len(pks), HISTORY_SLICE):
            rows = (
                self.filter(pk__in=pks[start : start + HISTORY_SLICE])
                .order_by()
                .annotate(**{f"_{name}": value for name, value in stamp.items()})
                .values_list(*tracked, *(f"_{name}" for name in stamp))
            )
            select, params = rows.query.sql_with_params()
            with connections[self.db].cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        records_changed(self.db)  # no signal is sent for these history rows

    def unit_wide(self) -> "FigureQuerySet":
        return self.filter(region__isnull=True)

    def regional(self) -> "FigureQuerySet":
        return self.filter(region__isnull=False)

    def quarterly(self) -> "FigureQuerySet":
        return self.exclude(period__period=ReportingPeriod.Period.FY)

    def full_year(self) -> "FigureQuerySet":
        return self.filter(period__period=ReportingPeriod.Period.FY)

    def in_open_years(self) -> "FigureQuerySet":
        return self.filter(period__fiscal_year__status=FiscalYear.Status.OPEN)

    def with_keys(self) -> "FigureQuerySet":
        """Everything needed to print natural keys, in one query."""
        return self.select_related("metric__unit", "period__fiscal_year", "region")

    def in_report_order(self) -> "FigureQuerySet":
        """The order of the published report, for every list and file people read.

        As the report-layout workbook reads: each unit's unit-wide figures
        (metric by metric, the year newest first, Q1-Q4 then the full
        year), then the regional figures, unit by unit and region by region.
        The shipped dataset file is in this order.
        """
        return self.order_by(*report_order())


def period_position(field: str = "period") -> Case:
    """Q1, Q2, Q3, Q4, FY as 0-4: the periods' order, which their codes do not sort into."""
    return Case(
        *(
            When(**{field: code}, then=Value(position))
            for position, code in enumerate(ReportingPeriod.Period.values)
        ),
        output_field=IntegerField(),
    )


def report_order() -> list:
    """FigureQuerySet.in_report_order's ordering, for the admin's changelist too."""
    return [
        Case(When(region__isnull=True, then=Value(0)), default=Value(1)).asc(),
        "metric__unit__display_order",
        "metric__unit__code",
        "region__display_order",
        "region__name",
        "metric__display_order",
        "metric__code",
        "-period__fiscal_year__start_year",
        period_position("period__period").asc(),
    ]


class Figure(models.Model):
    """One figure: a metric's value for a period, unit-wide or for one region.

    A figure that is not on record was not reported; it is never stored as 0.
    """

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="figures")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="figures")
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        help_text="Empty for a unit-wide figure.",
    )
    value = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.TextField(
        blank=True, help_text="Internal note: staff only, never shown on the report."
    )
    public_note = models.TextField(
        blank=True,
        help_text="Public note: printed as a footnote of the report, on screen, on paper "
        "and in its downloads. Leave empty unless readers need it.",
    )
    import_batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="figures",
        help_text="The import that last wrote this figure.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Bumped by every write on every path (reporting.services, the import
    # pipeline); a screen or request that saw version n may overwrite the
    # figure only while it is still n (see services.record_figure). A figure
    # made again after a delete continues its key's count, so a screen that
    # saw the removed one is not mistaken for current.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )
    objects = FigureQuerySet.as_manager()

    class Meta:
        # No default order: in_report_order() says what the report's order is.
        verbose_name = "figure"
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "period"],
                condition=Q(region__isnull=True),
                name="reporting_value_unique_without_region",
                violation_error_message="This metric already has a unit-wide figure for this period.",
            ),
            models.UniqueConstraint(
                fields=["metric", "period", "region"],
                condition=Q(region__isnull=False),
                name="reporting_value_unique_with_region",
                violation_error_message="This metric already has a figure for this region and period.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="reporting_value_not_negative",
                violation_error_message="A figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(value__lte=MAX_VALUE),
                name="reporting_value_at_most_fifteen_digits",
                violation_error_message="A figure is at most 9,999,999,999,999.99.",
            ),
        ]

    def __str__(self) -> str:
        return figure_label(self)

    def clean(self) -> None:
        from reporting.validation import validate_for_metric, validate_region_for_metric

        if self.metric_id and self.region_id:
            try:
                validate_region_for_metric(self.metric, self.region)
            except ValidationError as exc:
                raise ValidationError({"region": exc.messages}) from exc
        if self.metric_id and self.value is not None:
            try:
                self.value = validate_for_metric(self.value, self.metric)
            except ValidationError as exc:
                raise ValidationError({"value": exc.messages}) from exc

    @property
    def is_whole(self) -> bool:
        return self.value == self.value.to_integral_value()

    def display_value(self) -> str:
        return format_figure(self.value, self.metric.value_type)


def bump_versions(figures) -> None:
    """Raise each figure's version for the write about to be saved: the
    optimistic concurrency check's token, for every path that writes figures.
    A figure on record goes one up; a new one (no pk) starts one past the
    highest its key ever had."""
    first = next_versions(
        (figure.metric_id, figure.period_id, figure.region_id)
        for figure in figures
        if figure.pk is None
    )
    for figure in figures:
        figure.version = (
            figure.version + 1
            if figure.pk is not None
            else first[(figure.metric_id, figure.period_id, figure.region_id)]
        )


def next_versions(keys) -> dict[tuple, int]:
    """The version a new figure starts at, for each (metric_id, period_id,
    region_id): one past the highest its key ever had, so that a figure made
    again after a delete is never mistaken for the one a screen saw."""
    keys = set(keys)
    if not keys:
        return {}
    highest = {
        (row["metric_id"], row["period_id"], row["region_id"]): row["top"]
        for row in Figure.history.filter(
            metric_id__in={k[0] for k in keys}, period_id__in={k[1] for k in keys}
        )
        .values("metric_id", "period_id", "region_id")
        .annotate(top=Max("version"))
    }
    return {key: (highest.get(key) or 0) + 1 for key in keys}


class NarrativeBlockKind(models.TextChoices):
    OVERVIEW = "overview", "Overview (opens the report)"
    STORY = "story", "Feature story"
    TEXT = "text", "Paragraph"
    LIST = "list", "List"
    SIDEBAR = "sidebar", "Sidebar (a definition)"


class NarrativeBlockPlacement(models.TextChoices):
    BEFORE = "before", "Before the tables"
    AFTER = "after", "After the tables"


class NarrativeBlock(models.Model):
    """A piece of the report's text: a feature story, a paragraph, a list, a
    sidebar (a definition), with an optional "Learn more" link.

    Of a fiscal year (``unit`` empty: the year's own pages) or of a unit in a
    year. ``body`` is a small Markdown subset, rendered and sanitised by
    ``reporting.narrative`` (no raw HTML reaches a page). Blocks are public:
    they are the report. A locked year's blocks change only as its figures do
    (``reporting.access.write_refusal``).
    """

    Kind = NarrativeBlockKind

    Placement = NarrativeBlockPlacement

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="narrative_blocks"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="narrative_blocks",
        help_text="Empty for a block of the whole year (shown before or after the units).",
    )
    key = models.SlugField(
        max_length=80,
        help_text="A short name for the block, unique within its year and unit, e.g. ice-feature.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    placement = models.CharField(max_length=10, choices=Placement.choices, default=Placement.BEFORE)
    display_order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(
        blank=True,
        help_text="Markdown: paragraphs, **bold**, *italic*, lists (- item or 1. item), "
        "> quotations and [links](https://example.org). HTML is removed.",
    )
    pull_quotes = models.TextField(
        blank=True,
        help_text="Feature stories: quotations to set apart, one per line (with the "
        "speaker's permission; shipped texts have none).",
    )
    link_text = models.CharField(
        "“Learn more” text", max_length=200, blank=True, help_text="Shown once a URL is filled in."
    )
    link_url = models.CharField(
        "“Learn more” URL",
        max_length=200,
        blank=True,
        validators=[validate_link_address],
        help_text="http://…, https://… or mailto:…; empty: the link is not shown.",
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["fiscal_year__start_year", "display_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "key"],
                condition=Q(unit__isnull=True),
                name="reporting_narrative_key_unique_per_year",
                violation_error_message="This year already has a block with this key.",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "unit", "key"],
                condition=Q(unit__isnull=False),
                name="reporting_narrative_key_unique_per_unit_year",
                violation_error_message="This unit already has a block with this key this year.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NarrativeBlockKind.values),
                name="reporting_narrative_kind_valid",
            ),
            # The overview is the year's own opening paragraph, never a unit's.
            models.CheckConstraint(
                condition=~Q(kind="overview") | Q(unit__isnull=True, placement="before"),
                name="reporting_narrative_overview_of_the_year",
                violation_error_message="An overview opens the year's report: leave the unit empty, place it before the tables.",
            ),
            models.CheckConstraint(
                condition=Q(placement__in=NarrativeBlockPlacement.values),
                name="reporting_narrative_placement_valid",
            ),
            models.CheckConstraint(
                condition=Q(link_url="")
                | Q(
                    *[("link_url__istartswith", prefix) for prefix in LINK_PREFIXES],
                    _connector="OR",
                ),
                name="reporting_narrative_link_scheme",
                violation_error_message="A link address starts with http://, https:// or mailto:.",
            ),
        ]

    def __str__(self) -> str:
        where = self.unit.code if self.unit_id else "the year"
        return f"{self.fiscal_year.label} · {where} · {self.title or self.key}"

    @property
    def quotations(self) -> list[str]:
        return [line.strip() for line in self.pull_quotes.splitlines() if line.strip()]

    @property
    def shows_link(self) -> bool:
        return bool(self.link_url)


class PublishedTotal(models.Model):
    """An ALERT-wide total as ALERT itself published it for a year.

    The summary adds the units' figures of a metric they share (by metric
    code); where the published total differs, the page says so in a public
    footnote. The published figure is a fact to keep, not a rule in code.
    """

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="published_totals"
    )
    metric_code = models.SlugField(
        max_length=100, help_text="The code the units' metrics share, e.g. suspects-charged."
    )
    value = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.TextField(
        blank=True, help_text="Public: printed in the footnote when the totals differ."
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["fiscal_year__start_year", "metric_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "metric_code"],
                name="reporting_published_total_unique",
                violation_error_message="This year already has a published total for this metric.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="reporting_published_total_not_negative",
                violation_error_message="A total cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year.label} · {self.metric_code}: {self.value}"


class ReleaseRefused(Exception):
    """Raised when a release would be changed or removed: releases are insert-only."""


class InsertOnlyQuerySet(models.QuerySet):
    """Releases and the publication log: rows are added, never changed or removed."""

    def update(self, **kwargs):
        raise ReleaseRefused("A release is kept as it was published: it cannot be changed.")

    def delete(self):
        raise ReleaseRefused("A release is kept as it was published: it cannot be removed.")

    update.queryset_only = True
    delete.queryset_only = True


class Release(models.Model):
    """A fiscal year's published page exactly as it was published: release 1, 2, ...

    ``content`` is the canonical JSON of everything the page showed
    (``reporting.releases``: the summary as ``build_summary`` built it, the
    figures of the year and of the prior years it compared with, the
    published totals), and ``sha256`` its digest. Written once by
    ``services.publish_year`` and never changed or removed: ``save`` of a
    stored release, ``delete`` and the queryset's ``update`` and ``delete``
    raise ``ReleaseRefused``, and the database's triggers refuse an UPDATE
    or DELETE of the row however it is sent (migration 0013).
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    # PROTECT: removing the person would be an UPDATE of the release (SET_NULL).
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who published it; a person who published is deactivated, never deleted.",
    )
    reason = models.TextField(
        help_text="Why this release: the first publication, or the correction."
    )
    # Where the figures were first published when not here (the shipped years:
    # "ALERT's 2023-24 annual report"), and when, where known.
    published_as = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    content = models.TextField(help_text="The published page as canonical JSON.")
    sha256 = models.CharField("SHA-256", max_length=64)

    objects = InsertOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["fiscal_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "number"], name="reporting_release_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="reporting_release_number_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year.label} release {self.number}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ReleaseRefused(f"{self} is kept as it was published: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseRefused(f"{self} is kept as it was published: it cannot be removed.")

    @property
    def data(self) -> dict:
        """``content`` read back (parsed once per instance)."""
        parsed = getattr(self, "_data", None)
        if parsed is None:
            parsed = self._data = json.loads(self.content)
        return parsed

    @property
    def figures(self) -> list[dict]:
        """The year's figures as published, one entry per figure (keys, labels,
        value as an exact string, public note)."""
        return self.data["figures"]

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    @property
    def notes(self) -> list[dict]:
        """Public notes of the findings acknowledged when it was published."""
        return self.data["release"].get("notes", [])


class PublicationEventAction(models.TextChoices):
    PUBLISHED = "published", "Published"
    # The stored value is older than the word: the year was opened for a correction.
    UNPUBLISHED = "unpublished", "Correction prepared"


class PublicationEvent(models.Model):
    """The publication log: each publication of a year and each correction prepared, by whom, when, why.

    Publishing records the findings acknowledged on the review page
    (``acknowledgements``: kind, unit, message and the written reason).
    """

    Action = PublicationEventAction

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="publication_events"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgements = models.JSONField(default=list, blank=True)

    objects = InsertOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=PublicationEventAction.values),
                name="reporting_publicationevent_action_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="reporting_publicationevent_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.fiscal_year.label} {self.get_action_display().lower()} {format_moment(self.at)}"
        )

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ReleaseRefused("The publication log is kept as written: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseRefused("The publication log is kept as written: it cannot be removed.")


def quarter_of(period: str) -> str:
    """The quarter a figure of ``period`` belongs to in the reporting cycle: its
    own, or Q4 for a full-year figure (unit-wide or regional), which is entered
    when the year closes."""
    return "Q4" if period == ReportingPeriod.Period.FY else period


class UnitQuarterQuerySet(models.QuerySet):
    def for_year(self, fiscal_year: FiscalYear) -> "UnitQuarterQuerySet":
        return self.filter(fiscal_year=fiscal_year)

    def approved(self) -> "UnitQuarterQuerySet":
        return self.filter(state=UnitQuarter.State.APPROVED)

    def frozen(self) -> "UnitQuarterQuerySet":
        """Submitted or approved: clerks may not change their figures."""
        return self.filter(state__in=UnitQuarter.FROZEN_STATES)

    def visible_to(self, user) -> "UnitQuarterQuerySet":
        """The unit-quarters ``user`` may read: all, or their assigned units'."""
        ids = assigned_unit_ids(user)
        return self if ids is None else self.filter(unit_id__in=ids)


class UnitQuarterState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class UnitQuarter(models.Model):
    """Where one unit's figures for one quarter of a year stand in the reporting cycle.

    A row exists once someone acts on the quarter (submits it, say); until then
    it is not started. *Not started* and *in progress* are read from the
    figures (none entered, some entered): a stored row that is open for entry
    keeps ``NOT_STARTED`` or, after a reopen, ``IN_PROGRESS``, and
    ``board_state`` tells the two apart. The transitions are the rows of
    ``reporting.cycle.TRANSITIONS``, made by ``services.move_quarter``; every
    change is kept in the history. A submitted or approved quarter is frozen
    for clerks (``FiscalYear.ensure_quarter_writable_by``).
    """

    State = UnitQuarterState

    OPEN_STATES = (State.NOT_STARTED, State.IN_PROGRESS)
    FROZEN_STATES = (State.SUBMITTED, State.APPROVED)
    # Administrators hold it: they may correct an approved quarter (the history
    # records who did); clerks ask for the quarter to be reopened first.
    CORRECT_PERMISSION = "reporting.change_approved_quarter"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="quarters")
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.CASCADE, related_name="unit_quarters"
    )
    quarter = models.CharField(max_length=2, choices=[(q, q) for q in ReportingPeriod.QUARTERS])
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOT_STARTED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(
        blank=True, help_text="Why the quarter was returned; the data-entry staff see it."
    )
    reopen_reason = models.TextField(blank=True, help_text="Why an approved quarter was reopened.")

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))
    objects = UnitQuarterQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year__start_year", "unit__display_order", "unit__code", "quarter"]
        verbose_name = "unit-quarter"
        verbose_name_plural = "reporting cycle"
        permissions = [
            ("submit_unitquarter", "Can submit a unit's quarter for approval"),
            ("approve_unitquarter", "Can approve, return and reopen a unit's quarter"),
            ("change_approved_quarter", "Can correct figures of an approved quarter"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "fiscal_year", "quarter"],
                name="reporting_unitquarter_unique",
                violation_error_message="This unit already has a record for this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(quarter__in=list(ReportingPeriod.QUARTERS)),
                name="reporting_unitquarter_quarter_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=UnitQuarterState.values),
                name="reporting_unitquarter_state_valid",
            ),
            # A returned quarter says why.
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(comment=""),
                name="reporting_unitquarter_returned_has_comment",
                violation_error_message="Say why the quarter is returned.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.fiscal_year.label} {self.quarter}"

    def clean(self) -> None:
        if self.state == self.State.RETURNED and not self.comment.strip():
            raise ValidationError({"comment": "Say why the quarter is returned."})

    @property
    def label(self) -> str:
        return str(self)

    def board_state(self, entered: int) -> str:
        """The state the board shows: an open quarter is not started until a figure is entered."""
        if self.state in self.OPEN_STATES:
            return self.State.IN_PROGRESS if entered else self.State.NOT_STARTED
        return self.state

    def submitted_message(self, period: str) -> str:
        who = person_name(self.submitted_by) if self.submitted_by_id else "data-entry staff"
        when = f" on {format_moment(self.submitted_at)}" if self.submitted_at else ""
        belongs = " (full-year figures belong to Q4)" if period == ReportingPeriod.Period.FY else ""
        return (
            f"{self} was submitted{when} by {who}{belongs}: its figures are frozen while an "
            f"administrator reviews them. Ask an administrator to return {self} first."
        )

    def approved_message(self, period: str) -> str:
        who = person_name(self.approved_by) if self.approved_by_id else "an administrator"
        when = f" on {format_moment(self.approved_at)}" if self.approved_at else ""
        belongs = " (full-year figures belong to Q4)" if period == ReportingPeriod.Period.FY else ""
        return (
            f"{self} was approved{when} by {who}{belongs}: its figures cannot change. "
            f"Ask an administrator to reopen {self} first."
        )


# The one row of RecordsVersion (made by its migration).
RECORDS_VERSION_ROW = 1


class RecordsVersion(models.Model):
    """One row: a token that every write of what the figures API lists
    replaces, in the write's own transaction (``records_changed``).

    A reader who sees a token sees every write committed before it: two
    writers take the row's lock in turn, so the last to commit always leaves
    its own token, whatever order their history ids came in. The figures
    API keys its cached pages and ETags by it (``reporting/caching.py``).

    The lock is held from a transaction's first write of the records to its
    commit, so a writer locks the years it writes (in one order) before it
    writes anything, as every service does: a transaction that wrote and
    then waited for a year's lock could wait on a writer waiting for it.
    """

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = "records version"

    def __str__(self) -> str:
        return str(self.token)


def records_changed(using: str = "default") -> None:
    """Give the records a new version; call inside the transaction that
    changes them. The row is made if it is missing (a flushed database)."""
    versions = RecordsVersion.objects.using(using)
    if not versions.filter(pk=RECORDS_VERSION_ROW).update(token=uuid.uuid4()):
        versions.get_or_create(pk=RECORDS_VERSION_ROW)
