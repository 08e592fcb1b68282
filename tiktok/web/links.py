"""Absolute links to this site, for mail: SITE_URL when set, else the request's own origin."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest) -> str:
    """The site's public base URL without a trailing slash, e.g. https://reels.example.org.

    Without SITE_URL it comes from the request's host, which Django has checked against
    ALLOWED_HOSTS (so a forged Host header cannot point reset links elsewhere)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    return request.build_absolute_uri("/").rstrip("/")
