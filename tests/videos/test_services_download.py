"""Downloading pages and files from hostile servers: the deadline over the headers, compressed
bodies held to the size caps in memory, and a disk that fills (videos.services.download; a
local HTTP server, no database)."""

from __future__ import annotations

import gzip
import resource
import signal
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from videos.services.download import (
    MAX_PAGE_BYTES,
    DownloadError,
    download_to_temp,
    http_client,
    page_video_links,
)

PAGE = b"<html><title>Cats</title><a href='/files/cat.mp4'>my cat jumping</a></html>"
BOMB_SPACES = 128 * 1024 * 1024


def _gzip_of_spaces(size: int) -> bytes:
    """`size` spaces, gzipped without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    piece = b" " * (1024 * 1024)
    parts = [compressor.compress(piece) for _ in range(size // len(piece))]
    return b"".join(parts) + compressor.flush()


@pytest.fixture(scope="module")
def double_gzip() -> bytes:
    """128 MiB of spaces gzipped twice: a few hundred bytes on the wire."""
    return gzip.compress(_gzip_of_spaces(BOMB_SPACES), compresslevel=9)


@pytest.fixture
def server(double_gzip: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

        def _answer(self, body: bytes, media_type: str, encoding: str = "") -> None:
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/slow-headers":
                # A header byte every 0.3 s: every read well within the timeout, no end.
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self.wfile.flush()
                for _ in range(60):
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.3)
            elif self.path == "/bomb-page":
                self._answer(double_gzip, "text/html", "gzip, gzip")
            elif self.path == "/bomb.mp4":
                self._answer(double_gzip, "video/mp4", "gzip, gzip")
            elif self.path == "/gzip-page":
                self._answer(gzip.compress(PAGE), "text/html", "gzip")
            elif self.path == "/deflate-page":
                self._answer(zlib.compress(PAGE), "text/html", "deflate")
            elif self.path == "/raw-deflate-page":
                raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
                self._answer(raw.compress(PAGE) + raw.flush(), "text/html", "deflate")
            elif self.path == "/brotli-page":
                self._answer(b"\x1b\x00\x00", "text/html", "br")
            elif self.path in ("/layers-page", "/layers.mp4"):
                media_type = "text/html" if self.path == "/layers-page" else "video/mp4"
                self._answer(gzip.compress(PAGE), media_type, ", ".join(["gzip"] * 3000))
            elif self.path == "/big.mp4":
                self._answer(b"\0" * (4 * 1024 * 1024), "video/mp4")

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:  # noqa: ANN001
            return None  # a client hanging up mid-answer (a refused download) is the point

    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_headers_dripping_past_the_deadline_are_refused_at_the_deadline(server: str):
    started = time.monotonic()
    with (
        http_client(5, allow_private=True) as client,
        pytest.raises(DownloadError, match="took longer than the deadline of 2 s"),
    ):
        page_video_links(client, f"{server}/slow-headers", deadline_s=2)
    # Each header byte came within the 5 s read timeout; the 18 s of headers did not.
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("path", ["/gzip-page", "/deflate-page", "/raw-deflate-page"])
def test_a_compressed_page_is_read(server: str, path: str):
    with http_client(5, allow_private=True) as client:
        page = page_video_links(client, f"{server}{path}", deadline_s=10)
    assert page.title == "Cats"
    assert [(link.url, link.caption) for link in page.links] == [
        (f"{server}/files/cat.mp4", "my cat jumping")
    ]


def test_a_page_in_an_encoding_not_asked_for_is_refused(server: str):
    with (
        http_client(5, allow_private=True) as client,
        pytest.raises(DownloadError, match="encoded as br, which was not asked for"),
    ):
        page_video_links(client, f"{server}/brotli-page", deadline_s=10)


def test_a_page_compressed_twice_stops_at_the_page_cap_in_memory(server: str):
    tracemalloc.start()
    try:
        with (
            http_client(30, allow_private=True) as client,
            pytest.raises(DownloadError, match=f"larger than {MAX_PAGE_BYTES} bytes"),
        ):
            page_video_links(client, f"{server}/bomb-page", deadline_s=60)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Inflated whole, one network read of the bomb was the 128 MiB.
    assert peak < 4 * MAX_PAGE_BYTES


def test_a_file_compressed_twice_stops_at_the_byte_cap_in_memory(server: str, tmp_path: Path):
    tracemalloc.start()
    try:
        with (
            http_client(30, allow_private=True) as client,
            pytest.raises(DownloadError, match="over the limit of 1048576 bytes"),
        ):
            download_to_temp(
                client,
                f"{server}/bomb.mp4",
                max_bytes=1024 * 1024,
                deadline_s=60,
                directory=tmp_path,
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    assert list(tmp_path.iterdir()) == []


def test_a_disk_that_fills_during_a_download_is_a_download_error(server: str, tmp_path: Path):
    # RLIMIT_FSIZE stands in for a full disk: writes past 1 MiB fail (EFBIG) as ENOSPC would.
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, old_limit[1]))
    try:
        with (
            http_client(10, allow_private=True) as client,
            pytest.raises(DownloadError, match=f"cannot write {server}/big.mp4 to "),
        ):
            download_to_temp(client, f"{server}/big.mp4", max_bytes=10 * 2**20, directory=tmp_path)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    assert list(tmp_path.iterdir()) == []


def test_an_answer_encoded_thousands_of_times_over_is_refused_not_a_traceback(
    server: str, tmp_path: Path
):
    # One nested inflater per layer: 3,000 "gzip"s ended in a RecursionError that escaped as a
    # traceback and took the whole run with it.
    says = "encoded 3000 times over"
    with http_client(5, allow_private=True) as client:
        with pytest.raises(DownloadError, match=says):
            page_video_links(client, f"{server}/layers-page", deadline_s=10)
        with pytest.raises(DownloadError, match=says):
            download_to_temp(client, f"{server}/layers.mp4", max_bytes=2**20, directory=tmp_path)
    assert list(tmp_path.iterdir()) == []
