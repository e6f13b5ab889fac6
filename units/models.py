"""The catalogue: ALERT's units, the metrics each reports, and the regions."""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact, In, LessThanOrEqual
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from units.names import person_name

# Codes travel in file names, sheet names, spreadsheet cells and URLs: a short
# alphabet keeps them inert everywhere (never a formula, never a character a
# sheet name refuses: / \ ? * [ ] :).
UNIT_CODE_CHARACTERS = string.ascii_uppercase + string.digits + "-_"
METRIC_CODE_CHARACTERS = string.ascii_lowercase + string.digits + "-_"
UNIT_CODE_MAX_LENGTH = 20  # a sheet name holds 31
METRIC_CODE_MAX_LENGTH = 100
REGION_NAME_MAX_LENGTH = 100
# Names the report-layout workbook (reporting.exporting.report) gives its own
# sheets and headings, and a sheet name Excel keeps for itself: a unit so
# coded would take their place, and the workbook would not import back.
RESERVED_UNIT_CODES = frozenset({"REGIONS", "REGION", "METRIC", "TOTAL", "HISTORY"})
# Words the workbook's regional table uses in its first column, lower case.
RESERVED_REGION_NAMES = frozenset({"region", "regions", "total"})
# A text cell starting with one of these is a formula to a spreadsheet;
# whitespace at either end is lost on the way back in.
REGION_NAME_BAD_STARTS = ("=", "+", "-", "@", " ", "\t", "\r", "\n", "'")
# (NUL cannot appear in a schema; PostgreSQL text cannot hold it, clean() refuses it.)
CONTROL_CHARACTERS = ("\t", "\r", "\n")
REGION_NAME_PUNCTUATION = " .'’-&(),"


class StripCharacters(models.Func):
    """``text`` with every character of ``characters`` removed from both ends:
    BTRIM(text, characters) on PostgreSQL, TRIM(text, characters) on SQLite."""

    function = "BTRIM"
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="TRIM", **extra_context)


def only_characters(field: str, allowed: str) -> Exact:
    """A database condition: ``field`` holds only characters of ``allowed``.

    Regular expressions in constraints are not portable (SQLite has none of
    its own), so the allowed characters are trimmed from both ends and
    nothing may remain: both databases run this the same way.
    """
    return Exact(StripCharacters(F(field), Value(allowed)), Value(""))


def code_problem(code: str, *, allowed: str, what: str, example: str, max_length: int) -> str:
    """Why ``code`` cannot be a code, in words; empty when it can."""
    if not code:
        return ""
    wrong = sorted({c for c in code if c not in allowed})
    if wrong:
        shown = ", ".join(f"“{c}”" if c.strip() else "a space" for c in wrong)
        return f"“{code}” cannot be a {what} code: it holds {shown}. Use only {example}."
    if code[0] in "-_":
        return f"“{code}” cannot be a {what} code: begin it with a letter or a digit."
    if len(code) > max_length:
        return f"A {what} code is at most {max_length} characters; “{code}” has {len(code)}."
    return ""


def unit_code_problem(code: str) -> str:
    problem = code_problem(
        code,
        allowed=UNIT_CODE_CHARACTERS,
        what="unit",
        example="capital letters, digits, - and _, such as ICE or CFSEU",
        max_length=UNIT_CODE_MAX_LENGTH,
    )
    if not problem and code and code.upper() in RESERVED_UNIT_CODES:
        problem = (
            f"“{code}” cannot be a unit code: the report workbook uses that name for its own "
            f"sheets and headings ({', '.join(sorted(RESERVED_UNIT_CODES))}). Choose another."
        )
    return problem


def metric_code_problem(code: str) -> str:
    return code_problem(
        code,
        allowed=METRIC_CODE_CHARACTERS,
        what="metric",
        example="lower-case letters, digits, - and _, such as file-intakes",
        max_length=METRIC_CODE_MAX_LENGTH,
    )


def region_name_problem(name: str) -> str:
    if not name:
        return ""
    wrong = sorted({c for c in name if not (c.isalnum() or c in REGION_NAME_PUNCTUATION)})
    if wrong:
        shown = ", ".join(repr(c) if not c.isprintable() else f"“{c}”" for c in wrong)
        return (
            f"“{name}” cannot be a region name: it holds {shown}. Use letters, digits, "
            "spaces and . ' - & ( ) , as in Red Deer or Fort McMurray."
        )
    if not name[0].isalnum() or name != name.strip():
        return (
            f"“{name}” cannot be a region name: begin it with a letter or a digit and "
            "leave no space at either end."
        )
    if name.lower() in RESERVED_REGION_NAMES:
        return (
            f"“{name}” cannot be a region name: the report workbook's regional table uses "
            "that word for its own headings. Choose another name."
        )
    return ""


class UnitNotAssigned(ValidationError):
    """Raised when a data-entry user works on a unit they are not assigned to."""


# Held by Administrators and Leadership through their roles, and by a
# data-entry person whose "every unit" box is ticked (reporting.people).
EVERY_UNIT_PERMISSION = "units.every_unit"


def assigned_unit_ids(user) -> frozenset[int] | None:
    """The units a user may see and change the figures of; None means every unit.

    The one rule of unit assignment: a user assigned to units (in the admin,
    on the user's or the unit's page) works on those units only. A user with
    no assignment works on every unit only when they hold
    ``EVERY_UNIT_PERMISSION`` (the administrators' and leadership's roles
    give it; a data-entry person gets it from the explicit "every unit" box),
    and on none otherwise: a clerk added without a unit sees nothing rather
    than everything. Superusers, commands (no user) and the shipped dataset
    are never limited. Read once per user object, that is once per request,
    as ``ModelBackend`` keeps a user's permissions.
    """
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    if not hasattr(user, "alert_assigned_unit_ids"):
        user.alert_assigned_unit_ids = frozenset(user.assigned_units.values_list("pk", flat=True))
    if user.alert_assigned_unit_ids:
        return user.alert_assigned_unit_ids
    return None if user.has_perm(EVERY_UNIT_PERMISSION) else frozenset()


class UnitQuerySet(models.QuerySet):
    def active(self) -> "UnitQuerySet":
        return self.filter(active=True)

    def editable_by(self, user) -> "UnitQuerySet":
        """The units whose figures ``user`` may see and change (see assigned_unit_ids)."""
        ids = assigned_unit_ids(user)
        return self if ids is None else self.filter(pk__in=ids)


class Unit(models.Model):
    code = models.CharField(
        max_length=UNIT_CODE_MAX_LENGTH,
        unique=True,
        help_text="Short code used in files and as the unit's sheet name, e.g. ICE or CFSEU: "
        "capitals, digits, - and _.",
    )
    name = models.CharField(
        max_length=200, help_text="Full name, e.g. Internet Child Exploitation."
    )
    program = models.CharField(
        "program heading",
        max_length=200,
        help_text="Heading the annual report prints, e.g. Protecting Kids Online.",
    )
    team = models.CharField(
        "team name",
        max_length=200,
        blank=True,
        help_text="Team name as printed after the heading, e.g. Firearms Lab & Gang Suppression Teams.",
    )
    description = models.TextField(blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    data_entry_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_units",
        verbose_name="assigned data-entry users",
        help_text="Data-entry staff who enter this unit's figures. A user assigned to "
        "units sees and changes only those units; one with no unit works on every unit only "
        "with the “every unit” box ticked on their page, and on none otherwise.",
    )

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "code"]
        permissions = [("every_unit", "Works on every unit (no unit assigned)")]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="units_unit_code_not_blank"),
            models.CheckConstraint(
                condition=Q(only_characters("code", UNIT_CODE_CHARACTERS))
                & ~Q(code__startswith="-")
                & ~Q(code__startswith="_")
                & Q(LessThanOrEqual(Length("code"), UNIT_CODE_MAX_LENGTH)),
                name="units_unit_code_pattern",
                violation_error_message="A unit code is capitals, digits, - and _.",
            ),
            models.CheckConstraint(
                condition=~Q(code__in=sorted(RESERVED_UNIT_CODES)),
                name="units_unit_code_not_reserved",
                violation_error_message="This code is a name the report workbook uses itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def clean(self) -> None:
        if problem := unit_code_problem(self.code):
            raise ValidationError({"code": problem}, code="invalid_code")

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def heading(self) -> str:
        return f"{self.program} | {self.team or self.name}"

    def is_editable_by(self, user) -> bool:
        ids = assigned_unit_ids(user)
        return ids is None or self.pk in ids

    def ensure_editable_by(self, user) -> None:
        """Raise UnitNotAssigned unless ``user`` may change this unit's figures."""
        if not self.is_editable_by(user):
            raise UnitNotAssigned(
                f"{person_name(user)} is not assigned to {self.code}: only the units "
                "assigned to you on your user page can be changed. Ask an administrator "
                f"to assign you to {self.code}.",
                code="unit_not_assigned",
            )


def _assignment_str(assignment) -> str:
    # A unit assignment reads as its unit ("CFSEU — Combined Special Forces
    # Enforcement") wherever the admin names it: the user's page, its history.
    return str(assignment.unit)


Unit.data_entry_users.through.__str__ = _assignment_str


class MetricQuerySet(models.QuerySet):
    def active(self) -> "MetricQuerySet":
        return self.filter(active=True, unit__active=True)

    def regional(self) -> "MetricQuerySet":
        return self.exclude(regional_label="")


class MetricValueType(models.TextChoices):
    COUNT = "count", "Count"
    CURRENCY = "currency", "Currency (CAD)"


class MetricPolarity(models.TextChoices):
    # Whether a rise is good news. A direction is not a verdict for most
    # police statistics: only a metric set here gets a coloured change.
    NEITHER = "neither", "Neither (no colour)"
    HIGHER_IS_BETTER = "higher_better", "Higher is better"
    HIGHER_IS_WORSE = "higher_worse", "Higher is worse"


class Metric(models.Model):
    ValueType = MetricValueType

    Polarity = MetricPolarity

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="metrics")
    code = models.SlugField(
        max_length=METRIC_CODE_MAX_LENGTH,
        help_text="Slug of the printed label, e.g. est-value-of-drugs-seized: lower-case "
        "letters, digits, - and _.",
    )
    label = models.CharField(max_length=200, help_text="Row label as the report prints it.")
    value_type = models.CharField(max_length=10, choices=ValueType.choices, default=ValueType.COUNT)
    display_order = models.PositiveSmallIntegerField(default=0)
    regional_label = models.CharField(
        max_length=60,
        blank=True,
        help_text="Column heading in the regional table (e.g. ARRESTS); blank if not reported by region.",
    )
    headline = models.BooleanField(
        default=False, help_text="Shown among the headline figures of the annual summary."
    )
    note = models.TextField(
        blank=True, help_text="Internal note: staff only, never shown on the report."
    )
    public_note = models.TextField(
        blank=True,
        help_text="Public note: a footnote under the unit's table in every year's report.",
    )
    polarity = models.CharField(
        max_length=15,
        choices=Polarity.choices,
        default=Polarity.NEITHER,
        help_text="Whether a rise is good news; only then is the change from last year coloured.",
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()
    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["unit__display_order", "unit__code", "display_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"], name="units_metric_unique_code_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(value_type__in=MetricValueType.values),
                name="units_metric_value_type_valid",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="units_metric_code_not_blank"),
            models.CheckConstraint(
                condition=Q(only_characters("code", METRIC_CODE_CHARACTERS))
                & ~Q(code__startswith="-")
                & ~Q(code__startswith="_")
                & Q(LessThanOrEqual(Length("code"), METRIC_CODE_MAX_LENGTH)),
                name="units_metric_code_pattern",
                violation_error_message="A metric code is lower-case letters, digits, - and _.",
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=MetricPolarity.values),
                name="units_metric_polarity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.label}"

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            self.code = slugify(self.label)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if problem := metric_code_problem(self.code):
            raise ValidationError({"code": problem}, code="invalid_code")

    @property
    def is_currency(self) -> bool:
        return self.value_type == self.ValueType.CURRENCY


class Region(models.Model):
    """A region of the regional table. It has no code: its name is its key in
    files (``Red Deer``), so the name is what is kept inert and re-importable."""

    name = models.CharField(
        max_length=REGION_NAME_MAX_LENGTH,
        unique=True,
        help_text="As the report prints it, e.g. Red Deer: letters, digits, spaces and "
        ". ' - & ( ) ,",
    )
    display_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="units_region_name_not_blank"),
            models.CheckConstraint(
                condition=Q(
                    *(~Q(name__startswith=start) for start in REGION_NAME_BAD_STARTS),
                    *(~Q(name__contains=character) for character in CONTROL_CHARACTERS),
                )
                & ~Q(name__endswith=" ")
                & Q(LessThanOrEqual(Length("name"), REGION_NAME_MAX_LENGTH)),
                name="units_region_name_inert",
                violation_error_message="A region name begins with a letter or a digit.",
            ),
            models.CheckConstraint(
                condition=~Q(In(Lower("name"), sorted(RESERVED_REGION_NAMES))),
                name="units_region_name_not_reserved",
                violation_error_message="This name is a heading of the regional table.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if problem := region_name_problem(self.name):
            raise ValidationError({"name": problem}, code="invalid_name")
