"""The web server: Daphne (HTTP and websockets through tiktok.asgi), refusing request bodies
over their route's limit as they arrive.

Daphne (through Twisted) reads a request's whole body into a temporary file before the
application is called, whatever its size: `Transfer-Encoding: chunked` with an endless body
filled /tmp. Here each request counts its body bytes as they arrive (and checks a declared
Content-Length before any), and past the limit answers 413 at once, discards what the client
still sends for a short while (so it can read the answer; closing with unread data resets the
connection) and then closes it.

Daphne also writes every chunk of an answer into the connection's buffer at once, however slowly
the client reads: a video served to a viewer on a slow link (or one who stops reading) sat whole
in the server's memory, and a viewer who swiped away still had the rest of the file read from
the store, for nobody. Here an answer's next chunk is taken from the application only once the
connection has sent the last ones (Twisted pauses the request as a producer when the buffer is
full, resumes it when drained), and after the client has gone, sending a chunk raises
`ConnectionResetError` (the ASGI spec's OSError for a closed connection), which stops the
application reading the store. A client that takes nothing for `WEB_SEND_TIMEOUT_SECONDS` (60)
while an answer waits is disconnected, as nginx's send_timeout does (a browser's player that
stopped reading asks again with a Range when it needs more).

Run as `python -m tiktok.web.server <daphne arguments>`.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

import daphne.server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from twisted.internet import reactor

from tiktok.web.asgi_handler import SEND_TIMEOUT_DEFAULT_SECONDS, send_timeout_seconds
from tiktok.web.body_limits import body_limit_for, body_too_large_json

# How long, and how much more, a refused client may go on sending (discarded) before the
# connection is closed.
REFUSED_BODY_LINGER_SECONDS = 2.0
REFUSED_BODY_LINGER_BYTES = 1024 * 1024
# How much of an answer may wait in a connection's buffer beyond Twisted's own (64 KiB) before
# the application is held back: a few chunks, so the store's reads overlap the sends.
SEND_BUFFER_BYTES = 1024 * 1024


class BodyLimitedRequest(WebRequest):
    body_limit: int | None = None
    body_received = 0
    body_refused = False
    body_refused_at = 0
    # While its answer is being sent the request is the connection's (push) producer: paused
    # when the send buffer fills, resumed when it drains. Waiters are the application's sends.
    send_paused = False
    send_buffered = 0  # bytes written since the buffer filled
    send_waiters: list[asyncio.Future] | None = None
    send_timeout = SEND_TIMEOUT_DEFAULT_SECONDS

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

    def handle_reply(self, message: dict) -> None:
        kind = message.get("type")
        if (
            kind == "http.response.start"
            and self.channel is not None
            and not self.finished
            and self.producer is None
        ):
            self.registerProducer(self, True)  # noqa: FBT003 - Twisted's signature
            # A buffer still full from the connection's previous answer: wait for its drain.
            self.send_paused = bool(getattr(self.channel, "_waitingForTransport", False))
        super().handle_reply(message)

    def finish(self) -> None:
        self._producer_release()  # first: Twisted's finish logs a producer left registered
        super().finish()

    async def writable(self, written: int) -> None:
        """After `written` more bytes of the answer: returns at once while the connection's
        buffer holds under SEND_BUFFER_BYTES since it filled, else once it has drained (or the
        connection closed). A client that takes nothing in for the send timeout is disconnected
        (ConnectionResetError)."""
        if not self.send_paused:
            return
        self.send_buffered += written
        if self.send_buffered < SEND_BUFFER_BYTES:
            return  # the next chunk is read from the store while the buffer drains
        loop = asyncio.get_running_loop()
        while self.send_paused and self.channel is not None and not self.finished:
            waiter = loop.create_future()
            if self.send_waiters is None:
                self.send_waiters = []
            self.send_waiters.append(waiter)
            expired: list[bool] = []
            timer = loop.call_later(self.send_timeout, self._send_expire, waiter, expired)
            try:
                await waiter
            except asyncio.CancelledError:
                if not expired:
                    raise  # the application itself was cancelled
                if self.channel is not None:
                    self.channel.transport.abortConnection()
                raise ConnectionResetError(
                    f"the client took nothing in for {self.send_timeout:g} s"
                ) from None
            finally:
                timer.cancel()

    @staticmethod
    def _send_expire(waiter: asyncio.Future, expired: list[bool]) -> None:
        if not waiter.done():
            expired.append(True)
            waiter.cancel()

    def pauseProducing(self) -> None:  # noqa: N802 - Twisted's name
        # Called on every write while the buffer is full: the count starts at the first.
        if not self.send_paused:
            self.send_paused = True
            self.send_buffered = 0

    def resumeProducing(self) -> None:  # noqa: N802 - Twisted's name
        self.send_paused = False
        self._wake_senders()

    def stopProducing(self) -> None:  # noqa: N802 - Twisted's name
        self._wake_senders()

    def connectionLost(self, reason: Any) -> None:  # noqa: N802 - Twisted's name
        self.producer = None  # the channel is gone: nothing left to unregister from
        super().connectionLost(reason)
        self._wake_senders()

    def _producer_release(self) -> None:
        if self.producer is self and self.channel is not None:
            self.unregisterProducer()
        self.send_paused = False
        self._wake_senders()

    def _wake_senders(self) -> None:
        waiters, self.send_waiters = self.send_waiters or [], None
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

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


class FlowControlledServer(daphne.server.Server):
    async def handle_reply(self, protocol: Any, message: dict) -> None:
        if message.get("type") == "http.response.body":
            details = self.connections.get(protocol)
            if details is None or details.get("disconnected"):
                raise ConnectionResetError("the client closed the connection")
        await super().handle_reply(protocol, message)
        if message.get("more_body", False) and isinstance(protocol, BodyLimitedRequest):
            await protocol.writable(len(message.get("body", b"")))


class BodyLimitedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr: Any) -> Any:  # noqa: N802 - Twisted's name
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BodyLimitedRequest
        return protocol


def main() -> None:
    try:
        BodyLimitedRequest.send_timeout = send_timeout_seconds()
    except ValueError as exc:
        raise SystemExit(f"web server: {exc}") from None
    # Daphne's Server builds its HTTP factory by this module-level name when it runs.
    daphne.server.HTTPFactory = BodyLimitedHTTPFactory
    CommandLineInterface.server_class = FlowControlledServer
    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
