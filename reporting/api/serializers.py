"""How the API shows and reads things.

Serializers only translate: natural keys to objects and back. Validation of
a figure is ``reporting.validation.parse_value`` (inside the services and the
import pipeline), so the API accepts and refuses exactly what the admin and
the importer do.
"""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from reporting.importing.longform import COLUMNS, did_you_mean
from reporting.models import Figure, FiscalYear, NarrativeBlock, ReportingPeriod
from units.models import Metric, Region, Unit

FIGURE = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\d+\.\d{2}$",
    "example": "2725161.00",
    "description": "Exact, as a string with two decimal places.",
}


@extend_schema_field(FIGURE)
class FigureValue(serializers.DecimalField):
    """A figure: a string with two decimal places, exact."""

    places = 2

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", self.places)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


@extend_schema_field({**FIGURE, "nullable": True})
class NullableFigureValue(FigureValue):
    """A figure or null (not reported)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "nullable": True}
)
class Change(NullableFigureValue):
    """The change from last year (negative for a fall), or null."""


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d+\.\d$",
        "nullable": True,
        "example": "12.5",
    }
)
class Percent(NullableFigureValue):
    """A percent change to one decimal place, or null where it would mislead."""

    places = 1


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "example": "$1,234"},
            {"type": "number", "example": 1234},
        ],
        "description": "A figure as a person would type it (1234, 1,234, $1,234.50) or a "
        "JSON number. Counts are whole numbers; amounts are exact to the cent.",
    }
)
class FigureInput(serializers.Field):
    """What a client sends as a figure; checked later by parse_value."""

    default_error_messages = {"invalid": "Give the figure as a number or as text, e.g. 1234."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return str(value)


class RefusesUnknownKeys:
    """A write serializer that refuses keys it does not know, naming the closest
    known one (DRF would drop them silently: ``"regoin": "Calgary"`` would
    make a unit-wide figure)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = list(self.fields)
            unknown = [key for key in data if key not in self.fields]
            if unknown:
                raise serializers.ValidationError(
                    {
                        str(key): [
                            f"“{key}” is not a field of this request: use "
                            f"{', '.join(known)}.{did_you_mean(str(key), known)}"
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


# --- Catalogue -----------------------------------------------------------------------------


class UnitSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:unit-detail", lookup_field="code")

    class Meta:
        model = Unit
        fields = [
            "url",
            "code",
            "name",
            "program",
            "team",
            "heading",
            "description",
            "display_order",
            "active",
        ]


class MetricSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:metric-detail")
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Metric
        fields = [
            "url",
            "id",
            "unit",
            "code",
            "label",
            "value_type",
            "display_order",
            "regional_label",
            "headline",
            "note",
            "public_note",
            "active",
        ]


class RegionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:region-detail")

    class Meta:
        model = Region
        fields = ["url", "id", "name", "display_order"]


class FiscalYearSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:fiscalyear-detail", lookup_field="label"
    )
    summary = serializers.SerializerMethodField()
    locked_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = FiscalYear
        fields = ["url", "label", "start_year", "status", "locked_at", "locked_by", "summary"]

    def get_summary(self, fiscal_year) -> str:
        return reverse("api:summary", args=[fiscal_year.label], request=self.context.get("request"))


class ReportingPeriodSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:reportingperiod-detail")
    fiscal_year = serializers.CharField(source="fiscal_year.label", read_only=True)
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = ["url", "id", "fiscal_year", "period", "start", "end"]

    def get_start(self, period) -> OpenApiTypes.DATE:
        return period.date_range()[0]

    def get_end(self, period) -> OpenApiTypes.DATE:
        return period.date_range()[1]


# --- Figures ------------------------------------------------------------------------------


class FigureSerializer(serializers.ModelSerializer):
    """A figure with its natural keys; ``region`` is null for a unit-wide figure."""

    url = serializers.HyperlinkedIdentityField(view_name="api:figure-detail")
    unit = serializers.CharField(source="metric.unit.code", read_only=True)
    metric = serializers.CharField(source="metric.code", read_only=True)
    fiscal_year = serializers.CharField(source="period.fiscal_year.label", read_only=True)
    period = serializers.ChoiceField(
        source="period.period", choices=ReportingPeriod.Period.choices, read_only=True
    )
    region = serializers.CharField(source="region.name", read_only=True, allow_null=True)
    value_type = serializers.ChoiceField(
        source="metric.value_type", choices=Metric.ValueType.choices, read_only=True
    )
    value = FigureValue(read_only=True)
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Figure
        fields = ["url", "id", *COLUMNS, "value_type", "updated_at", "updated_by", "version"]

    @property
    def row_columns(self) -> tuple[str, ...]:
        """The values() column of each field but the URL (built from the id),
        read from the fields' own sources: the list reads rows, not instances."""
        return tuple(_column(field) for name, field in self.fields.items() if name != "url")

    def to_representation(self, figure: Figure) -> dict:
        return self.row(tuple(_follow(figure, column) for column in self.row_columns))

    def row(self, columns: tuple) -> dict:
        """The fields, from ``row_columns``' values, built directly: the list is
        the API's hot path (a page of up to 1,000 figures), and the per-field
        machinery and one ``reverse()`` per row cost more than the rest."""
        if not hasattr(self, "_url_prefix"):
            # Once per list: the child serializer is shared by every row.
            placeholder = reverse("api:figure-detail", args=[0])
            request = self.context.get("request")
            if request is not None:
                placeholder = request.build_absolute_uri(placeholder)
            self._url_prefix = placeholder[: placeholder.rindex("0/")]
            self._names = [name for name in self.fields if name != "url"]
            # Only numbers and dates need their field's formatting; the rest is text.
            self._formatted = [
                (name, field)
                for name, field in self.fields.items()
                if isinstance(field, serializers.DecimalField | serializers.DateTimeField)
            ]
        shaped = {"url": None, **dict(zip(self._names, columns, strict=True))}
        shaped["url"] = f"{self._url_prefix}{shaped['id']}/"
        for name, field in self._formatted:
            shaped[name] = field.to_representation(shaped[name])
        return shaped


def _column(field: serializers.Field) -> str:
    """``metric.unit.code`` as values() names it; a slug field reads its slug."""
    column = field.source.replace(".", "__")
    slug_field = getattr(field, "slug_field", None)
    return f"{column}__{slug_field}" if slug_field else column


def _follow(figure: Figure, column: str) -> object:
    """What values() would give for ``column`` of a figure already in memory."""
    found = figure
    for attribute in column.split("__"):
        if found is None:
            return None
        found = getattr(found, attribute)
    return found


class FigureCreateSerializer(RefusesUnknownKeys, serializers.Serializer):
    """A new figure, named by its natural keys (a long-form row). Leave out
    ``region`` (or send null or "") for a unit-wide figure."""

    unit = serializers.CharField(help_text="Unit code, e.g. ICE.")
    metric = serializers.CharField(help_text="Metric code, e.g. file-intakes.")
    fiscal_year = serializers.CharField(help_text="Fiscal year label, e.g. 2023-24.")
    period = serializers.ChoiceField(choices=ReportingPeriod.Period.choices)
    region = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Region name, or null."
    )
    value = FigureInput()
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, help_text="Internal note (staff only)."
    )
    public_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10000,
        help_text="Public note: a footnote of the report.",
    )

    def validate_region(self, region: str | None) -> str:
        return region or ""


class FigureUpdateSerializer(RefusesUnknownKeys, serializers.Serializer):
    """A change to a figure on record: its value and/or its notes (a note left
    out stays as it is)."""

    value = FigureInput()
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, help_text="Internal note (staff only)."
    )
    public_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10000,
        help_text="Public note: a footnote of the report.",
    )


# --- Bulk upsert --------------------------------------------------------------------------


class LongFormRowSerializer(RefusesUnknownKeys, serializers.Serializer):
    """One long-form row, as in an import file. A null or blank value means
    not reported: the row is skipped and nothing is stored. A missing note
    (internal) or public_note (a footnote of the report) leaves that note on
    record as it is."""

    unit = serializers.CharField(allow_blank=True, max_length=200)
    metric = serializers.CharField(allow_blank=True, max_length=200)
    fiscal_year = serializers.CharField(allow_blank=True, max_length=20)
    period = serializers.CharField(allow_blank=True, max_length=20)
    region = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, default=""
    )
    value = FigureInput(allow_null=True)
    note = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=10000, default=None
    )
    public_note = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=10000, default=None
    )

    def validate_period(self, period: str) -> str:
        return period.upper()

    def validate_region(self, region: str | None) -> str:
        return region or ""

    def validate_value(self, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


# --- Summary ------------------------------------------------------------------------------


class YearFigureSerializer(serializers.Serializer):
    value = NullableFigureValue()
    source = serializers.ChoiceField(
        choices=["recorded", "derived", "partial"],
        allow_null=True,
        help_text="recorded (a full-year figure), derived (sum of four quarters), "
        "partial (sum of the quarters reported so far), or null (not reported).",
    )


class MetricRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value_type = serializers.ChoiceField(choices=Metric.ValueType.choices)
    headline = serializers.BooleanField()
    regional_label = serializers.CharField(allow_blank=True)
    quarters = serializers.ListField(
        child=NullableFigureValue(), help_text="Q1 to Q4; null = not reported."
    )
    year = YearFigureSerializer()
    prior_years = YearFigureSerializer(many=True)
    change = Change()
    change_percent = Percent()
    footnotes = serializers.ListField(child=serializers.IntegerField())


class RegionalColumnSerializer(serializers.Serializer):
    metric_code = serializers.CharField()
    heading = serializers.CharField()
    value_type = serializers.ChoiceField(choices=Metric.ValueType.choices)


class RegionalRowSerializer(serializers.Serializer):
    region = serializers.CharField()
    values = serializers.ListField(child=NullableFigureValue())


class RegionalTableSerializer(serializers.Serializer):
    columns = RegionalColumnSerializer(many=True)
    rows = RegionalRowSerializer(many=True)
    totals = serializers.ListField(child=NullableFigureValue())


class FootnoteSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    metric_label = serializers.CharField()
    text = serializers.CharField()


class NarrativeTextSerializer(serializers.Serializer):
    """A block of the report's text; ``body`` is its Markdown (the page renders a sanitised subset)."""

    key = serializers.CharField()
    unit_code = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=NarrativeBlock.Kind.values)
    placement = serializers.ChoiceField(choices=NarrativeBlock.Placement.values)
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    quotations = serializers.ListField(child=serializers.CharField())
    link_text = serializers.CharField(allow_blank=True)
    link_url = serializers.CharField(allow_blank=True)


class AlertTotalRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value_type = serializers.ChoiceField(choices=Metric.ValueType.choices)
    units = serializers.ListField(
        child=serializers.CharField(), help_text="The units whose figures the year's total counts."
    )
    prior_units = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The units each prior year's total counts, in the order of prior_years.",
    )
    compared_units = serializers.ListField(
        child=serializers.CharField(),
        help_text="The units reported in both this year and last: the change counts these only.",
    )
    polarity = serializers.ChoiceField(choices=Metric.Polarity.choices)
    year = YearFigureSerializer()
    prior_years = YearFigureSerializer(many=True)
    change = Change()
    change_percent = Percent()
    footnotes = serializers.ListField(child=serializers.IntegerField())


class AlertTotalsSerializer(serializers.Serializer):
    rows = AlertTotalRowSerializer(many=True)
    footnotes = FootnoteSerializer(many=True)


class UnitSectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    program = serializers.CharField()
    team = serializers.CharField(allow_blank=True)
    heading = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    rows = MetricRowSerializer(many=True)
    regional = RegionalTableSerializer(allow_null=True)
    footnotes = FootnoteSerializer(many=True)
    prior_years = serializers.ListField(
        child=serializers.CharField(),
        help_text="The prior years in which the unit has figures; rows' prior_years match it.",
    )
    text_before = NarrativeTextSerializer(many=True)
    text_after = NarrativeTextSerializer(many=True)


class HeadlineSerializer(serializers.Serializer):
    unit_code = serializers.CharField()
    metric_code = serializers.CharField()
    label = serializers.CharField()
    value_type = serializers.ChoiceField(choices=Metric.ValueType.choices)
    value = NullableFigureValue()
    partial = serializers.BooleanField()
    last_year = NullableFigureValue()
    change = Change()
    change_percent = Percent()


class AnnualSummarySerializer(serializers.Serializer):
    """``reporting.summary.build_summary`` as JSON: the structure the summary page shows."""

    fiscal_year = serializers.CharField()
    status = serializers.ChoiceField(choices=FiscalYear.Status.choices)
    is_locked = serializers.BooleanField()
    locked_at = serializers.DateTimeField(allow_null=True)
    prior_years = serializers.ListField(child=serializers.CharField())
    years = serializers.ListField(child=serializers.CharField())
    headlines = HeadlineSerializer(many=True)
    units = UnitSectionSerializer(many=True)
    alert_totals = AlertTotalsSerializer(allow_null=True)
    text_before = NarrativeTextSerializer(many=True)
    text_after = NarrativeTextSerializer(many=True)
    release = serializers.IntegerField(
        allow_null=True, help_text="The release shown (the newest); null for a draft."
    )
    release_sha256 = serializers.CharField(
        allow_null=True, help_text="The SHA-256 of the release's content; null for a draft."
    )
