"""Application errors: what services and selectors raise when something cannot be done.

One hierarchy for every app. Each error carries a stable `code` (the "error" of the JSON error
shape), a message for people, and optional per-field messages; its class says what kind of
failure it is. Nothing here knows about HTTP: `tiktok.api.errors` maps each kind to a status
code and the JSON shape, and pages map them to HTML. Field validation that Django models and
forms already express stays `django.core.exceptions.ValidationError` (mapped to 400 the same way).
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base class: a request the product refuses, with a code clients can branch on."""

    default_code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class InvalidInput(ApplicationError):
    """The input is malformed or out of range (HTTP 400)."""


class AuthenticationFailed(ApplicationError):
    """Credentials are missing or wrong (HTTP 401)."""

    default_code = "not_authenticated"


class Forbidden(ApplicationError):
    """The actor may not do this (HTTP 403)."""

    default_code = "permission_denied"


class NotFound(ApplicationError):
    """No such thing, or not visible to this viewer: both answer the same (HTTP 404)."""

    default_code = "not_found"


class Conflict(ApplicationError):
    """The request conflicts with what is stored, e.g. a duplicate (HTTP 409)."""

    default_code = "conflict"


class TooLarge(ApplicationError):
    """The payload is over a documented limit (HTTP 413)."""

    default_code = "too_large"


class UnsupportedMedia(ApplicationError):
    """The file is not of a kind the product accepts (HTTP 415)."""

    default_code = "unsupported_media"


class RateLimited(ApplicationError):
    """Too many attempts; the client may try again after `retry_after_seconds` (HTTP 429)."""

    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(ApplicationError):
    """A part the request needs is down; retry later (HTTP 503)."""

    default_code = "unavailable"
