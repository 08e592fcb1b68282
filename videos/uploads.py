"""Upload handling: every uploaded file streams to a temporary file on disk, and an upload
over MAX_UPLOAD_BYTES is refused while it streams (before it fills the disk)."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler

from tiktok.errors import TooLarge


def upload_too_large() -> TooLarge:
    limit_mb = settings.MAX_UPLOAD_BYTES / (1024 * 1024)
    return TooLarge(
        f"the file is larger than the upload limit of {limit_mb:.0f} MB", code="file_too_large"
    )


class UploadSizeLimitHandler(FileUploadHandler):
    """Counts file bytes as they arrive and stops the request past the limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: ANN001, N803
        if content_length and content_length > settings.MAX_UPLOAD_BYTES + 64 * 1024:
            raise upload_too_large()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            raise upload_too_large()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class NeutralTemporaryUploadedFile(TemporaryUploadedFile):
    """An upload on disk under a name that ends in ".upload", never in the client's extension:
    what reads it (FFmpeg, Pillow) must go by the bytes, not by a name the client chose."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None) -> None:  # noqa: ANN001
        file = tempfile.NamedTemporaryFile(suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class NeutralTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = NeutralTemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )


def use_disk_upload_handlers(request) -> None:  # noqa: ANN001 - a Django HttpRequest
    """Replace the default handlers (which keep small files in memory) before parsing."""
    request.upload_handlers = [
        UploadSizeLimitHandler(request),
        NeutralTemporaryFileUploadHandler(request),
    ]
