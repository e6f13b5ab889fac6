"""An upload is capped while it arrives, before anything reads it.

Django keeps an upload in memory or a temporary file whatever its size. This
handler, first in FILE_UPLOAD_HANDLERS, passes the first
ALERT_IMPORT_MAX_BYTES of a file on to Django's own handlers and counts, but
drops, the rest; the upload then arrives as an empty file that knows its real
size, so the import form refuses it with the size in its message and no more
than the limit was ever held.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """What is left of an upload over the limit: its name and its size."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        import io

        super().__init__(io.BytesIO(), name, content_type, size)


class SizeCappedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.ALERT_IMPORT_MAX_BYTES:
            return None  # dropped: the handlers after this one never see it
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > settings.ALERT_IMPORT_MAX_BYTES:
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None  # Django's own handlers hold the file
