"""Requests whose path holds a NUL character are refused at the door (400), before any view: no
path segment of this site may contain one, and PostgreSQL refuses NUL in text, so a username
with `%00` used to end in a 500. Query values are each view's to check (search answers a query
with a NUL as typed text with the NUL made a space)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from tiktok.api.errors import error_body

NUL_DETAIL = "the URL path contains a NUL character (%00)"


class NulInURLMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            if request.path.startswith("/api/"):
                return HttpResponse(
                    json.dumps(error_body("invalid_request", NUL_DETAIL)),
                    status=400,
                    content_type="application/json",
                )
            return HttpResponseBadRequest(NUL_DETAIL, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
