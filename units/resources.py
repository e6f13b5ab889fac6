"""Catalogue import/export, keyed by natural keys (codes and names), never ids."""

from import_export import fields, resources, widgets

from alert.importexport import FileProblemsFirst
from units.models import Metric, Region, Unit


class UnitCodeWidget(widgets.ForeignKeyWidget):
    """A unit by its code; an unknown code is a field error naming the known ones
    (a ValueError, which django-import-export shows against the field)."""

    def __init__(self):
        super().__init__(Unit, "code")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Unit.DoesNotExist:
            import difflib

            codes = sorted(Unit.objects.values_list("code", flat=True))
            close = difflib.get_close_matches(str(value).upper(), codes, n=1)
            hint = f" Did you mean “{close[0]}”?" if close else ""
            raise ValueError(
                f"There is no unit “{value}”.{hint} Known units: {', '.join(codes)}."
            ) from None


class WholeNumberWidget(widgets.IntegerWidget):
    """IntegerWidget truncates 12.5 to 12; a display order of 12.5 is refused instead."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a whole number.") from None
        if not number.is_integer():
            raise ValueError(f"“{text}” is not a whole number: write it without a fraction.")
        return int(number)


def _display_order():
    return fields.Field(
        attribute="display_order", column_name="display_order", widget=WholeNumberWidget()
    )


class UnitResource(FileProblemsFirst, resources.ModelResource):
    display_order = _display_order()

    class Meta:
        model = Unit
        import_id_fields = ["code"]
        fields = ["code", "name", "program", "team", "description", "display_order", "active"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # the model's messages, not a database error


class MetricResource(FileProblemsFirst, resources.ModelResource):
    unit = fields.Field(attribute="unit", column_name="unit", widget=UnitCodeWidget())

    class Meta:
        model = Metric
        import_id_fields = ["unit", "code"]
        fields = [
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
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # the model's messages, not a database error

    def get_queryset(self):
        return Metric.objects.select_related("unit")


class RegionResource(FileProblemsFirst, resources.ModelResource):
    display_order = _display_order()

    class Meta:
        model = Region
        import_id_fields = ["name"]
        fields = ["name", "display_order"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # the model's messages, not a database error
