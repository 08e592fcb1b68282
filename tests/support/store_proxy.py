"""A TCP proxy in front of the real object store that can break the GETs of matching objects:
refuse them (503 SlowDown) or cut them after some body bytes; it counts the body bytes relayed.
HTTP/1.1 with Content-Length only, as SeaweedFS answers the S3 client."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit


class StoreProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port or 80)
        self.mode = "pass"  # "pass", "refuse", "cut" (close after `after` body bytes)
        self.match = b"video.mp4"
        self.after = 0
        self.relayed = 0  # response bytes relayed for matching GETs
        self.gets = 0
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.stopping = True
        self.server.close()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while True:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                header, _, rest = head.partition(b"\r\n\r\n")
                lines = header.split(b"\r\n")
                length = 0
                kept = [lines[0]]
                for line in lines[1:]:
                    name = line.split(b":", 1)[0].strip().lower()
                    if name == b"content-length":
                        length = int(line.split(b":", 1)[1])
                    if name == b"connection":
                        continue
                    kept.append(line)
                kept.append(b"Connection: close")
                body = rest
                while len(body) < length:
                    body += conn.recv(65536)
                matching = lines[0].startswith(b"GET ") and self.match in lines[0]
                if matching and self.mode == "refuse":
                    error = b"<Error><Code>SlowDown</Code><Message>busy</Message></Error>"
                    conn.sendall(
                        b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                        + f"Content-Length: {len(error)}\r\n\r\n".encode()
                        + error
                    )
                    with self.lock:
                        self.gets += 1
                    continue
                with socket.create_connection(self.upstream) as up:
                    up.sendall(b"\r\n".join(kept) + b"\r\n\r\n" + body)
                    response = b""
                    while b"\r\n\r\n" not in response:
                        data = up.recv(65536)
                        if not data:
                            break
                        response += data
                    rhead, _, rbody = response.partition(b"\r\n\r\n")
                    rlines = [
                        line
                        for line in rhead.split(b"\r\n")
                        if line.split(b":", 1)[0].strip().lower() != b"connection"
                    ]
                    conn.sendall(b"\r\n".join(rlines) + b"\r\n\r\n")
                    if matching:
                        with self.lock:
                            self.gets += 1
                    sent = 0
                    pending = rbody
                    while True:
                        if matching and self.mode != "pass" and sent + len(pending) > self.after:
                            pending = pending[: self.after - sent]
                            conn.sendall(pending)
                            with self.lock:
                                self.relayed += len(pending)
                            conn.shutdown(socket.SHUT_RDWR)
                            conn.close()
                            return
                        if pending:
                            conn.sendall(pending)
                            sent += len(pending)
                            if matching:
                                with self.lock:
                                    self.relayed += len(pending)
                        rlen = None
                        for line in rlines:
                            if line.lower().startswith(b"content-length:"):
                                rlen = int(line.split(b":", 1)[1])
                        if rlen is not None and sent >= rlen:
                            break
                        pending = up.recv(65536)
                        if not pending:
                            break
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()
