"""A stored file as an HTTP response with single-range requests (206 with Content-Range, 416
when unsatisfiable; a Range header not understood gets the whole file), streamed from the
media store in chunks, and revalidation: ETag and Last-Modified on every answer, 304 for a
client holding the same file (If-None-Match, If-Modified-Since), and a Range under an If-Range
naming another version of the file answered with the whole file (RFC 9110, 13.1.5). Who may
read the file is the caller's question."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from tiktok.storage import StoredFile, storage_read_range

STREAM_CHUNK_BYTES = 256 * 1024  # what the ASGI handler sends per hop
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


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


def if_range_holds(value: str | None, stored: StoredFile) -> bool:
    """Whether a Range may be answered under this If-Range (absent, or naming this version of
    the file by its strong ETag or exact modification date; a weak ETag never matches)."""
    if value is None:
        return True
    value = value.strip()
    if value.startswith('"'):
        return stored.etag is not None and value == stored.etag
    if value.startswith("W/") or stored.last_modified is None:
        return False
    return parse_http_date_safe(value) == int(stored.last_modified)


def stored_file_response(
    request: HttpRequest,
    name: str,
    *,
    stored: StoredFile,
    content_type: str,
    headers: dict[str, str],
) -> HttpResponse:
    """GET or HEAD of the stored file `name` (as `stored` describes it), with `headers` on
    every answer."""
    size = stored.size
    headers = {"Accept-Ranges": "bytes", **headers}
    if stored.etag is not None:
        headers["ETag"] = stored.etag
    last_modified = int(stored.last_modified) if stored.last_modified is not None else None
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    conditional = get_conditional_response(request, etag=stored.etag, last_modified=last_modified)
    if conditional is not None:  # 304 Not Modified (412 for a failed If-Match)
        for key, value in headers.items():
            conditional[key] = value
        return conditional
    first, last, status = 0, size - 1, 200
    range_header = request.headers.get("Range")
    if range_header and not if_range_holds(request.headers.get("If-Range"), stored):
        range_header = None  # the client's copy is another version: it gets this one whole
    if range_header:
        try:
            byte_range = parse_range(range_header, size)
        except ValueError:
            byte_range = (0, size - 1)  # not understood: the whole file
        else:
            if byte_range is None:
                return HttpResponse(
                    status=416, headers={**headers, "Content-Range": f"bytes */{size}"}
                )
            status = 206
            headers["Content-Range"] = f"bytes {byte_range[0]}-{byte_range[1]}/{size}"
        first, last = byte_range
    length = last - first + 1 if size else 0
    if request.method == "HEAD" or length == 0:
        response = HttpResponse(status=status, content_type=content_type, headers=headers)
        response["Content-Length"] = str(length)
        return response
    body = storage_read_range(name, first, last, STREAM_CHUNK_BYTES)
    response = StreamingHttpResponse(body, status=status, content_type=content_type)
    for key, value in headers.items():
        response[key] = value
    response["Content-Length"] = str(length)
    return response
