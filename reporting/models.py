"""The records: fiscal years, their reporting periods, and the figures."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, Exists, F, IntegerField, Max, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, Right
from django.urls import reverse
from simple_history.models import HistoricalRecords

from reporting.formatting import figure_label, format_figure, format_moment
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
        """The years a reader may rely on (locked = published)."""
        return self.locked()

    def writable_by(self, user) -> "FiscalYearQuerySet":
        """The years whose figures ``user`` may change (``FiscalYear.is_writable_by``):
        the open ones, and the locked ones too for those who correct published years."""
        if user is not None and user.has_perm(FiscalYear.CHANGE_LOCKED_PERMISSION):
            return self
        return self.open()


class FiscalYear(models.Model):
    """ALERT's fiscal year: 1 April to 31 March, labelled ``2023-24``."""

    class Status(models.TextChoices):
        # The values are the database's; readers see Draft and Published.
        OPEN = "open", "Draft"
        LOCKED = "locked", "Published"

    CHANGE_LOCKED_PERMISSION = "reporting.change_locked_year"

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
            ("lock_fiscalyear", "Can lock and unlock (publish) fiscal years"),
            ("change_locked_year", "Can change figures of a locked (published) year"),
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
                condition=Q(status__in=["open", "locked"]), name="reporting_fiscalyear_status_valid"
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
        return self.status == self.Status.LOCKED

    @property
    def start_date(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def end_date(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    def locked_message(self) -> str:
        who = self.locked_by.get_username() if self.locked_by_id else "an administrator"
        when = f" on {format_moment(self.locked_at)}" if self.locked_at else ""
        return (
            f"Fiscal year {self.label} is locked (published){when} by {who}: "
            "its figures cannot change. Ask an administrator to unpublish it to correct them."
        )

    def is_writable_by(self, user) -> bool:
        """Whether ``user`` may change this year's figures: it is open, or they
        may change locked years (commands, with no user, may not)."""
        return not self.is_locked or (
            user is not None and user.has_perm(self.CHANGE_LOCKED_PERMISSION)
        )

    def ensure_writable_by(self, user) -> None:
        """Raise YearLocked unless the year is open or the user may change locked years."""
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


class ReportingPeriod(models.Model):
    """A quarter of a fiscal year, or the full year itself."""

    class Period(models.TextChoices):
        Q1 = "Q1", "Q1 (Apr–Jun)"
        Q2 = "Q2", "Q2 (Jul–Sep)"
        Q3 = "Q3", "Q3 (Oct–Dec)"
        Q4 = "Q4", "Q4 (Jan–Mar)"
        FY = "FY", "Full year"

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
                condition=Q(period__in=["Q1", "Q2", "Q3", "Q4", "FY"]),
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


class ImportBatch(models.Model):
    """Provenance of one import: which file, by whom, and what it did."""

    class Status(models.TextChoices):
        DRY_RUN = "dry_run", "Preview (nothing written)"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected (nothing written)"

    class Layout(models.TextChoices):
        LONG = "long", "Long form"
        REPORT = "report", "Report layout"

    class Source(models.TextChoices):
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command (import_values)"
        API = "api", "API"
        DATASET = "dataset", "Shipped dataset (load_dataset)"
        GENERATED = "generated", "Generated years (generate_sample_years)"

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
                condition=Q(status__in=["dry_run", "confirmed", "rejected"]),
                name="reporting_importbatch_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(layout__in=["long", "report"]),
                name="reporting_importbatch_layout_valid",
            ),
            # Blank: an import made by code that names no source.
            models.CheckConstraint(
                condition=Q(source__in=["", "admin", "command", "api", "dataset", "generated"]),
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
        large writes."""
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


class NarrativeBlock(models.Model):
    """A piece of the report's text: a feature story, a paragraph, a list, a
    sidebar (a definition), with an optional "Learn more" link.

    Of a fiscal year (``unit`` empty: the year's own pages) or of a unit in a
    year. ``body`` is a small Markdown subset, rendered and sanitised by
    ``reporting.narrative`` (no raw HTML reaches a page). Blocks are public:
    they are the report. A locked year's blocks change only as its figures do
    (``reporting.access.write_refusal``).
    """

    class Kind(models.TextChoices):
        OVERVIEW = "overview", "Overview (opens the report)"
        STORY = "story", "Feature story"
        TEXT = "text", "Paragraph"
        LIST = "list", "List"
        SIDEBAR = "sidebar", "Sidebar (a definition)"

    class Placement(models.TextChoices):
        BEFORE = "before", "Before the tables"
        AFTER = "after", "After the tables"

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
                condition=Q(kind__in=["overview", "story", "text", "list", "sidebar"]),
                name="reporting_narrative_kind_valid",
            ),
            # The overview is the year's own opening paragraph, never a unit's.
            models.CheckConstraint(
                condition=~Q(kind="overview") | Q(unit__isnull=True, placement="before"),
                name="reporting_narrative_overview_of_the_year",
                violation_error_message="An overview opens the year's report: leave the unit empty, place it before the tables.",
            ),
            models.CheckConstraint(
                condition=Q(placement__in=["before", "after"]),
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
    """A fiscal year's figures exactly as they were published: release 1, 2, ...

    Written once by ``services.publish_year`` and never changed or removed
    (``save`` of a stored release, ``delete`` and the queryset's ``update`` and
    ``delete`` all raise ``ReleaseRefused``). ``figures`` holds one entry per
    figure with its keys, the labels it was printed with and its value as a
    string (exact, no float): see ``reporting.publication.snapshot``.
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(
        help_text="Why this release: the first publication, or the correction."
    )
    figures = models.JSONField(default=list)

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


class PublicationEvent(models.Model):
    """The publication log: each publish and unpublish of a year, by whom, when, why.

    Publishing records the findings acknowledged on the review page
    (``acknowledgements``: kind, unit, message and the written reason).
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="publication_events"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
                condition=Q(action__in=["published", "unpublished"]),
                name="reporting_publicationevent_action_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="reporting_publicationevent_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.fiscal_year.label} {self.get_action_display().lower()} {self.at:%Y-%m-%d %H:%M}"
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


class UnitQuarter(models.Model):
    """Where one unit's figures for one quarter of a year stand in the reporting cycle.

    A row exists once someone acts on the quarter (submits it, say); until then
    it is not started. *Not started* and *in progress* are read from the
    figures (none entered, some entered): a stored row that is open for entry
    keeps ``NOT_STARTED`` or, after a reopen, ``IN_PROGRESS``, and
    ``board_state`` tells the two apart. The transitions are the services
    ``submit_quarter``, ``approve_quarter``, ``return_quarter`` and
    ``reopen_quarter``; every change is kept in the history.
    """

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

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
                condition=Q(quarter__in=["Q1", "Q2", "Q3", "Q4"]),
                name="reporting_unitquarter_quarter_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    state__in=["not_started", "in_progress", "submitted", "approved", "returned"]
                ),
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
        who = self.submitted_by.get_username() if self.submitted_by_id else "data-entry staff"
        when = f" on {self.submitted_at:%Y-%m-%d %H:%M}" if self.submitted_at else ""
        belongs = " (full-year figures belong to Q4)" if period == ReportingPeriod.Period.FY else ""
        return (
            f"{self} was submitted{when} by {who}{belongs}: its figures are frozen while an "
            f"administrator reviews them. Ask an administrator to return {self} first."
        )

    def approved_message(self, period: str) -> str:
        who = self.approved_by.get_username() if self.approved_by_id else "an administrator"
        when = f" on {self.approved_at:%Y-%m-%d %H:%M}" if self.approved_at else ""
        belongs = " (full-year figures belong to Q4)" if period == ReportingPeriod.Period.FY else ""
        return (
            f"{self} was approved{when} by {who}{belongs}: its figures cannot change. "
            f"Ask an administrator to reopen {self} first."
        )
