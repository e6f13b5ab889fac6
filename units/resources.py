"""Catalogue import/export, keyed by natural keys (codes and names), never ids."""

from import_export import fields, resources, widgets

from units.models import Metric, Region, Unit


class UnitResource(resources.ModelResource):
    class Meta:
        model = Unit
        import_id_fields = ["code"]
        fields = ["code", "name", "program", "team", "description", "display_order", "active"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True


class MetricResource(resources.ModelResource):
    unit = fields.Field(
        attribute="unit", column_name="unit", widget=widgets.ForeignKeyWidget(Unit, "code")
    )

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
            "active",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Metric.objects.select_related("unit")


class RegionResource(resources.ModelResource):
    class Meta:
        model = Region
        import_id_fields = ["name"]
        fields = ["name", "display_order"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
