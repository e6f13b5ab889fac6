"""Import and export of figures in the admin: what is about figures only.

The generic plumbing (our readers, the held upload, preview and confirm
messages) is ``alert.importexport``'s. Here: the figures' resource, which
hands the whole file to the one import pipeline; the upload held unread for
it (the pipeline reads it once); the import page's description of the
layouts, its "Download a template" form and its problems grouped by kind
(``import_preview``), the first of them listed and all of them offered as a
CSV download; the export in report order; no admin log entry per imported
row. The report-layout workbook is a page of its own
(``views.report_workbook``).
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from alert.importexport import (
    AlertImportExportMixin,
    CSVFormat,
    HeldUploadStorage,
    JSONFormat,
    UploadedDataset,
    XLSXFormat,
)
from reporting.admin.import_preview import preview_problems
from reporting.admin.views import template_context
from reporting.exporting.escaping import escape_row
from reporting.models import ImportBatch
from reporting.resources import PREVIEW_ROWS, FigureResource


class _HeldUpload:
    """The upload as it came, unread. The figures' resource reads it once,
    with ``parse_file``; reading it here too would double the time and the
    memory of every preview and confirm."""

    def create_dataset(self, in_stream, **kwargs) -> UploadedDataset:
        dataset = UploadedDataset()
        dataset.content = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        dataset.file_format = self.FORMAT
        return dataset


class HeldCSV(_HeldUpload, CSVFormat):
    pass


class HeldXLSX(_HeldUpload, XLSXFormat):
    pass


class HeldJSON(_HeldUpload, JSONFormat):
    pass


FIGURE_FORMAT_CLASSES = [HeldCSV, HeldXLSX, HeldJSON]  # the order of FORMAT_CLASSES


class FigureImportExport(AlertImportExportMixin):
    resource_classes = [FigureResource]
    import_export_change_list_template = "admin/reporting/change_list_figures.html"

    def add_import_page_context(self, request, context: dict) -> None:
        context["figure_import"] = True
        context.update(template_context(request))
        outcome = getattr(context.get("result"), "outcome", None)
        if outcome is not None and outcome.has_errors:
            context["import_problems"] = preview_problems(outcome, listed=PREVIEW_ROWS)
            self._offer_every_problem(context)

    def get_import_formats(self):
        return FIGURE_FORMAT_CLASSES

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/problems/<int:batch_id>/",
                self.admin_site.admin_view(require_GET(self.import_problems)),
                name="{}_{}_import_problems".format(*info),
            ),
        ] + super().get_urls()

    def _offer_every_problem(self, context) -> None:
        """The preview lists the first problems (PREVIEW_ROWS); when there are
        more, all of them are kept as a CSV for the importer to download."""
        outcome = getattr(context.get("result"), "outcome", None)
        if outcome is None or not outcome.has_errors:
            return
        problems = problem_rows(outcome)
        context["problem_count"] = len(problems)
        context["problems_listed"] = min(len(problems), PREVIEW_ROWS)
        if len(problems) > PREVIEW_ROWS and outcome.batch is not None:
            problems_file(outcome.batch).save(problems_csv(problems))
            context["problems_url"] = reverse(
                "admin:{}_{}_import_problems".format(*self.get_model_info()),
                args=[outcome.batch.pk],
                current_app=self.admin_site.name,
            )

    def import_problems(self, request, batch_id: int):
        """Every problem of a rejected preview, as CSV, to the person who uploaded it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=batch_id, user=request.user)
        try:
            content = problems_file(batch).read()
        except FileNotFoundError as exc:
            raise Http404("The list of problems has been removed; upload the file again.") from exc
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=f"problems in import {batch.pk}.csv",
            content_type="text/csv; charset=utf-8",
        )

    def generate_log_entries(self, result, request):
        """An import's record is its ImportBatch and the figures' history, not
        one admin log entry per row."""

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).with_keys().in_report_order()


def problems_file(batch: ImportBatch) -> HeldUploadStorage:
    # Beside the held uploads, so that the same sweep removes it after a day.
    return HeldUploadStorage(name=f"problems-{batch.pk}.csv")


def problem_rows(outcome) -> list[tuple[str, str, str]]:
    """Every problem once, as (where, column, problem), in the order of the file."""
    rows = {("", "", problem): None for problem in outcome.file_problems}
    for planned in outcome.rows:
        for problem in planned.problems:
            rows.setdefault((problem.where, problem.column, problem.message), None)
    return list(rows)


def problems_csv(problems: list[tuple[str, str, str]]) -> bytes:
    """The problems as CSV, escaped: a heading or value quoted from the file
    (``=HYPERLINK(...)``) must stay text in the spreadsheet that opens it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["where", "column", "problem"])
    writer.writerows(escape_row(row) for row in problems)
    return out.getvalue().encode("utf-8")
