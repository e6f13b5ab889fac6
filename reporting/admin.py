from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import FiscalYear, ImportBatch, MetricValue, ReportingPeriod


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
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
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "file_name",
        "user",
        "source",
        "status",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "rejected",
    ]
    list_filter = ["status", "source", "file_format"]
    list_select_related = ["user"]
    search_fields = ["file_name", "checksum", "user__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MetricValue)
class MetricValueAdmin(SimpleHistoryAdmin):
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

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a posted revert for anyone who may merely view the
        # record (its POST path checks view permission only): refuse it here.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
