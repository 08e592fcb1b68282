"""The web server: Daphne (HTTP and websockets through tiktok.asgi), refusing request bodies
over their route's limit as they arrive.

Daphne (through Twisted) reads a request's whole body into a temporary file before the
application is called, whatever its size: `Transfer-Encoding: chunked` with an endless body
filled /tmp. Here each request counts its body bytes as they arrive (and checks a declared
Content-Length before any), and past the limit answers 413 at once, discards what the client
still sends for a short while (so it can read the answer; closing with unread data resets the
connection) and then closes it. Run as `python -m tiktok.web.server <daphne arguments>`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import daphne.server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from twisted.internet import reactor

from tiktok.web.body_limits import body_limit_for, body_too_large_json

# How long, and how much more, a refused client may go on sending (discarded) before the
# connection is closed.
REFUSED_BODY_LINGER_SECONDS = 2.0
REFUSED_BODY_LINGER_BYTES = 1024 * 1024


class BodyLimitedRequest(WebRequest):
    body_limit: int | None = None
    body_received = 0
    body_refused = False
    body_refused_at = 0

    def gotLength(self, length: int | None) -> None:  # noqa: N802 - Twisted's name
        # The path as Daphne reads it (the target up to "?", percent-decoded); never raises.
        target = self.channel._path.split(b"?", 1)[0]
        self.body_limit = body_limit_for(unquote(target.decode("latin-1")))
        if length is not None and length > self.body_limit:
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        self.body_received += len(data)
        if self.body_refused:
            if self.body_received > self.body_refused_at + REFUSED_BODY_LINGER_BYTES:
                self.channel.transport.abortConnection()
            return
        if self.body_limit is not None and self.body_received > self.body_limit:
            self._refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:  # noqa: N802
        if not self.body_refused:
            super().requestReceived(command, path, version)

    def _refuse(self) -> None:
        self.body_refused = True
        self.requestHeaders.removeHeader(b"Expect")  # no "100 Continue" after the answer
        self.body_refused_at = self.body_received
        body = body_too_large_json(self.body_limit or 0)
        head = (
            "HTTP/1.1 413 Content Too Large\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        transport = self.channel.transport
        transport.write(head.encode("ascii") + body)
        # Half-close: the answer and a FIN go out, what still arrives is discarded, and the
        # connection is dropped after the linger (or when the client closes its side).
        transport.loseWriteConnection()
        reactor.callLater(REFUSED_BODY_LINGER_SECONDS, transport.abortConnection)

    def handle_exception(self, exception: BaseException) -> None:
        """The application failed. Before its answer started, Daphne's 500 page; after it (a
        media file's store failing mid-stream), the connection is cut so the client sees a
        short body and retries. Daphne's own answer then raised ("response has already been
        started") out of the loop that reaps finished requests, which stopped for good: the
        viewer's connection hung, and every later request's state stayed in memory."""
        if self._response_started:
            self.channel.transport.loseConnection()  # what was sent goes out, then a FIN
            return
        super().handle_exception(exception)


class BodyLimitedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr: Any) -> Any:  # noqa: N802 - Twisted's name
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BodyLimitedRequest
        return protocol


def main() -> None:
    # Daphne's Server builds its HTTP factory by this module-level name when it runs.
    daphne.server.HTTPFactory = BodyLimitedHTTPFactory
    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
