"""Calling the project's ASGI application in-process (no server): status, headers and body."""

from __future__ import annotations

import asyncio


def asgi_get(
    path: str, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, dict[bytes, bytes], bytes]:
    status, response_headers, chunks = asgi_get_chunks(path, headers)
    return status, response_headers, b"".join(chunks)


def asgi_get_chunks(
    path: str, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, dict[bytes, bytes], list[bytes]]:
    """Like asgi_get, with the body as the chunks it was sent in."""
    from tiktok.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    chunks = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
    return sent[0]["status"], dict(sent[0]["headers"]), [chunk for chunk in chunks if chunk]
