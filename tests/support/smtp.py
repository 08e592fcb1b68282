"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1, a free port): it keeps every
message it is sent, and the tests read them as a mailbox would."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

MAIL_WAIT_SECONDS = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def link(self, path_prefix: str) -> str:
        """The first absolute link in the body whose path starts with `path_prefix`."""
        pattern = rf"https?://[^\s/]+{re.escape(path_prefix)}[^\s]*"
        match = re.search(pattern, self.body)
        assert match, f"no link to {path_prefix} in:\n{self.body}"
        return match.group(0)


class _Mailbox:
    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"


class SmtpSink:
    """The server and what it received."""

    def __init__(self) -> None:
        self._mailbox = _Mailbox()
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=_free_port())

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def messages(self) -> list[ReceivedMail]:
        return list(self._mailbox.received)

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.recipients]

    def wait_for(
        self, address: str, count: int = 1, timeout_s: float = MAIL_WAIT_SECONDS
    ) -> ReceivedMail:
        """The `count`-th message to `address`, waiting for it to arrive (a worker sends it)."""
        deadline = time.monotonic() + timeout_s
        while len(self.to(address)) < count:
            assert time.monotonic() < deadline, (
                f"no message #{count} to {address} within {timeout_s}s; got "
                f"{[(m.recipients, m.subject) for m in self.messages]}"
            )
            time.sleep(0.05)
        return self.to(address)[count - 1]


def smtp_sink_running() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
