"""Media answers when the object store fails after it answered the file's stat: a refused read is
a 503 with Retry-After (not 200 headers and then nothing), and a read cut mid-stream ends the
viewer's connection (the player sees a short body and asks again) instead of leaving it open
for good. The live tests run the real web server (`tiktok.web.server`) with its store reached
through a proxy that breaks the reads (tests/support/store_proxy.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import child_env, start_web_server, stop_process
from tests.factories import VideoFactory
from tests.support.storage import store_fails
from tests.support.store_proxy import StoreProxy

MP4 = bytes(range(256)) * 40


@pytest.fixture
def public_video(db, media_store):  # noqa: ANN001, ANN201
    video = VideoFactory()
    media_store.put(f"videos/{video.media_key}/video.mp4", MP4)
    return video


def test_a_read_the_store_refuses_after_its_stat_is_a_503(client, public_video) -> None:  # noqa: ANN001
    client.raise_request_exception = False
    with store_fails("GetObject", status=503, code="SlowDown"):
        response = client.get(f"/media/videos/{public_video.media_key}/video.mp4")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_playlist_the_store_refuses_in_redirect_delivery_is_a_503(
    client,  # noqa: ANN001
    public_video,  # noqa: ANN001
    media_store,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    settings.MEDIA_DELIVERY = "redirect"  # the playlist is read to sign its segments
    media_store.put(
        f"videos/{public_video.media_key}/hls/index.m3u8",
        b"#EXTM3U\n#EXTINF:2.0,\nseg_000.ts\n#EXT-X-ENDLIST\n",
    )
    client.raise_request_exception = False
    with store_fails("GetObject", status=503, code="SlowDown"):
        response = client.get(f"/media/videos/{public_video.media_key}/hls/index.m3u8")
    assert response.status_code == 503


SIZE = 4 * 1024 * 1024
DATA = bytes(range(251)) * (SIZE // 251) + b"\0" * (SIZE % 251)


@pytest.fixture
def proxied_server(tmp_path: Path) -> Iterator[tuple[str, StoreProxy]]:
    yield from _proxied_server(tmp_path)


@pytest.fixture
def impatient_server(tmp_path: Path) -> Iterator[tuple[str, StoreProxy]]:
    yield from _proxied_server(tmp_path, WEB_SEND_TIMEOUT_SECONDS="1")


def _proxied_server(tmp_path: Path, **env: str) -> Iterator[tuple[str, StoreProxy]]:
    proxy = StoreProxy(settings.STORAGES["default"]["OPTIONS"]["endpoint_url"])
    env = child_env(
        ALLOWED_HOSTS="127.0.0.1", S3_ENDPOINT_URL=proxy.url, S3_READ_TIMEOUT_SECONDS="2", **env
    )
    process, url = start_web_server(env=env, log_path=tmp_path / "web.log")
    yield url, proxy
    stop_process(process)
    proxy.close()


def _get(url: str, path: str, *, timeout: float) -> tuple[bytes, bytes, str]:
    """(head, body, how it ended: "eof", "complete" or "timeout")."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data, ended = b"", "timeout"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(262144)
            except TimeoutError:
                break
            if not chunk:
                ended = "eof"
                break
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:") and len(body) >= int(
                    line.split(b":")[1]
                ):
                    return head, body, "complete"
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body, ended


@pytest.fixture
def big_video_path(media_store) -> str:  # noqa: ANN001
    """The media path of a public video's 4 MB rendition, committed (the server is another
    process)."""
    video = VideoFactory()
    media_store.put(f"videos/{video.media_key}/video.mp4", DATA)
    return f"/media/videos/{video.media_key}/video.mp4"


@pytest.mark.django_db(transaction=True)
def test_a_store_that_drops_mid_stream_ends_the_viewers_connection(
    proxied_server,  # noqa: ANN001
    big_video_path: str,
) -> None:
    url, proxy = proxied_server
    proxy.mode, proxy.after = "cut", 300_000
    head, body, ended = _get(url, big_video_path, timeout=30)
    assert head.startswith(b"HTTP/1.1 200")
    assert len(body) < SIZE
    # Left open, the connection waited for bytes that never came (no timeout by default).
    assert ended == "eof"
    # And the server goes on serving: the next viewer gets the whole file.
    proxy.mode = "pass"
    head, body, ended = _get(url, big_video_path, timeout=30)
    assert (head.split(b"\r\n")[0], len(body), ended) == (b"HTTP/1.1 200 OK", SIZE, "complete")


@pytest.mark.django_db(transaction=True)
def test_a_read_refused_after_the_stat_answers_503_through_the_web_server(
    proxied_server,  # noqa: ANN001
    big_video_path: str,
) -> None:
    url, proxy = proxied_server
    proxy.mode = "refuse"
    head, _, ended = _get(url, big_video_path, timeout=30)
    assert head.startswith(b"HTTP/1.1 503"), (head.split(b"\r\n")[0], ended)


# Backpressure: a viewer's connection takes the file only as fast as the viewer reads it. Bigger
# than every buffer between the store and the viewer (sockets autotune to a few megabytes).
LARGE = 48 * 1024 * 1024


@pytest.fixture
def large_video(media_store) -> tuple[str, bytes]:  # noqa: ANN001
    data = bytes(range(253)) * (LARGE // 253) + b"\1" * (LARGE % 253)
    video = VideoFactory()
    media_store.put(f"videos/{video.media_key}/video.mp4", data)
    return f"/media/videos/{video.media_key}/video.mp4", data


def _settled(proxy: StoreProxy, total: int) -> int:
    """The bytes the store has sent once its reads stop (or it has sent everything)."""
    last, still_since = -1, time.monotonic()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = proxy.relayed
        if now >= total:
            return now
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since > 2:
            return now
        time.sleep(0.1)
    return proxy.relayed


def _open(url: str, path: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)  # a viewer on a slow link
    sock.settimeout(60)
    sock.connect((host, int(port)))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


@pytest.mark.django_db(transaction=True)
def test_a_slow_viewer_holds_back_the_reads_from_the_store(
    proxied_server,  # noqa: ANN001
    large_video: tuple[str, bytes],
) -> None:
    url, proxy = proxied_server
    path, data = large_video
    with _open(url, path) as sock:
        received = sock.recv(4096)
        # The viewer reads nothing more: the server stops reading the store (it buffered the
        # whole file in memory before, for every such viewer).
        total = len(data)
        assert _settled(proxy, total) < total // 2
        # And the viewer reading again gets the rest, whole.
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        while len(body) < total:
            chunk = sock.recv(1 << 20)
            assert chunk, len(body)
            body += chunk
    assert body == data, "the file arrived changed"


@pytest.mark.django_db(transaction=True)
def test_a_viewer_leaving_mid_file_stops_the_reads_from_the_store(
    proxied_server,  # noqa: ANN001
    large_video: tuple[str, bytes],
) -> None:
    url, proxy = proxied_server
    path, data = large_video
    _first_megabyte(url, path)
    # The viewer swiped away: the rest of the file is not fetched from the store for nobody.
    total = len(data)
    assert _settled(proxy, total) < total // 2
    # The server goes on serving.
    assert _first_megabyte(url, path).startswith(b"HTTP/1.1 200 OK")


def _first_megabyte(url: str, path: str) -> bytes:
    """The answer's first megabyte; then the viewer leaves (closes the connection)."""
    with _open(url, path) as sock:
        received = b""
        while len(received) < 1024 * 1024:
            received += sock.recv(1 << 16)
    return received


@pytest.mark.django_db(transaction=True)
def test_a_viewer_taking_nothing_in_is_disconnected_after_the_send_timeout(
    impatient_server,  # noqa: ANN001
    large_video: tuple[str, bytes],
) -> None:
    url, proxy = impatient_server
    path, data = large_video
    total = len(data)
    with _open(url, path) as sock:
        sock.recv(4096)
        # Nothing read for longer than the server's send timeout (1 s here, 60 by default).
        assert _settled(proxy, total) < total // 2
        time.sleep(1)  # beyond the 2 s the store's reads have stood still: a margin for a busy host
        received = 0
        try:
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass
    # The connection was closed (a player asks again with a Range), not held open for good.
    assert received < total // 2
