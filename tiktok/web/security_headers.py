"""The Content-Security-Policy header: pages run only this site's scripts and styles and load
media only from this site (and the media origins in settings), so injected markup cannot run.

The pages keep to it: no inline scripts, event-handler attributes or style attributes
(`tests/web/test_browser_security.py` checks that browsers report no violation). The API's
HTML views (DRF's browsable API, Swagger UI) carry inline styles and data: images, so paths
under /api/ allow those two; scripts stay this site's own everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

API_PATH_PREFIX = "/api/"


def policy(*, media_origins: list[str], api: bool) -> str:
    """The policy for pages (api=False) or the API's HTML views."""
    media = " ".join(["'self'", *media_origins])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'" if api else "'self'",
        "img-src": f"{media} data:" if api else media,
        # hls.js plays through MediaSource (blob: URLs) and transmuxes in a blob: worker.
        "media-src": f"{media} blob:",
        "connect-src": media,
        "worker-src": "'self' blob:",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        origins = list(settings.CSP_MEDIA_ORIGINS)
        self.page_policy = policy(media_origins=origins, api=False)
        self.api_policy = policy(media_origins=origins, api=True)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            api = request.path.startswith(API_PATH_PREFIX)
            response["Content-Security-Policy"] = self.api_policy if api else self.page_policy
        return response
