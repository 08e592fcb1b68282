"""HTTPS, HSTS and the Content-Security-Policy (tiktok/web/security_headers.py sends it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .base import DEBUG
from .env import env_bool, env_int, env_list
from .storage import (
    MEDIA_DELIVERY,
    MEDIA_URL,
    S3_ADDRESSING_STYLE,
    S3_BUCKET,
    S3_ENDPOINT_URL,
    S3_REGION,
)

# The site is served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto):
# plain-HTTP requests are redirected, browsers are told to use HTTPS only (HSTS) and cookies are
# sent over HTTPS only. Off by default so `make run` works on http://127.0.0.1.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
# The load balancer's health probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS or not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS or not DEBUG)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _media_origins() -> list[str]:
    """Where pages load media from besides this site: an absolute MEDIA_URL (a CDN), and the
    object store itself when media is delivered by presigned redirects."""
    origins = [_origin(MEDIA_URL)]
    if MEDIA_DELIVERY == "redirect":
        # AWS S3 when no endpoint is named: presigned URLs name the regional host (or the
        # global one in us-east-1).
        endpoint = urlsplit(S3_ENDPOINT_URL or f"https://s3.{S3_REGION}.amazonaws.com")
        hosts = [endpoint.netloc] + ([] if S3_ENDPOINT_URL else ["s3.amazonaws.com"])
        for host in hosts:
            if S3_ADDRESSING_STYLE == "virtual":
                host = f"{S3_BUCKET}.{host}"
            origins.append(f"{endpoint.scheme}://{host}")
    return [origin for origin in origins if origin]


# Origins the pages may load images, video and media requests from, besides this site's own.
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", _media_origins())
