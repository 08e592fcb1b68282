"""ASGI middleware that refuses request bodies over the configured size with a JSON 413."""

from __future__ import annotations

import json
from typing import Any

from embedder_service.errors import ServiceError

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyTooLarge(ServiceError):
    """Raised while streaming a body that passes the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "body_too_large", f"request body is over the limit of {limit} bytes")


class BodySizeLimitMiddleware:
    """Check Content-Length up front, and count streamed bytes for chunked uploads."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and _declared_over(declared, self.max_body_bytes):
            await _send_error(send, BodyTooLarge(self.max_body_bytes))
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        await self.app(scope, counting_receive, send)


def _declared_over(declared: bytes, limit: int) -> bool:
    """Whether a Content-Length header says more than `limit` bytes. Past 18 digits it does
    whatever it says (int() refuses over 4,300 digits: a ValueError, not a 413); a value that
    is not ASCII digits is left to the streamed count."""
    if not (declared.isascii() and declared.isdigit()):
        return False
    return len(declared) > 18 or int(declared) > limit


async def _send_error(send: Any, error: ServiceError) -> None:
    body = json.dumps(error.body()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
