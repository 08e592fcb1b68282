"""Django's ASGI handler with the middleware chain run synchronously, in one thread hop.

The stock handler runs the chain in async mode: every sync-only middleware (WhiteNoise) and
every process_request/process_response of the built-in ones then crosses between the event
loop and the request's worker thread - about 15 crossings per request, which measured several
milliseconds on a 2-core machine. All views and middleware of this project are synchronous, so
the chain is loaded in sync mode and entered once per request. Websockets (Channels) are not
affected; an async view would still work (Django runs it through async_to_sync).
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:  # noqa: ARG002, FBT001, FBT002
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
