"""Turn raw HTTP requests into validated inputs, or a ServiceError that says what is wrong."""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from embedder_service.errors import ServiceError

# Non-file form fields (transcript, caption) may be long, but not unbounded.
MAX_FORM_FIELD_BYTES = 1024 * 1024
MAX_FORM_FILES = 1000


@dataclass(frozen=True)
class TextRequest:
    """A validated /v1/embed/text body."""

    texts: list[str]
    instruction: str | None


def media_type(request: Request) -> str:
    """The request's content type without parameters, lower-cased."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json_body(request: Request) -> Any:
    """Parse a JSON body: 415 for another content type, 400 for invalid JSON."""
    kind = media_type(request)
    if kind != "application/json" and not kind.endswith("+json"):
        raise ServiceError(
            415, "unsupported_media_type", f"expected application/json, got {kind or 'nothing'}"
        )
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServiceError(400, "invalid_json", f"request body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise ServiceError(400, "invalid_json", "request body is nested too deeply") from exc


def _is_unicode_text(text: str) -> bool:
    """False for a string JSON escapes made of lone surrogates ("\\ud800"), which no encoder
    and no tokenizer accepts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_visible_text(text: str) -> bool:
    """Whether the text holds a character that shows: not only spaces, controls and
    zero-width or format characters (U+200B, U+FEFF), which give a model nothing to read."""
    return any(unicodedata.category(ch)[0] not in "ZC" for ch in text)


def parse_text_request(payload: Any, max_texts: int) -> TextRequest:
    """Validate `{texts: [str, ...], instruction?: str}`."""
    if not isinstance(payload, dict):
        raise ServiceError(422, "invalid_request", "body must be a JSON object with 'texts'")
    texts = payload.get("texts")
    if not isinstance(texts, list):
        raise ServiceError(422, "invalid_request", "'texts' must be a list of strings")
    if not texts:
        raise ServiceError(400, "empty_texts", "'texts' must contain at least one text")
    if len(texts) > max_texts:
        raise ServiceError(
            413, "too_many_texts", f"{len(texts)} texts sent; the limit is {max_texts} per request"
        )
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise ServiceError(422, "invalid_request", f"texts[{index}] is not a string")
        if not has_visible_text(text):
            raise ServiceError(
                422, "blank_text", f"texts[{index}] is empty, whitespace or invisible characters"
            )
        if not _is_unicode_text(text):
            raise ServiceError(
                422, "invalid_text", f"texts[{index}] holds a lone surrogate (not Unicode text)"
            )
    instruction = payload.get("instruction")
    if instruction is not None and not isinstance(instruction, str):
        raise ServiceError(422, "invalid_request", "'instruction' must be a string")
    if instruction is not None and not _is_unicode_text(instruction):
        raise ServiceError(422, "invalid_text", "'instruction' holds a lone surrogate")
    return TextRequest(texts=texts, instruction=instruction or None)


async def read_form(request: Request) -> FormData:
    """Parse a multipart body: 415 for another content type, 400 when it is malformed."""
    kind = media_type(request)
    if kind != "multipart/form-data":
        raise ServiceError(
            415, "unsupported_media_type", f"expected multipart/form-data, got {kind or 'nothing'}"
        )
    try:
        return await request.form(
            max_files=MAX_FORM_FILES, max_fields=100, max_part_size=MAX_FORM_FIELD_BYTES
        )
    except HTTPException as exc:
        raise ServiceError(400, "invalid_multipart", exc.detail) from exc
    except ServiceError:
        raise
    except Exception as exc:  # python-multipart raises several unrelated types
        raise ServiceError(400, "invalid_multipart", f"cannot parse form: {exc}") from exc


def form_files(form: FormData, name: str) -> list[UploadFile]:
    """All uploads under `name`; a plain text value there is a client error."""
    values = form.getlist(name)
    for value in values:
        if not isinstance(value, UploadFile):
            raise ServiceError(400, "invalid_request", f"'{name}' must be a file upload")
    return list(values)  # type: ignore[arg-type]


def form_text(form: FormData, name: str) -> str:
    """A text field, '' when absent; an upload there is a client error."""
    value = form.get(name)
    if value is None:
        return ""
    if isinstance(value, UploadFile):
        raise ServiceError(400, "invalid_request", f"'{name}' must be a text field")
    return value


def form_weight(form: FormData, name: str, default: float) -> float:
    """A finite, non-negative float field, `default` when absent or blank."""
    raw = form_text(form, name).strip()
    if not raw:
        return default
    try:
        weight = float(raw)
    except ValueError as exc:
        message = f"'{name}' must be a number, got {raw!r}"
        raise ServiceError(422, "invalid_weight", message) from exc
    if not math.isfinite(weight) or weight < 0:
        raise ServiceError(422, "invalid_weight", f"'{name}' must be finite and >= 0, got {raw}")
    return weight


def form_int(form: FormData, name: str, default: int) -> int:
    """An integer field, `default` when absent or blank."""
    raw = form_text(form, name).strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ServiceError(422, "invalid_request", f"'{name}' must be an integer") from exc
