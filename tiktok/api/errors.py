"""One JSON error shape for every 4xx/5xx: {"error": code, "detail": message, "fields": {...}}.

Services raise `tiktok.errors.ApplicationError` subclasses (or Django's ValidationError); this
module is the one place that turns them into HTTP statuses.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tiktok.errors import (
    ApplicationError,
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    Unavailable,
    UnsupportedMedia,
)
from tiktok.outages import UNAVAILABLE_RETRY_AFTER_SECONDS, outage_of

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[ApplicationError], int] = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    AuthenticationFailed: status.HTTP_401_UNAUTHORIZED,
    Forbidden: status.HTTP_403_FORBIDDEN,
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    TooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    UnsupportedMedia: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    RateLimited: status.HTTP_429_TOO_MANY_REQUESTS,
    Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def status_for(error: ApplicationError) -> int:
    """The HTTP status of an application error (its nearest mapped class; 400 otherwise)."""
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return status.HTTP_400_BAD_REQUEST


def error_body(code: str, detail: str, fields: dict | None = None) -> dict[str, Any]:
    return {"error": code, "detail": detail, "fields": fields or {}}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return str(detail)


def _first_message(fields: dict) -> str:
    for name, messages in fields.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(message, dict):
            return f"{name}: {_first_message(message)}"
        return str(message) if name == "non_field_errors" else f"{name}: {message}"
    return "invalid input"


def _unavailable(exc: Exception) -> Response | None:
    """503 with Retry-After when PostgreSQL or Redis cannot be reached (tiktok.outages): the
    client's retry will work, which a 500 does not say."""
    outage = outage_of(exc)
    if outage is None:
        return None
    code, what = outage
    logger.warning("API request failed: %s unavailable: %s", what, exc)
    response = Response(
        error_body(code, f"{what} is unavailable for a moment; retry shortly"),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


# SQLSTATE of a row referring to one that is not there (foreign_key_violation).
_FOREIGN_KEY_VIOLATION = "23503"


def _referent_deleted(exc: Exception) -> Response | None:
    """409 when what the request refers to was deleted while it ran (a like stored as its video
    is deleted: the video was there when the request read it, and gone by the insert's foreign
    key check). The client's next look finds it gone; a 500 said the server broke."""
    if not isinstance(exc, IntegrityError):
        return None
    if getattr(exc.__cause__, "sqlstate", None) != _FOREIGN_KEY_VIOLATION:
        return None
    logger.info("API request referred to a row deleted meanwhile: %s", exc)
    return Response(
        error_body(
            "referenced_item_deleted",
            "what this request refers to was deleted while it was being handled",
        ),
        status=status.HTTP_409_CONFLICT,
    )


def _request_refused(exc: Exception) -> Response | None:
    """Django's refusals of a request it is parsing (SuspiciousOperation: too many parameters
    or form fields, too many files, a form field over DATA_UPLOAD_MAX_MEMORY_SIZE), which Django
    answers 400 outside DRF: a query string of 1,001 parameters answered 500 and logged a
    traceback, for anyone who sent one."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            error_body(
                "body_too_large",
                f"the request's data other than files is larger than {limit // 1024} KB",
            ),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        detail = f"more than {limit} query parameters or form fields"
        return Response(error_body("too_many_fields", detail), status=400)
    if isinstance(exc, TooManyFilesSent):
        detail = f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files"
        return Response(error_body("too_many_files", detail), status=400)
    if isinstance(exc, SuspiciousOperation):
        logger.info("API request refused: %s", exc)
        return Response(error_body("bad_request", "the request is malformed"), status=400)
    return None


def exception_handler(exc: Exception, context: dict) -> Response | None:
    answered = _unavailable(exc) or _referent_deleted(exc) or _request_refused(exc)
    if answered is not None:
        return answered
    if isinstance(exc, ApplicationError):
        response = Response(error_body(exc.code, exc.message, exc.fields), status=status_for(exc))
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after_seconds)
        elif isinstance(exc, Unavailable):  # the media store, the embedder: wait and retry
            response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "permission denied")

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", "internal server error"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten(detail)
            response.data = error_body("invalid", _first_message(fields), fields)
        else:
            messages = _flatten(detail if isinstance(detail, list) else [detail])
            response.data = error_body("invalid", "; ".join(map(str, messages)))
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, str(getattr(exc, "detail", exc)))
    return response
