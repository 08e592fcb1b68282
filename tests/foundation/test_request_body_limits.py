"""Request bodies are refused past their route's limit while they arrive: an endless chunked
body to a real web server gets a 413 answer instead of filling the disk, and routes keep their
own limits (an upload may be large, a login may not)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import BASE_DIR, child_env, start_web_server, stop_process, wait_http_ok
from tiktok.dev.processes import daphne_argv
from tiktok.web.asgi_handler import SyncChainASGIHandler, send_timeout_seconds
from tiktok.web.body_limits import MULTIPART_OVERHEAD_BYTES, body_limit_for

CHUNK = b"\0" * 65536
# An endless body is cut off long before this; a server that buffers it would take it all.
ENDLESS_BODY_BYTES = 512 * 1024 * 1024


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The project's web server (Daphne with body limits) with a temp folder of its own."""
    temp_dir = tmp_path / "server-tmp"
    temp_dir.mkdir()
    env = child_env(TMPDIR=str(temp_dir), ALLOWED_HOSTS="127.0.0.1")
    process, url = start_web_server(env=env, log_path=tmp_path / "web.log")
    yield int(url.rsplit(":", 1)[1]), temp_dir
    stop_process(process)


def _answer(sock: socket.socket) -> tuple[int, dict]:
    """The status and JSON body of the HTTP answer on a socket (read until the server closes)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _send_endless_chunked_body(port: int, path: str) -> tuple[int, int, dict]:
    """POST an endless chunked body until the server stops taking it: (bytes sent, status,
    answer)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        frame = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
        try:
            while sent < ENDLESS_BODY_BYTES:
                sock.sendall(frame)
                sent += len(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass
        else:
            raise AssertionError(f"the server took {sent} bytes of body")
        status, answer = _answer(sock)
    return sent, status, answer


def _temp_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@pytest.mark.django_db(transaction=True)  # the server is another process
def test_an_endless_chunked_body_is_refused_without_filling_the_disk(web_server) -> None:  # noqa: ANN001
    port, temp_dir = web_server
    sent, status, answer = _send_endless_chunked_body(port, "/api/auth/login")
    assert status == 413
    assert answer["error"] == "body_too_large"
    assert "1.0 MB" in answer["detail"]
    # Cut off near the limit (plus what the sockets' buffers held), not at gigabytes.
    assert sent < settings.MAX_REQUEST_BODY_BYTES + 32 * 1024 * 1024
    assert _temp_bytes(temp_dir) <= settings.MAX_REQUEST_BODY_BYTES
    # The server goes on answering.
    wait_http_ok(f"http://127.0.0.1:{port}/api/health", 10)


@pytest.mark.django_db(transaction=True)
def test_a_declared_length_over_the_limit_is_refused_before_any_body(web_server) -> None:  # noqa: ANN001
    port, _ = web_server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n"
        )
        status, answer = _answer(sock)
    assert status == 413
    assert answer["error"] == "body_too_large"


@pytest.mark.django_db(transaction=True)
def test_the_upload_route_keeps_its_own_larger_limit(web_server) -> None:  # noqa: ANN001
    """A 3 MB body is over the general limit but reaches the upload view (which asks for a
    login here), and one over the upload limit is refused by the server."""
    port, _ = web_server
    import httpx

    body = b"x" * (3 * 1024 * 1024)
    answer = httpx.post(f"http://127.0.0.1:{port}/api/videos", content=body, timeout=30)
    assert answer.status_code == 401, answer.text
    too_big = httpx.post(f"http://127.0.0.1:{port}/api/auth/login", content=body, timeout=30)
    assert too_big.status_code == 413
    assert too_big.json()["error"] == "body_too_large"


def test_route_limits_follow_the_settings() -> None:
    assert body_limit_for("/api/videos") == settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    assert body_limit_for("/api/users/me") == settings.MAX_AVATAR_BYTES + MULTIPART_OVERHEAD_BYTES
    assert body_limit_for("/api/auth/login") == settings.MAX_REQUEST_BODY_BYTES
    assert body_limit_for("/api/videos/1/comments") == settings.MAX_REQUEST_BODY_BYTES


def _asgi_post(
    path: str, body_chunks: Iterator[bytes], headers: tuple[tuple[bytes, bytes], ...] = ()
) -> tuple[int, bytes, int]:
    """POST through the project's ASGI handler directly (as any ASGI server would call it):
    (status, body, chunks the handler read)."""
    handler = SyncChainASGIHandler()
    read = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal read
        chunk = next(body_chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), *headers],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(handler(scope, receive, send))
    handler.executor.shutdown()
    status = sent[0]["status"]
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return status, body, read


def test_the_asgi_handler_stops_reading_an_endless_body() -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield CHUNK

    status, body, read = _asgi_post("/api/auth/login", endless())
    assert status == 413
    assert json.loads(body)["error"] == "body_too_large"
    assert read * len(CHUNK) <= settings.MAX_REQUEST_BODY_BYTES + len(CHUNK)


@pytest.mark.parametrize("digits", [19, 4301])
def test_a_declared_length_of_thousands_of_digits_is_413_before_reading(digits: int) -> None:
    status, body, read = _asgi_post(
        "/api/auth/login", iter([b"{}"]), headers=((b"content-length", b"9" * digits),)
    )

    assert status == 413
    assert json.loads(body)["error"] == "body_too_large"
    assert read == 0


def test_docker_runs_the_body_limited_server() -> None:
    for name in ("docker/Dockerfile", "docker/compose.yaml"):
        assert "tiktok.web.server" in (BASE_DIR / name).read_text(), name
    assert "tiktok.web.server" in subprocess.list2cmdline(daphne_argv("127.0.0.1", 8000))


@pytest.mark.parametrize("value", ["soon", "0", "-1", "inf", "nan"])
def test_a_send_timeout_that_is_not_a_positive_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WEB_SEND_TIMEOUT_SECONDS", value)
    with pytest.raises(ValueError, match="WEB_SEND_TIMEOUT_SECONDS must be a positive number"):
        send_timeout_seconds()
    monkeypatch.setenv("WEB_SEND_TIMEOUT_SECONDS", "2.5")
    assert send_timeout_seconds() == 2.5
    monkeypatch.delenv("WEB_SEND_TIMEOUT_SECONDS")
    assert send_timeout_seconds() == 60
