"""Import and export in the admin, for any app's models, through our file readers.

django-import-export provides the pages (upload, preview, confirm, export);
this module provides the plumbing every app's admin shares, whatever the
model:

* format classes whose ``create_dataset`` reads the upload with our readers
  (size limit, encodings, XLSX bomb checks, every sheet, formula cells) and
  keep the raw bytes, so a resource that wants the whole file (the figures'
  one hands it to the import pipeline) has it; their ``export_data`` writes
  escaped files with numbers kept as numbers;
* ``FileProblemsFirst`` for table-shaped resources (the catalogue, the years):
  an unreadable file or a key given twice is one clear error, not a row error;
* an upload held between preview and confirm in the database
  (``HeldUploadStorage``, model ``alert.uploads.HeldUpload``), which every app
  server reaches, so a preview shown by one server can be confirmed on
  another; removed after confirm, cancel or a rejected preview, and swept
  after a day if abandoned (on each new preview, and by
  ``manage.py sweep_held_uploads``);
* a preview confirmed once only, in one transaction with its held upload's
  removal: a second confirm of it (a double click, Back then Confirm) writes
  nothing and says so;
* permission codes from settings (IMPORT_EXPORT_IMPORT_PERMISSION_CODE = add).

It sits in the project package, not in an app, so that imports between the
apps go one way: ``units`` (the catalogue) and ``reporting`` both use it, and
``units`` never imports ``reporting``, directly or through here (a contract
in pyproject.toml; ``lint-imports`` checks it). What is about figures (the
report workbook, the pipeline's preview) stays in
``reporting.admin.import_export``. The file readers and writers it calls are
``tabular``'s, which knows no model.
"""

import hashlib
import uuid

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Error, Result
from import_export.tmp_storages import BaseStorage

from alert.uploads.models import HeldUpload
from tabular.readers import UnreadableFile, read_sheets
from tabular.writers import write_table

# How long a confirmed preview is remembered, in seconds (a held upload is
# swept after a day anyway).
CONFIRMED_REMEMBERED = 24 * 60 * 60


class HeldUploadStorage(BaseStorage):
    """django-import-export's temporary storage, in the database.

    The library saves the upload at preview, reads it back at confirm (by the
    name the preview's form carries) and removes it after. A process-local
    folder, or one host's media folder, fails as soon as the confirm lands on
    another app server; the database is the one place every server shares.
    Reading a name that is gone (confirmed, cancelled or swept) raises
    ``FileNotFoundError``, as a missing file does.
    """

    def save(self, data: bytes | str) -> None:
        content = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.name = self.name or uuid.uuid4().hex
        HeldUpload.objects.update_or_create(
            name=self.name, defaults={"content": content, "size": len(content)}
        )

    def read(self) -> bytes:
        content = HeldUpload.objects.filter(name=self.name).values_list("content", flat=True)
        held = content.first()
        if held is None:
            raise FileNotFoundError(f"The held upload {self.name!r} is gone.")
        return bytes(held)  # PostgreSQL answers a memoryview

    def remove(self) -> None:
        HeldUpload.objects.filter(name=self.name).delete()

    def exists(self) -> bool:
        return HeldUpload.objects.filter(name=self.name).exists()


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


def recognise_format(head: bytes) -> str:
    """csv, xlsx or json, from a file's first bytes: the name may be missing or
    wrong, and nobody should have to say what kind of file they chose.

    An XLSX workbook is a zip archive (``PK``); JSON opens with ``[`` or
    ``{``; anything else is read as CSV, whose reader says plainly when the
    file is not text."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"[", b"{"):
        return "json"
    return "csv"


# The name of an upload kept after a rejected preview, for its list of problems.
REJECTED_PREFIX = "rejected-"


def previews_refusal(user) -> str:
    """Why ``user`` may not upload another file to preview now, or "".

    Each preview holds its file (up to ALERT_IMPORT_MAX_BYTES) in the
    database until it is confirmed, cancelled or swept after a day, and costs
    a file's reading: a person may hold ALERT_IMPORT_MAX_HELD_PREVIEWS at
    once. The count is of their held uploads, in the one database every
    server shares; no other limiter is needed."""
    limit = settings.ALERT_IMPORT_MAX_HELD_PREVIEWS
    held = HeldUpload.objects.filter(owner=user).count() if user.is_authenticated else 0
    if held < limit:
        return ""
    return (
        f"You have {held} previews waiting (the most one person may hold is {limit}). "
        "Confirm or cancel one of them, or wait for them to be removed after a day, then "
        "upload the file again."
    )


class SizeLimitedImportForm(ImportForm):
    """One field, the file: its format is recognised from its content (no
    "Format" select), and a file over the size limit is refused by name."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.format_titles = [str(f().get_title()) for f in formats]
        self.fields["format"].required = False
        self.fields["format"].widget = forms.HiddenInput()
        upload = self.fields["import_file"]
        upload.label = "File"
        upload.widget.attrs = {"accept": ".csv,.xlsx,.json", "aria-describedby": "file_help"}

    @property
    def media(self):
        return forms.Media()  # no format to guess in the browser

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.ALERT_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"“{upload.name}” is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}. Split it into smaller files."
            )
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("import_file")
        if upload is not None:
            head = upload.read(64)
            upload.seek(0)
            data["format"] = str(self.format_titles.index(recognise_format(head)))
        return data


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


class AlertImportExportMixin(ImportExportMixin):
    formats = FORMAT_CLASSES
    tmp_storage_class = "alert.importexport.HeldUploadStorage"
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
            if request.FILES.get("import_file") is not None:
                # A new file replaces the one kept for a rejected preview's problems.
                HeldUpload.objects.filter(
                    owner=request.user, name__startswith=REJECTED_PREFIX
                ).delete()
                refusal = previews_refusal(request.user)
                if refusal:
                    messages.error(request, refusal)
                    return HttpResponseRedirect(request.path)
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            context = {}
        else:
            context["max_upload"] = filesizeformat(settings.ALERT_IMPORT_MAX_BYTES)
        self.add_import_page_context(request, context)
        upload = request.FILES.get("import_file")
        held = getattr(upload, "tmp_storage_name", None)
        if held and "confirm_form" not in context and not context.get("keep_held_upload"):
            # Rejected: nothing to confirm, so nothing to keep.
            HeldUploadStorage(name=held).remove()
        elif held and "confirm_form" not in context and request.user.is_authenticated:
            # Rejected, kept for its list of problems until the next upload.
            HeldUpload.objects.filter(name=held).update(
                owner=request.user, name=REJECTED_PREFIX + held
            )
        elif held and request.user.is_authenticated:
            HeldUpload.objects.filter(name=held).update(owner=request.user)
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

    def process_import(self, request, **kwargs):
        """Confirm a preview, once, in one transaction that also removes the
        held upload. Its row is locked first (``SELECT … FOR UPDATE``): a
        second confirm of the same preview waits for the first, then finds the
        upload gone and writes nothing. A worker killed in the middle loses
        its connection, so the database rolls everything back and releases
        the lock: the upload is still held, and its owner can confirm it
        again from any server. Which import a preview became is remembered
        in the cache only for the message (none while the cache is down)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        held = request.POST.get("import_file_name", "")
        if not held:
            return super().process_import(request, **kwargs)
        if not self._held_for(request, held):
            return self._not_yours(request)
        key = "alert:confirmed-import:" + hashlib.sha256(held.encode()).hexdigest()
        with transaction.atomic():
            locked = HeldUpload.objects.select_for_update().filter(name=held)
            if not list(locked.values_list("pk", flat=True)):
                return self._already_confirmed(request, cache.get(key))
            response = super().process_import(request, **kwargs)
        outcome = getattr(request, "_alert_import_outcome", None)
        if outcome is not None and outcome.written:
            cache.set(key, f"#{outcome.batch.pk}", CONFIRMED_REMEMBERED)
        return response

    @staticmethod
    def _held_for(request, held: str) -> bool:
        """Whether the held upload ``held`` is this user's preview (or gone:
        then confirming it says so). Only who previewed a file confirms or
        cancels it."""
        owners = HeldUpload.objects.filter(name=held).values_list("owner_id", flat=True)
        return not owners or owners[0] == request.user.pk

    def _not_yours(self, request):
        messages.error(
            request,
            "This preview was made by another user: only they can confirm or cancel it. "
            "Nothing was written; upload the file yourself to import it.",
        )
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_changelist".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )

    def _already_confirmed(self, request, claimed: str | None):
        if claimed is None:
            text = (
                "This preview is no longer held: it was already imported or cancelled. "
                "Nothing was written; upload the file again if you need to."
            )
        else:
            text = (
                f"This preview was already imported (import {claimed}): nothing was written again."
            )
        messages.warning(request, text)
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_changelist".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )

    def add_import_page_context(self, request, context: dict) -> None:
        """What a model's import page adds (the figures': their layouts, templates and
        problems grouped by kind); nothing for a plain table."""

    @method_decorator(require_POST)
    def cancel_import(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ConfirmImportForm(request.POST)
        if form.is_valid():
            held = form.cleaned_data["import_file_name"]
            if not self._held_for(request, held):
                return self._not_yours(request)
            HeldUploadStorage(name=held).remove()
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
        request._alert_import_outcome = outcome  # for process_import's record of it
        if outcome.written:
            messages.success(
                request,
                f"Import #{outcome.batch.pk} confirmed: {outcome.summary()}.",
            )
        else:
            messages.error(request, "Nothing was written: " + "; ".join(outcome.problems[:5]))

    @staticmethod
    def _sweep_abandoned_uploads() -> None:
        HeldUpload.objects.abandoned().delete()
