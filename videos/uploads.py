"""Upload handling: every uploaded file streams to a temporary file on disk, and an upload
over MAX_UPLOAD_BYTES is refused while it streams (before it fills the disk)."""

from __future__ import annotations

from django.conf import settings
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


def use_disk_upload_handlers(request) -> None:  # noqa: ANN001 - a Django HttpRequest
    """Replace the default handlers (which keep small files in memory) before parsing."""
    request.upload_handlers = [UploadSizeLimitHandler(request), TemporaryFileUploadHandler(request)]
