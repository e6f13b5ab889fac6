from django.contrib import admin

from reporting.admin_import import MetricImportExport, RegionImportExport, UnitImportExport
from units.models import Metric, Region, Unit


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
class UnitAdmin(UnitImportExport, admin.ModelAdmin):
    list_display = ["code", "name", "program", "team", "display_order", "active"]
    list_editable = ["display_order"]
    list_filter = ["active"]
    search_fields = ["code", "name", "program", "team"]
    inlines = [MetricInline]


@admin.register(Metric)
class MetricAdmin(MetricImportExport, admin.ModelAdmin):
    list_display = ["label", "code", "unit", "value_type", "regional_label", "headline", "active"]
    list_filter = ["unit", "value_type", "headline", "active"]
    list_select_related = ["unit"]
    search_fields = ["label", "code", "unit__code"]
    autocomplete_fields = ["unit"]
    prepopulated_fields = {"code": ["label"]}


@admin.register(Region)
class RegionAdmin(RegionImportExport, admin.ModelAdmin):
    list_display = ["name", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["name"]
