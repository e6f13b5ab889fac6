"""One FilterSet per list, shared by the pages and the API.

Filters go through the Figure queryset methods (``for_unit``,
``for_year``, ``unit_wide``...) so that a page, the API and the summary agree
on what "a unit's figures" or "unit-wide" means.
"""

import datetime

import django_filters
from django import forms
from django.db.models import F
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from reporting.models import Figure, FiscalYear, ReportingPeriod
from units.models import Metric, Region, Unit

UNIT_WIDE = "none"


@extend_schema_field(OpenApiTypes.STR)
class NaturalKeyFilter(django_filters.ModelChoiceFilter):
    """Chooses an object by its natural key (a unit's code, a year's label);
    an unknown key is a 400 naming the parameter, not an empty list."""


class StrictFilterSet(django_filters.FilterSet):
    """What the schema says of a parameter, the filter does: a typed
    parameter (a date-time, a choice, a yes/no) given empty, or a yes/no that
    is neither ``true`` nor ``false``, is a 400 naming it (django-filter would
    quietly leave such a filter out and list everything)."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if name not in self.data or isinstance(filter_, TEXT_FILTERS):
                continue
            for raw in self.data.getlist(name):
                if raw == "":
                    self.form.add_error(None, {name: f"Give {name} a value, or leave it out."})
                    valid = False
                elif isinstance(filter_, django_filters.BooleanFilter) and raw not in (
                    "true",
                    "false",
                ):
                    self.form.add_error(None, {name: f"“{raw}” is not true or false."})
                    valid = False
        return valid


class UtcDateTimeField(IsoDateTimeField):
    """A date-time read in UTC. ISO 8601 allows offsets up to ±23:59 and
    PostgreSQL only up to ±15:59: a moment sent as ``…+20:59`` was a 500."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError as error:  # year 9999 pushed past the calendar's end
            raise forms.ValidationError(
                "That date-time is out of range.", code="invalid"
            ) from error


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


# Free text in the schema (a code, a name, a label): empty means "any".
TEXT_FILTERS = (django_filters.CharFilter, NaturalKeyFilter)


class FigureFilter(StrictFilterSet):
    unit = NaturalKeyFilter(
        queryset=Unit.objects.all(),
        to_field_name="code",
        method="filter_unit",
        label="Unit code, e.g. ICE",
    )
    metric = django_filters.CharFilter(
        field_name="metric__code", label="Metric code, e.g. file-intakes"
    )
    fiscal_year = NaturalKeyFilter(
        queryset=FiscalYear.objects.all(),
        to_field_name="label",
        method="filter_fiscal_year",
        label="Fiscal year, e.g. 2023-24",
    )
    period = django_filters.ChoiceFilter(
        field_name="period__period", choices=ReportingPeriod.Period.choices, label="Period"
    )
    region = django_filters.CharFilter(
        method="filter_region",
        label="Region name, or “none” for unit-wide figures",
    )
    value_type = django_filters.ChoiceFilter(
        field_name="metric__value_type", choices=Metric.ValueType.choices, label="Value type"
    )
    changed_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after (ISO 8601 date or date-time)",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("metric__unit__code", "unit"),
            ("metric__code", "metric"),
            ("period__fiscal_year__start_year", "fiscal_year"),
            ("period__period", "period"),
            ("region__name", "region"),
            ("value", "value"),
            ("updated_at", "updated_at"),
            ("id", "id"),
        ),
        label="Order by (prefix with - for descending)",
    )

    class Meta:
        model = Figure
        fields: list[str] = []

    def filter_unit(self, queryset, name, unit):
        return queryset.for_unit(unit) if unit else queryset

    def filter_fiscal_year(self, queryset, name, fiscal_year):
        return queryset.for_year(fiscal_year) if fiscal_year else queryset

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        if value.strip().lower() == UNIT_WIDE:
            return queryset.unit_wide()
        return queryset.regional().filter(region__name__iexact=value.strip())

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.in_report_order()
        # A stable order for pagination when ordering by a non-unique field.
        return queryset.order_by(*queryset.query.order_by, F("id").asc())


class UnitFilter(StrictFilterSet):
    class Meta:
        model = Unit
        fields = ["active"]


class MetricFilter(StrictFilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", label="Unit code, e.g. ICE")
    regional = django_filters.BooleanFilter(method="filter_regional", label="Reported by region")

    class Meta:
        model = Metric
        fields = ["unit", "value_type", "headline", "active"]

    def filter_regional(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.regional() if value else queryset.filter(regional_label="")


class RegionFilter(StrictFilterSet):
    class Meta:
        model = Region
        fields: list[str] = []


class FiscalYearFilter(StrictFilterSet):
    class Meta:
        model = FiscalYear
        fields = ["status"]


class ReportingPeriodFilter(StrictFilterSet):
    fiscal_year = django_filters.CharFilter(
        field_name="fiscal_year__label", label="Fiscal year, e.g. 2023-24"
    )

    class Meta:
        model = ReportingPeriod
        fields = ["fiscal_year", "period"]
