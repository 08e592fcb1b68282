"""Downloading pages and video files politely: streaming, size cap, timeout, type check."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from videos.html_links import VideoLink, extract_video_links, is_video_url

USER_AGENT = "tiktok-clone-ingest/1.0 (+self-hosted)"
MAX_PAGE_BYTES = 5 * 1024 * 1024
DOWNLOAD_CHUNK_BYTES = 256 * 1024
ACCEPTED_VIDEO_TYPES = ("video/", "application/octet-stream", "binary/octet-stream")


class DownloadError(Exception):
    """A page or file could not be fetched as asked (status, type, size, timeout)."""


@dataclass
class PageLinks:
    url: str
    title: str
    links: list[VideoLink]


def http_client(timeout_s: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _describe(exc: httpx.HTTPError, url: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out fetching {url}"
    return f"cannot fetch {url}: {type(exc).__name__}: {exc}"


def page_video_links(client: httpx.Client, url: str) -> PageLinks:
    """The video links of a page; a URL that answers with a video is its own single link."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"GET {url} -> HTTP {response.status_code}")
            media_type = _media_type(response)
            if media_type.startswith("video/") or (is_video_url(url) and "html" not in media_type):
                name = httpx.URL(str(response.url)).path.rsplit("/", 1)[-1]
                return PageLinks(
                    url, "", [VideoLink(url=str(response.url), caption="", filename=name)]
                )
            if "html" not in media_type and "xml" not in media_type:
                raise DownloadError(f"{url} is {media_type or 'of unknown type'}, not a web page")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_PAGE_BYTES:
                    raise DownloadError(f"{url} is larger than {MAX_PAGE_BYTES} bytes")
            html = body.decode(response.encoding or "utf-8", errors="replace")
    except httpx.HTTPError as exc:
        raise DownloadError(_describe(exc, url)) from exc
    title, links = extract_video_links(html, str(response.url))
    return PageLinks(url, title, links)


def download_to_temp(
    client: httpx.Client, url: str, *, max_bytes: int, directory: Path | None = None
) -> Path:
    """Stream a video to a temporary file; the caller deletes it. Refuses non-video content
    types, bodies over max_bytes (declared or actual), and non-200 answers."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"GET {url} -> HTTP {response.status_code}")
            media_type = _media_type(response)
            if media_type and not media_type.startswith(ACCEPTED_VIDEO_TYPES):
                raise DownloadError(f"{url} is {media_type}, not a video")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise DownloadError(f"{url} is {int(declared)} bytes; the limit is {max_bytes}")
            suffix = Path(httpx.URL(url).path).suffix.lower()[:8]
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
                suffix=suffix, prefix="ingest-", dir=directory, delete=False
            )
            path = Path(handle.name)
            received = 0
            try:
                with handle:
                    for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
                        received += len(chunk)
                        if received > max_bytes:
                            raise DownloadError(f"{url} is over the limit of {max_bytes} bytes")
                        handle.write(chunk)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            return path
    except httpx.HTTPError as exc:
        raise DownloadError(_describe(exc, url)) from exc
