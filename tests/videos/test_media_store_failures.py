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
    proxy = StoreProxy(settings.STORAGES["default"]["OPTIONS"]["endpoint_url"])
    env = child_env(
        ALLOWED_HOSTS="127.0.0.1", S3_ENDPOINT_URL=proxy.url, S3_READ_TIMEOUT_SECONDS="2"
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
