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
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from alert.importexport import (
    REJECTED_PREFIX,
    AlertImportExportMixin,
    CSVFormat,
    JSONFormat,
    UploadedDataset,
    XLSXFormat,
    recognise_format,
)
from alert.uploads.models import HeldUpload
from reporting.admin.import_preview import preview_problems
from reporting.admin.views import template_context
from reporting.importing.files import parse_file
from reporting.importing.pipeline import plan_import
from reporting.resources import PREVIEW_ROWS, FigureResource
from tabular.escaping import escape_row


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
            self._offer_every_problem(request, context, outcome)

    def get_import_formats(self):
        return FIGURE_FORMAT_CLASSES

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/problems/<slug:held>/",
                self.admin_site.admin_view(require_GET(self.import_problems)),
                name="{}_{}_import_problems".format(*info),
            ),
        ] + super().get_urls()

    def _offer_every_problem(self, request, context, outcome) -> None:
        """The preview lists the first problems (PREVIEW_ROWS) and counts them
        all. Nothing more is stored: when there are more, the file stays held
        until the person's next upload (or the day's sweep) and the whole list
        is made from it again on demand."""
        problems = problem_rows(outcome)
        context["problem_count"] = len(problems)
        context["problems_listed"] = min(len(problems), PREVIEW_ROWS)
        held = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if len(problems) > PREVIEW_ROWS and held:
            context["keep_held_upload"] = True
            context["problems_url"] = reverse(
                "admin:{}_{}_import_problems".format(*self.get_model_info()),
                args=[REJECTED_PREFIX + held],  # the name it is kept under
                current_app=self.admin_site.name,
            )

    def import_problems(self, request, held: str):
        """Every problem of a rejected preview, as escaped CSV, made again
        from the held file, for the person who uploaded it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload = get_object_or_404(HeldUpload, name=held, owner=request.user)
        content = bytes(upload.content)
        parsed = parse_file(content, "the file", recognise_format(content[:64]))
        outcome = plan_import(parsed.rows, user=request.user)
        outcome.file_problems = [*parsed.problems, *outcome.file_problems]
        return FileResponse(
            io.BytesIO(problems_csv(problem_rows(outcome))),
            as_attachment=True,
            filename="problems in the import.csv",
            content_type="text/csv; charset=utf-8",
        )

    def generate_log_entries(self, result, request):
        """An import's record is its ImportBatch and the figures' history, not
        one admin log entry per row."""

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).with_keys().in_report_order()


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
