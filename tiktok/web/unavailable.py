"""Pages whose database or Redis cannot be reached for a moment answer 503 with Retry-After and
a short page saying so, as the API does (tiktok.outages); they were a bare 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tiktok.outages import UNAVAILABLE_RETRY_AFTER_SECONDS, outage_of

logger = logging.getLogger(__name__)

# Written out, not rendered from a template: the page's templates read the signed-in user and
# the session, which is what is down.
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Back in a moment</h1>
<p>Part of the site is unavailable for a moment. Please try again shortly.</p></main></body></html>
"""


class ServiceUnavailablePageMiddleware:
    """503 for a page (not /api/: DRF's exception handler answers there) that failed because a
    backing service is unreachable; every other error goes on to Django's handling."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        outage = outage_of(exception)
        if outage is None or request.path.startswith("/api/"):
            return None
        # The path as Django's own request log writes it: a decoded newline forged a line.
        path = request.path.encode("unicode_escape").decode("ascii")
        logger.warning("page %s failed: %s unavailable: %s", path, outage[1], exception)
        response = HttpResponse(_PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
