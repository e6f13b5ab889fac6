from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.admin_import import (
    FigureImportExport,
    FiscalYearImportExport,
    ImportBatchAdminMixin,
)
from reporting.models import FiscalYear, ImportBatch, MetricValue, ReportingPeriod


@admin.register(FiscalYear)
class FiscalYearAdmin(FiscalYearImportExport, admin.ModelAdmin):
    list_display = ["label", "status", "locked_at", "locked_by"]
    list_filter = ["status"]
    list_select_related = ["locked_by"]
    search_fields = ["label"]
    readonly_fields = ["locked_at", "locked_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ReportingPeriod.objects.ensure_for([obj])


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fiscal_year", "period"]
    list_filter = ["fiscal_year", "period"]
    list_select_related = ["fiscal_year"]
    search_fields = ["fiscal_year__label", "period"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ImportBatchAdminMixin, admin.ModelAdmin):
    list_select_related = ["user"]
    search_fields = ["file_name", "checksum", "user__username"]
    date_hierarchy = "created_at"


@admin.register(MetricValue)
class MetricValueAdmin(FigureImportExport, SimpleHistoryAdmin):
    list_display = ["metric", "period", "region", "formatted_value", "note", "updated_at"]
    list_filter = [
        "metric__unit",
        "period__fiscal_year",
        "period__period",
        "region",
        "metric__value_type",
    ]
    list_select_related = ["metric__unit", "period__fiscal_year", "region"]
    search_fields = ["metric__label", "metric__code", "metric__unit__code", "region__name"]
    autocomplete_fields = ["metric", "period", "region"]
    readonly_fields = ["import_batch", "updated_at", "updated_by"]

    @admin.display(description="value", ordering="value")
    def formatted_value(self, figure: MetricValue) -> str:
        return figure.display_value()
