"""Downloading pages and video files politely and safely: streaming, size cap, a per-request
timeout and a total deadline, type check, and only public addresses.

Every request (the page, each file, every redirect hop) resolves its host once, refuses it when
any address is loopback, private, link-local (cloud metadata at 169.254.169.254), reserved or
otherwise not globally routable, and connects to the address it checked (the name is kept for
the Host header and TLS), so a DNS answer cannot change between the check and the connection.
`allow_private=True` (`ingest_url --allow-private-addresses`) lifts the check for pages served on
this machine or network."""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import time
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from pathlib import Path

import httpx

from videos.html_links import (
    VideoLink,
    decode_page,
    extract_video_links,
    file_name_of,
    http_url_problem,
    is_video_url,
)

USER_AGENT = "tiktok-clone-ingest/1.0 (+self-hosted)"
MAX_PAGE_BYTES = 5 * 1024 * 1024
ACCEPTED_VIDEO_TYPES = ("video/", "application/octet-stream", "binary/octet-stream")


class DownloadError(Exception):
    """A page or file could not be fetched as asked (status, type, size, timeout)."""


class AddressRefused(httpx.TransportError):
    """The host resolves to an address ingestion must not reach."""


def address_refusal(address: str) -> str | None:
    """Why this IP address must not be fetched from (None: a public address)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


class PublicAddressTransport(httpx.HTTPTransport):
    """Connects only to public addresses, pinned to the one checked (see the module doc)."""

    def __init__(self, *, allow_private: bool = False, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.allow_private = allow_private

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.allow_private:
            return super().handle_request(request)
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpx.ConnectError(f"cannot resolve {host}: {exc}", request=request) from exc
        # The resolver's order (it prefers what this host can reach), each address once.
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            reason = address_refusal(address)
            if reason is not None:
                raise AddressRefused(
                    f"{host} resolves to {address}, {reason} (pass --allow-private-addresses "
                    "to ingest from this machine or network)",
                    request=request,
                )
        # A copy goes to the checked address; the request itself (its URL, what relative links
        # and redirects resolve against) keeps the name, as do the Host header and TLS.
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = host
        failure: httpx.ConnectError | None = None
        for address in addresses:
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=address),
                headers=request.headers,
                stream=request.stream,
                extensions=extensions,
            )
            try:
                return super().handle_request(pinned)
            except httpx.ConnectError as exc:  # unreachable from here (IPv6 on an IPv4 host)
                failure = exc
        raise failure


@dataclass
class PageLinks:
    url: str
    title: str
    links: list[VideoLink]


def http_client(timeout_s: float, *, allow_private: bool = False) -> httpx.Client:
    """A client for ingestion: redirects followed (each hop checked), public addresses only
    unless allow_private."""
    # No kept-alive connections: pooled by the pinned address, a connection opened (and its
    # certificate checked) for one host name would be reused for another on the same address.
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": USER_AGENT},
        transport=PublicAddressTransport(
            allow_private=allow_private, limits=httpx.Limits(max_keepalive_connections=0)
        ),
    )


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _describe(exc: Exception, url: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out fetching {url}"
    if isinstance(exc, (httpx.InvalidURL, UnicodeError)):
        return f"{url} is not a valid URL ({exc})"
    return f"cannot fetch {url}: {type(exc).__name__}: {exc}"


def url_problem(url: str) -> str | None:
    """Why a URL someone typed cannot be fetched, in words (None: it can be tried)."""
    url = url.strip()
    if problem := http_url_problem(url):
        return problem
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError) as exc:
        return f"{url} is not a valid URL ({exc})"
    return None


def _attachment_name(response: httpx.Response) -> str:
    """The file name a Content-Disposition header gives (RFC 6266, `filename*` included)."""
    header = response.headers.get("content-disposition")
    if not header:
        return ""
    message = Message()
    message["content-disposition"] = header
    names = [
        value
        for key, value in message.get_params(header="content-disposition", failobj=[])
        if key.lower() == "filename"
    ]
    # filename* (RFC 2231: charset, language, value) wins over the plain one (RFC 6266).
    name = next((v for v in names if isinstance(v, tuple)), names[0] if names else "")
    name = collapse_rfc2231_value(name) if isinstance(name, tuple) else name
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def page_video_links(
    client: httpx.Client, url: str, *, deadline_s: float | None = None
) -> PageLinks:
    """The video links of a page; a URL that answers with a video is its own single link. A page
    still arriving after deadline_s is refused (a server dripping bytes slower than the read
    timeout)."""
    give_up_at = None if deadline_s is None else time.monotonic() + deadline_s
    if problem := url_problem(url):
        raise DownloadError(problem)
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"GET {url} -> HTTP {response.status_code}")
            media_type = _media_type(response)
            # A file served as bytes (an S3 object uploaded without a type, a download.php)
            # is a direct link too; the pipeline reads what it is from its bytes.
            if media_type.startswith(ACCEPTED_VIDEO_TYPES) or (
                is_video_url(url) and "html" not in media_type
            ):
                name = _attachment_name(response) or file_name_of(str(response.url))
                return PageLinks(
                    url, "", [VideoLink(url=str(response.url), caption="", filename=name)]
                )
            if "html" not in media_type and "xml" not in media_type:
                raise DownloadError(f"{url} is {media_type or 'of unknown type'}, not a web page")
            body = bytearray()
            for chunk in response.iter_bytes():
                if give_up_at is not None and time.monotonic() > give_up_at:
                    raise DownloadError(f"{url} took longer than the deadline of {deadline_s:g} s")
                body.extend(chunk)
                if len(body) > MAX_PAGE_BYTES:
                    raise DownloadError(f"{url} is larger than {MAX_PAGE_BYTES} bytes")
            html = decode_page(bytes(body), response.charset_encoding)
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
        raise DownloadError(_describe(exc, url)) from exc
    title, links = extract_video_links(html, str(response.url))
    return PageLinks(url, title, links)


def download_to_temp(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    deadline_s: float | None = None,
    directory: Path | None = None,
) -> Path:
    """Stream a video to a temporary file; the caller deletes it. Refuses non-video content
    types, bodies over max_bytes (declared or actual), non-200 answers, and downloads still
    running after deadline_s (a server dripping bytes slower than the read timeout)."""
    give_up_at = None if deadline_s is None else time.monotonic() + deadline_s
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
            # A neutral name: what reads the file goes by its bytes, not the URL's extension.
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
                suffix=".download", prefix="ingest-", dir=directory, delete=False
            )
            path = Path(handle.name)
            received = 0
            try:
                with handle:
                    # Chunks as they arrive (a fixed size would wait for a dripping server).
                    for chunk in response.iter_bytes():
                        if give_up_at is not None and time.monotonic() > give_up_at:
                            raise DownloadError(
                                f"{url} took longer than the deadline of {deadline_s:g} s"
                            )
                        received += len(chunk)
                        if received > max_bytes:
                            raise DownloadError(f"{url} is over the limit of {max_bytes} bytes")
                        handle.write(chunk)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            return path
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
        # A link's URL httpx cannot send (a host no IDNA allows) is that link's error.
        raise DownloadError(_describe(exc, url)) from exc
