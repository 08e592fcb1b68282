"""Django's ASGI handler, serving this project's synchronous views with one thread hop per
request on a fixed pool of worker threads.

The stock handler runs the middleware chain in async mode (every sync middleware then crosses
between the event loop and a thread), wraps each request in a ThreadSensitiveContext (asgiref
then starts a new thread for every request), sends the request_started signal and closes the
response through further hops, and races the view against a disconnect listener. For a project
whose views and middleware are all synchronous that is pure overhead: several milliseconds per
request on a 2-core machine. Here, as under a threaded WSGI server, each request runs start to
finish (signals, middleware, view, response.close) in one call on a pooled worker thread.
Streaming responses (media files) are read chunk by chunk on the worker threads as they are
sent (the stock handler reads a synchronous iterator whole into memory first) and closed
afterwards. An async view would still work (Django runs it through async_to_sync). Websockets
(Channels) are not affected. A body over its route's limit (tiktok/web/body_limits.py) is
answered 413 as soon as it is declared or has arrived past the limit, under any ASGI server.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import tempfile
from collections.abc import AsyncGenerator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.urls import set_script_prefix

from tiktok.web.body_limits import body_limit_for, body_too_large_json, content_length_over

# Requests served at the same time by one process (each holds one database connection while it
# runs, so keep it at most DB_POOL_MAX).
WEB_THREADS_DEFAULT = 8


def web_threads() -> int:
    value = os.environ.get("WEB_THREADS", "").strip()
    try:
        threads = int(value) if value else WEB_THREADS_DEFAULT
    except ValueError as exc:
        raise ValueError(f"WEB_THREADS must be a positive integer, not {value!r}") from exc
    if threads < 1:
        raise ValueError(f"WEB_THREADS must be a positive integer, not {value!r}")
    return threads


# How long the web server lets an answer wait for its client to take in more of it before
# disconnecting the client (tiktok/web/server.py), like nginx's send_timeout.
SEND_TIMEOUT_DEFAULT_SECONDS = 60.0


def send_timeout_seconds() -> float:
    """WEB_SEND_TIMEOUT_SECONDS: how long an answer may wait for its client to read more."""
    value = os.environ.get("WEB_SEND_TIMEOUT_SECONDS", "").strip()
    try:
        seconds = float(value) if value else SEND_TIMEOUT_DEFAULT_SECONDS
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ValueError(f"WEB_SEND_TIMEOUT_SECONDS must be a positive number, not {value!r}")
    return seconds


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.executor = ThreadPoolExecutor(
            max_workers=web_threads(), thread_name_prefix="django-request"
        )

    def load_middleware(self, is_async: bool = False) -> None:  # noqa: ARG002, FBT001, FBT002
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_limited_body(scope, receive)
        except RequestAborted:
            return
        except BodyTooLarge as exc:
            response = HttpResponse(
                body_too_large_json(exc.limit), status=413, content_type="application/json"
            )
            response["Connection"] = "close"
            await self.send_response(response, send)
            return
        loop = asyncio.get_running_loop()
        run = functools.partial(contextvars.copy_context().run, self._respond, scope, body_file)
        try:
            response = await loop.run_in_executor(self.executor, run)
            streamed = None
            if response.streaming and not response.is_async:
                chunks = iter(response.streaming_content)
                streamed = self._chunks_from_thread(chunks, loop)
                response.streaming_content = streamed
            try:
                await self.send_response(response, send)
            except (asyncio.CancelledError, OSError):
                # The client went away while the response was being sent: a server cancels the
                # application, or (as the ASGI spec asks) its send raises an OSError.
                pass
            finally:
                if streamed is not None:
                    await streamed.aclose()  # waits for a read still running on a thread
                if response.streaming:
                    await loop.run_in_executor(self.executor, response.close)
        finally:
            body_file.close()

    async def read_limited_body(self, scope: dict, receive: Any) -> Any:
        """The request body in a spooled temporary file, as Django's `read_body`, refused past
        its route's limit (a declared Content-Length before reading any)."""
        limit = body_limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and content_length_over(value, limit):
                raise BodyTooLarge(limit)
        # Returned open: handle() closes it after the response.
        body_file = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b"
        )
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                body_file.close()
                raise RequestAborted()
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                body_file.close()
                raise BodyTooLarge(limit)
            body_file.write(chunk)
            if not message.get("more_body", False):
                break
        body_file.seek(0)
        return body_file

    async def _chunks_from_thread(
        self, chunks: Iterator[bytes], loop: asyncio.AbstractEventLoop
    ) -> AsyncGenerator[bytes, None]:
        """A streaming response's chunks, each read on a worker thread while the one before is
        being sent (one chunk ahead: the server takes a chunk only when the client has room for
        it, and the store's read then overlaps the send). Django's handler reads a synchronous
        iterator - a whole video file - into memory first."""
        ahead = loop.run_in_executor(self.executor, next, chunks, None)
        try:
            while (chunk := await ahead) is not None:
                ahead = loop.run_in_executor(self.executor, next, chunks, None)
                yield chunk
        finally:
            # Stopped early (the client left): the read in flight ends before the file closes.
            await asyncio.wait([ahead])

    def _respond(self, scope: dict, body_file: Any) -> HttpResponseBase:
        """One request, start to finish, in a worker thread. A buffered response is closed here
        (request_finished hands the database connection back to the pool before the bytes go
        out); a streaming one after it has been sent."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response
