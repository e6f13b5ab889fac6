"""Import and export of figures in the admin: what is about figures only.

The generic plumbing (our readers, the held upload, preview and confirm
messages) is ``alert.importexport``'s. Here: the figures' resource, which
hands the whole file to the one import pipeline; the import page's
description of the layouts, its "Download a template" form and its list of
problems grouped by kind (``import_preview``); the export in report order;
no admin log entry per imported row. The report-layout workbook is a page of
its own (``views.report_workbook``).
"""

from alert.importexport import AlertImportExportMixin
from reporting.admin.import_preview import preview_problems
from reporting.admin.views import template_context
from reporting.resources import FigureResource


class FigureImportExport(AlertImportExportMixin):
    resource_classes = [FigureResource]
    import_export_change_list_template = "admin/reporting/change_list_figures.html"

    def add_import_page_context(self, request, context: dict) -> None:
        context["figure_import"] = True
        context.update(template_context(request))
        outcome = getattr(context.get("result"), "outcome", None)
        if outcome is not None and outcome.has_errors:
            context["import_problems"] = preview_problems(outcome)

    def generate_log_entries(self, result, request):
        """An import's record is its ImportBatch and the figures' history, not
        one admin log entry per row."""

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).with_keys().in_report_order()
