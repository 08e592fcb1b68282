"""The embedder's body size limit as a middleware, driven directly (no server)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from embedder_service.limits import BodySizeLimitMiddleware

LIMIT_BYTES = 1000


def _status_for(content_length: bytes) -> tuple[int, dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def app(scope: dict, receive: Any, send: Any) -> None:  # noqa: ARG001
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"content-length", content_length)]}
    asyncio.run(BodySizeLimitMiddleware(app, max_body_bytes=LIMIT_BYTES)(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


@pytest.mark.parametrize("digits", [19, 4301, 10_000])
def test_a_content_length_of_thousands_of_digits_is_413_not_a_crash(digits: int) -> None:
    status, body = _status_for(b"9" * digits)

    assert status == 413
    assert body["error"] == "body_too_large"


def test_a_content_length_within_the_limit_reaches_the_service() -> None:
    assert _status_for(str(LIMIT_BYTES).encode()) == (200, {})


def test_a_content_length_over_the_limit_is_413() -> None:
    assert _status_for(str(LIMIT_BYTES + 1).encode())[0] == 413
