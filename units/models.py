"""The catalogue: ALERT's units, the metrics each reports, and the regions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from simple_history.models import HistoricalRecords


class UnitNotAssigned(ValidationError):
    """Raised when a data-entry user works on a unit they are not assigned to."""


_UNCACHED = object()


def assigned_unit_ids(user) -> frozenset[int] | None:
    """The units a user may change figures of; None means every unit.

    The one rule of unit assignment: a user assigned to units (in the admin,
    on the user's or the unit's page) works on those units only. A user with
    no assignment works on every unit, so a small office needs no set-up;
    superusers, commands (no user) and the shipped dataset are never limited.
    Cached on the user object for the length of a request.
    """
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    cached = getattr(user, "_assigned_unit_ids", _UNCACHED)
    if cached is _UNCACHED:
        cached = frozenset(user.assigned_units.values_list("pk", flat=True)) or None
        user._assigned_unit_ids = cached
    return cached


class UnitQuerySet(models.QuerySet):
    def active(self) -> "UnitQuerySet":
        return self.filter(active=True)

    def editable_by(self, user) -> "UnitQuerySet":
        """The units whose figures ``user`` may see and change (see assigned_unit_ids)."""
        ids = assigned_unit_ids(user)
        return self if ids is None else self.filter(pk__in=ids)


class Unit(models.Model):
    code = models.CharField(
        max_length=20, unique=True, help_text="Short code used in files, e.g. ICE or CFSEU."
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
        "units sees and changes only those units; a user with no assignment works on all units.",
    )

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="units_unit_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

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
                f"{user.get_username()} is not assigned to {self.code}: only the units "
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


class Metric(models.Model):
    class ValueType(models.TextChoices):
        COUNT = "count", "Count"
        CURRENCY = "currency", "Currency (CAD)"

    class Polarity(models.TextChoices):
        # Whether a rise is good news. A direction is not a verdict for most
        # police statistics: only a metric set here gets a coloured change.
        NEITHER = "neither", "Neither (no colour)"
        HIGHER_IS_BETTER = "higher_better", "Higher is better"
        HIGHER_IS_WORSE = "higher_worse", "Higher is worse"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="metrics")
    code = models.SlugField(
        max_length=100, help_text="Slug of the printed label, e.g. est-value-of-drugs-seized."
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
    note = models.TextField(blank=True, help_text="Footnote shown under the unit's table.")
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
                condition=Q(value_type__in=["count", "currency"]),
                name="units_metric_value_type_valid",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="units_metric_code_not_blank"),
            models.CheckConstraint(
                condition=Q(polarity__in=["neither", "higher_better", "higher_worse"]),
                name="units_metric_polarity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.label}"

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            self.code = slugify(self.label)
        super().save(*args, **kwargs)

    @property
    def is_currency(self) -> bool:
        return self.value_type == self.ValueType.CURRENCY


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="units_region_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name
