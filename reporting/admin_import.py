"""Import and export in the admin, through our readers and the one pipeline.

django-import-export provides the pages (upload, preview, confirm, export);
we provide what goes through them:

* format classes whose ``create_dataset`` reads the upload with our readers
  (size limit, encodings, XLSX bomb checks, every sheet, formula cells) and
  keep the raw bytes, so the figures' resource can hand the file to
  ``parse_file`` and the pipeline (either layout) with the spreadsheet's own
  row numbers; their ``export_data`` writes escaped files with numbers kept
  as numbers;
* an upload held between preview and confirm in the media storage that every
  app process reads (not a process-local temporary folder), removed after
  confirm, cancel or a rejected preview, and swept after a day if abandoned;
* permission codes from settings (IMPORT_EXPORT_IMPORT_PERMISSION_CODE = add).
"""

import datetime

import tablib
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Error, Result
from import_export.tmp_storages import MediaStorage

from reporting.admin_mixins import ReadOnlyAdminMixin
from reporting.exporting import CONTENT_TYPES, export_report_workbook
from reporting.exporting.tables import write_table
from reporting.importing.readers import UnreadableFile, read_sheets
from reporting.models import FiscalYear
from reporting.resources import FigureResource, FiscalYearResource
from units.resources import MetricResource, RegionResource, UnitResource

ABANDONED_AFTER = datetime.timedelta(days=1)


class UploadedDataset(tablib.Dataset):
    """The first sheet as a table (for the catalogue's resources), plus the
    raw upload (for the figures' pipeline) and any problem reading it."""

    content: bytes = b""
    file_format: str = ""
    problem: str = ""

    def __bool__(self) -> bool:  # an unreadable file is still shown in the preview
        return True


class _OurFormat:
    FORMAT = ""

    def create_dataset(self, in_stream, **kwargs) -> UploadedDataset:
        content = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        dataset = UploadedDataset()
        dataset.content, dataset.file_format = content, self.FORMAT
        try:
            sheets = read_sheets(content, "the file", self.FORMAT)
        except UnreadableFile as exc:
            dataset.problem = str(exc)
            return dataset
        table = sheets[0].rows if sheets and sheets[0].rows else []
        if table:
            width = max(len(row) for row in table)
            headers = [str(h if h is not None else "") for h in table[0]]
            dataset.headers = headers + [""] * (width - len(headers))
            for row in table[1:]:
                dataset.append(list(row) + [None] * (width - len(row)))
        return dataset

    def export_data(self, dataset, **kwargs) -> bytes:
        return write_table(dataset.headers or [], dataset, self.FORMAT)

    def is_binary(self) -> bool:
        return True  # we decode text ourselves (UTF-8, BOM or Windows-1252)

    def get_read_mode(self) -> str:
        return "rb"


class CSVFormat(_OurFormat, base_formats.CSV):
    FORMAT = "csv"


class XLSXFormat(_OurFormat, base_formats.XLSX):
    FORMAT = "xlsx"


class JSONFormat(_OurFormat, base_formats.JSON):
    FORMAT = "json"


FORMAT_CLASSES = [CSVFormat, XLSXFormat, JSONFormat]


class SizeLimitedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.ALERT_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"“{upload.name}” is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}. Split it into smaller files."
            )
        return upload


class FileProblemsFirst:
    """For the catalogue's resources: an unreadable file is one clear error."""

    def import_data(self, dataset, *args, **kwargs):
        problems = [dataset.problem] if getattr(dataset, "problem", "") else []
        problems = problems or self._duplicate_keys(dataset)
        if problems:
            result = Result()
            for problem in problems:
                result.append_base_error(Error(ValueError(problem)))
            return result
        return super().import_data(dataset, *args, **kwargs)

    def _duplicate_keys(self, dataset) -> list[str]:
        """The library lets the last of two rows with one key win; we name both."""
        columns = [self.fields[name].column_name for name in self._meta.import_id_fields]
        if not dataset.headers or not all(c in dataset.headers for c in columns):
            return []
        seen: dict[tuple, int] = {}
        problems = []
        for number, row in enumerate(dataset.dict, start=2):
            key = tuple(str(row[c] or "").strip().casefold() for c in columns)
            if key in seen:
                problems.append(
                    f"Rows {seen[key]} and {number} both describe "
                    + ", ".join(f"{c} “{row[c]}”" for c in columns)
                    + ". Keep one of them."
                )
            seen.setdefault(key, number)
        return problems


class FigureImportResource(FigureResource):
    pass


class UnitImportResource(FileProblemsFirst, UnitResource):
    pass


class MetricImportResource(FileProblemsFirst, MetricResource):
    pass


class RegionImportResource(FileProblemsFirst, RegionResource):
    pass


class FiscalYearImportResource(FileProblemsFirst, FiscalYearResource):
    pass


class AlertImportExportMixin(ImportExportMixin):
    formats = FORMAT_CLASSES
    tmp_storage_class = MediaStorage
    import_form_class = SizeLimitedImportForm
    import_template_name = "admin/reporting/import.html"
    import_error_display = ("message",)

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/cancel/",
                self.admin_site.admin_view(self.cancel_import),
                name="{}_{}_import_cancel".format(*info),
            )
        ] + super().get_urls()

    def import_action(self, request, **kwargs):
        if request.method == "POST":
            self._sweep_abandoned_uploads()
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        upload = request.FILES.get("import_file")
        held = getattr(upload, "tmp_storage_name", None)
        if held and "confirm_form" not in context:
            # Rejected: nothing to confirm, so nothing to keep.
            MediaStorage(name=held).remove()
        outcome = getattr(context.get("result"), "outcome", None)
        if outcome is not None:
            level = messages.ERROR if outcome.has_errors else messages.INFO
            verdict = (
                "Nothing will be written until every problem below is corrected."
                if outcome.has_errors
                else "Nothing is written until you confirm."
            )
            messages.add_message(request, level, f"Preview: {outcome.summary()}. {verdict}")
        return response

    @method_decorator(require_POST)
    def cancel_import(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ConfirmImportForm(request.POST)
        if form.is_valid():
            MediaStorage(name=form.cleaned_data["import_file_name"]).remove()
            messages.info(request, "Import cancelled: nothing was written.")
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_changelist".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def add_success_message(self, result, request):
        outcome = getattr(result, "outcome", None)
        if outcome is None:
            return super().add_success_message(result, request)
        if outcome.written:
            messages.success(
                request,
                f"Import #{outcome.batch.pk} confirmed: {outcome.summary()}.",
            )
        else:
            messages.error(request, "Nothing was written: " + "; ".join(outcome.problems[:5]))

    @staticmethod
    def _sweep_abandoned_uploads() -> None:
        storage = MediaStorage()
        folder = storage.MEDIA_FOLDER
        try:
            _, names = storage._storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            return
        cutoff = timezone.now() - ABANDONED_AFTER
        for name in names:
            full = f"{folder}/{name}"
            try:
                if storage._storage.get_modified_time(full) < cutoff:
                    storage._storage.delete(full)
            except (FileNotFoundError, NotImplementedError):
                continue


class FigureImportExport(AlertImportExportMixin):
    resource_classes = [FigureImportResource]
    import_export_change_list_template = "admin/reporting/change_list_figures.html"

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "report-workbook/",
                self.admin_site.admin_view(require_GET(self.report_workbook)),
                name="{}_{}_report_workbook".format(*info),
            )
        ] + super().get_urls()

    def report_workbook(self, request):
        """The report-layout workbook of a year (?fiscal_year=2023-24), or the list of years."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        label = request.GET.get("fiscal_year")
        if label:
            fiscal_year = get_object_or_404(FiscalYear, label=label)
            response = HttpResponse(
                export_report_workbook(fiscal_year), content_type=CONTENT_TYPES["xlsx"]
            )
            response["Content-Disposition"] = (
                f'attachment; filename="ALERT results {fiscal_year.label}.xlsx"'
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Report workbook",
            "years": FiscalYear.objects.order_by("-start_year"),
        }
        return TemplateResponse(request, "admin/reporting/report_workbook.html", context)

    def generate_log_entries(self, result, request):
        """An import's record is its ImportBatch and the figures' history, not
        one admin log entry per row."""

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).with_keys().in_report_order()


class UnitImportExport(AlertImportExportMixin):
    resource_classes = [UnitImportResource]


class MetricImportExport(AlertImportExportMixin):
    resource_classes = [MetricImportResource]


class RegionImportExport(AlertImportExportMixin):
    resource_classes = [RegionImportResource]


class FiscalYearImportExport(AlertImportExportMixin):
    resource_classes = [FiscalYearImportResource]


def figures_written_link(batch) -> str:
    url = reverse("admin:reporting_figure_changelist")
    count = batch.figures.count()
    return format_html(
        '<a href="{}?import_batch__id__exact={}">{} figure(s) last written by this import</a>',
        url,
        batch.pk,
        count,
    )


class ImportBatchAdminMixin(ReadOnlyAdminMixin):
    """Provenance, read-only: which file, by whom, what it did, and the figures it wrote."""

    readonly_fields = [
        "file_name",
        "checksum",
        "file_format",
        "layout",
        "source",
        "user",
        "created_at",
        "status",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "rejected",
        "figures_written",
    ]
    list_display = [
        "created_at",
        "file_name",
        "layout",
        "user",
        "source",
        "status",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "rejected",
    ]
    list_filter = ["status", "source", "file_format", "layout"]

    @admin.display(description="figures")
    def figures_written(self, batch) -> str:
        return figures_written_link(batch)
