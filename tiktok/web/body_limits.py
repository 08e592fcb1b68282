"""The largest request body each route accepts, checked while the body arrives.

Servers buffer a request's whole body before the application sees it (Daphne writes it to a
temporary file), so a limit checked by a view comes too late: an endless chunked body fills the
disk first. The web server (tiktok/web/server.py) and the ASGI handler both stop a body at the
limit of its route: the upload routes their own, everything else MAX_REQUEST_BODY_BYTES.
"""

from __future__ import annotations

import functools
import json
import re

from django.conf import settings

# Multipart framing around an upload's file (boundaries, part headers, the other fields).
MULTIPART_OVERHEAD_BYTES = 64 * 1024


@functools.cache
def _route_limits() -> tuple[tuple[re.Pattern[str], int], ...]:
    return tuple(
        (re.compile(pattern), limit + MULTIPART_OVERHEAD_BYTES)
        for pattern, limit in settings.REQUEST_BODY_ROUTE_LIMITS
    )


def body_limit_for(path: str) -> int:
    """The most bytes a request body to `path` (no query string) may have."""
    for pattern, limit in _route_limits():
        if pattern.match(path):
            return limit
    return settings.MAX_REQUEST_BODY_BYTES


def content_length_over(declared: bytes, limit: int) -> bool:
    """Whether a Content-Length header says more than `limit` bytes. Past 18 digits it does
    whatever it says (int() refuses over 4,300 digits: a ValueError, not a 413); a value that is
    not ASCII digits is left to the count of what arrives."""
    if not (declared.isascii() and declared.isdigit()):
        return False
    return len(declared) > 18 or int(declared) > limit


def body_too_large_json(limit: int) -> bytes:
    """The 413 answer, in the API's error shape."""
    detail = f"the request body is larger than this route's limit of {_size(limit)}"
    return json.dumps({"error": "body_too_large", "detail": detail, "fields": {}}).encode()


def _size(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{mib:.1f} MB" if mib >= 1 else f"{limit // 1024} KB"
