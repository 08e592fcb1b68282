"""Serve MEDIA_ROOT in development with HTTP range requests (browsers seek with them),
only to viewers allowed to see the video a file belongs to."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils._os import safe_join
from django.utils.http import http_date

from videos.models import Video
from videos.visibility import video_visible_to

STREAM_CHUNK_BYTES = 256 * 1024
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".wav": "audio/wav",
}
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def media_path(relative: str) -> Path:
    """The file under MEDIA_ROOT for a URL path, refusing anything that escapes it."""
    if "\x00" in relative or "\\" in relative:
        raise Http404("no such file")
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Http404("no such file")
    try:
        path = Path(safe_join(settings.MEDIA_ROOT, relative))
    except (SuspiciousFileOperation, ValueError) as exc:
        raise Http404("no such file") from exc
    if not path.is_file():
        raise Http404("no such file")
    return path


def _check_access(request: HttpRequest, relative: str) -> None:
    parts = relative.split("/")
    if parts[0] != "videos":
        return  # avatars and other public media
    if len(parts) < 3 or not parts[1].isdigit():
        raise Http404("no such file")
    video = Video.objects.filter(pk=int(parts[1])).first()
    if video is None or not video_visible_to(video=video, viewer=request.user):
        raise Http404("no such file")
    if parts[2].startswith("original") and video.owner_id != request.user.pk:
        raise Http404("no such file")  # the untouched upload (and its metadata) is the owner's


def content_type_for(path: Path) -> str:
    suffix = path.suffix.lower()
    return (
        CONTENT_TYPES.get(suffix)
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte positions of a single-range header; None when unsatisfiable.
    Raises ValueError for a header we do not understand (then the whole file is sent)."""
    match = RANGE_RE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise ValueError(header)
    first_text, last_text = match.groups()
    if not first_text:
        length = int(last_text)
        if length == 0:
            return None
        return max(0, size - length), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        return None
    return first, min(last, size - 1)


def _read_range(path: Path, first: int, last: int):  # noqa: ANN202 - a generator
    with path.open("rb") as handle:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = handle.read(min(STREAM_CHUNK_BYTES, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """GET/HEAD a media file; `Range: bytes=a-b` answers 206 with Content-Range."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    _check_access(request, path)
    file_path = media_path(path)
    stat = file_path.stat()
    size = stat.st_size
    content_type = content_type_for(file_path)
    headers = {
        "Accept-Ranges": "bytes",
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": "private, max-age=3600",
    }
    range_header = request.headers.get("Range")
    byte_range = None
    if range_header:
        try:
            byte_range = parse_range(range_header, size)
        except ValueError:
            range_header = None
        else:
            if byte_range is None:
                return HttpResponse(
                    status=416, headers={**headers, "Content-Range": f"bytes */{size}"}
                )
    if byte_range is None:
        if request.method == "HEAD":
            response = HttpResponse(content_type=content_type, headers=headers)
            response["Content-Length"] = str(size)
            return response
        response = FileResponse(file_path.open("rb"), content_type=content_type)
        for name, value in headers.items():
            response[name] = value
        return response
    first, last = byte_range
    body = iter(()) if request.method == "HEAD" else _read_range(file_path, first, last)
    response = StreamingHttpResponse(body, status=206, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(last - first + 1)
    return response


def media_url_prefix() -> str:
    return settings.MEDIA_URL.strip("/") + "/" if settings.MEDIA_URL.strip("/") else ""
