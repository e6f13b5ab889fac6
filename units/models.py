"""The catalogue: ALERT's units, the metrics each reports, and the regions."""

from django.db import models
from django.db.models import Q
from django.utils.text import slugify


class UnitQuerySet(models.QuerySet):
    def active(self) -> "UnitQuerySet":
        return self.filter(active=True)


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


class MetricQuerySet(models.QuerySet):
    def active(self) -> "MetricQuerySet":
        return self.filter(active=True, unit__active=True)

    def regional(self) -> "MetricQuerySet":
        return self.exclude(regional_label="")


class Metric(models.Model):
    class ValueType(models.TextChoices):
        COUNT = "count", "Count"
        CURRENCY = "currency", "Currency (CAD)"

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
    active = models.BooleanField(default=True)

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

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="units_region_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name
