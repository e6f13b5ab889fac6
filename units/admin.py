from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from alert.importexport import AlertImportExportMixin
from units.models import Metric, Region, Unit
from units.resources import MetricResource, RegionResource, UnitResource


class MetricInline(admin.TabularInline):
    model = Metric
    fields = [
        "display_order",
        "code",
        "label",
        "value_type",
        "regional_label",
        "headline",
        "active",
    ]
    extra = 0
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(AlertImportExportMixin, admin.ModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name", "program", "team", "display_order", "active"]
    list_editable = ["display_order"]
    list_filter = ["active"]
    search_fields = ["code", "name", "program", "team"]
    ordering = ["display_order", "code"]
    filter_horizontal = ["data_entry_users"]
    readonly_fields = ["entry_grids"]
    inlines = [MetricInline]

    @admin.display(description="entry grid")
    def entry_grids(self, unit: Unit) -> str:
        # By URL name only: the catalogue does not import reporting.
        if not unit.pk:
            return "—"
        return format_html(
            '<a href="{}?unit={}">Enter figures</a>',
            reverse("admin:reporting_figure_grid_pick"),
            unit.pk,
        )


@admin.register(Metric)
class MetricAdmin(AlertImportExportMixin, admin.ModelAdmin):
    resource_classes = [MetricResource]
    list_display = [
        "label",
        "code",
        "unit",
        "value_type",
        "regional_label",
        "headline",
        "polarity",
        "active",
    ]
    list_filter = ["unit", "value_type", "headline", "active"]
    list_select_related = ["unit"]
    search_fields = ["label", "code", "unit__code"]
    ordering = ["unit__display_order", "display_order", "code"]
    autocomplete_fields = ["unit"]
    prepopulated_fields = {"code": ["label"]}


@admin.register(Region)
class RegionAdmin(AlertImportExportMixin, admin.ModelAdmin):
    resource_classes = [RegionResource]
    list_display = ["name", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["name"]
    ordering = ["display_order", "name"]
