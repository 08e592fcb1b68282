"""Downloading pages and video files politely and safely: streaming, size cap, a per-request
timeout and a total deadline, type check, and only public addresses.

Every request (the page, each file, every redirect hop) resolves its host once, refuses it when
any address is loopback, private, link-local (cloud metadata at 169.254.169.254), reserved or
otherwise not globally routable, and connects to the address it checked (the name is kept for
the Host header and TLS), so a DNS answer cannot change between the check and the connection.
`allow_private=True` (`ingest_url --allow-private-addresses`) lifts the check for pages served on
this machine or network.

A deadline holds over every socket operation of the request (connecting, TLS, the headers, the
body), so a server dripping its headers a byte at a time cannot outlast it; bodies are decoded
here, in bounded pieces, so a small compressed answer cannot expand past the size cap in memory."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from pathlib import Path
from typing import TypeVar

import httpcore
import httpx

from videos.html_links import (
    VideoLink,
    extract_video_links,
    file_name_of,
    http_url_problem,
    is_video_url,
)
from videos.page_charset import decode_page

USER_AGENT = "tiktok-clone-ingest/1.0 (+self-hosted)"
MAX_PAGE_BYTES = 5 * 1024 * 1024
ACCEPTED_VIDEO_TYPES = ("video/", "application/octet-stream", "binary/octet-stream")
# Decoded bodies come out in pieces of at most this much, whatever one network read expands to.
DECODED_PIECE_BYTES = 64 * 1024
# The encodings asked for, and the only ones decoded (_decoded_body).
ACCEPTED_ENCODINGS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": 0}


class DownloadError(Exception):
    """A page or file could not be fetched as asked (status, type, size, timeout)."""


class AddressRefused(httpx.TransportError):
    """The host resolves to an address ingestion must not reach."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_refusal(address: str) -> str | None:
    """Why this IP address must not be fetched from (None: a public address)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:  # fec0::/10: deprecated, still routed inside some networks
            return "a site-local address"
        # An IPv4 address inside an IPv6 one (mapped, 6to4 2002::/16, Teredo's client, the
        # NAT64 well-known prefix 64:ff9b::/96 that DNS64 answers with on IPv6-only hosts) is
        # judged as that IPv4 address: Python before 3.11.10 called 2002:7f00:1:: global,
        # and calls every NAT64 address reserved (every IPv4-only site refused).
        embedded = (
            ip.ipv4_mapped
            or ip.sixtofour
            or (ip.teredo[1] if ip.teredo else None)
            or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        )
        if embedded is not None:
            ip = embedded
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


class DeadlinePassed(Exception):
    """The request's deadline (_give_up_at) passed during a socket operation."""


T = TypeVar("T")


class DownloadCancelled(Exception):
    """The run that asked for the download was stopped (Ctrl-C) during a socket operation."""


# When the request running in this thread must be over (time.monotonic()); None: no deadline.
_give_up_at: ContextVar[float | None] = ContextVar("ingest_give_up_at", default=None)
# Set when the run that started the request stops: the next socket operation gives up.
_cancel: ContextVar[threading.Event | None] = ContextVar("ingest_cancel", default=None)


def _deadline_left() -> float | None:
    """Seconds left of this thread's request deadline (None: none); DeadlinePassed at 0,
    DownloadCancelled once the run is stopped."""
    cancel = _cancel.get()
    if cancel is not None and cancel.is_set():
        raise DownloadCancelled
    give_up_at = _give_up_at.get()
    if give_up_at is None:
        return None
    left = give_up_at - time.monotonic()
    if left <= 0:
        raise DeadlinePassed
    return left


def _by_deadline(operation: Callable[[float | None], T], timeout: float | None) -> T:
    """operation(timeout) with the timeout cut to what is left of the deadline; when it times out
    because of that cut, DeadlinePassed (the run says the deadline, not a slow read)."""
    left = _deadline_left()
    if left is None or (timeout is not None and timeout < left):
        return operation(timeout)
    try:
        return operation(left)
    except httpcore.TimeoutException:
        raise DeadlinePassed from None


@contextlib.contextmanager
def _deadline(deadline_s: float | None, cancel: threading.Event | None = None) -> Iterator[None]:
    token = _give_up_at.set(None if deadline_s is None else time.monotonic() + deadline_s)
    cancel_token = _cancel.set(cancel)
    try:
        yield
    finally:
        _cancel.reset(cancel_token)
        _give_up_at.reset(token)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline (httpx's timeouts are per
    operation: headers arriving a byte a second never trip them)."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _by_deadline(lambda left: self._stream.read(max_bytes, left), timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _by_deadline(lambda left: self._stream.write(buffer, left), timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = _by_deadline(
            lambda left: self._stream.start_tls(ssl_context, server_hostname, left), timeout
        )
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens connections that keep to the deadline (_DeadlineStream)."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, **kwargs: object
    ) -> httpcore.NetworkStream:
        stream = _by_deadline(
            lambda left: self._backend.connect_tcp(host, port, left, **kwargs), timeout
        )
        return _DeadlineStream(stream)


class PublicAddressTransport(httpx.HTTPTransport):
    """Connects only to public addresses, pinned to the one checked (see the module doc), and
    keeps each request to its deadline (_DeadlineStream)."""

    def __init__(self, *, allow_private: bool = False, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.allow_private = allow_private
        # httpx builds the pool without a way to pass its network backend; httpx is pinned
        # (requirements/base.txt) and the deadline tests fail if this stops taking effect.
        self._pool._network_backend = _DeadlineBackend(self._pool._network_backend)

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
        # Only what _decoded_body decodes in bounded pieces (httpx would inflate a whole read).
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ", ".join(ACCEPTED_ENCODINGS)},
        transport=PublicAddressTransport(
            allow_private=allow_private, limits=httpx.Limits(max_keepalive_connections=0)
        ),
    )


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


# Content-Encoding layers undone at most (a server compresses once; a proxy may once more).
MAX_CONTENT_ENCODINGS = 3


def _decoded_body(response: httpx.Response) -> Iterator[bytes]:
    """The body as sent before its Content-Encoding, in pieces of at most DECODED_PIECE_BYTES
    as the reader takes them, so the reader's size cap holds in memory too: httpx inflates
    each network read whole, and a few KB gzipped twice are a GB."""
    encodings = [
        name.strip().lower()
        for name in response.headers.get("content-encoding", "").split(",")
        if name.strip().lower() not in ("", "identity")
    ]
    if len(encodings) > MAX_CONTENT_ENCODINGS:
        # One inflater per layer, nested: thousands of "gzip"s ended in a RecursionError.
        raise httpx.DecodingError(
            f"the answer is encoded {len(encodings)} times over (at most "
            f"{MAX_CONTENT_ENCODINGS} layers are undone)"
        )
    pieces: Iterator[bytes] = response.iter_raw()
    for name in reversed(encodings):  # the last encoding applied is undone first
        if name not in ACCEPTED_ENCODINGS:
            raise httpx.DecodingError(f"the answer is encoded as {name}, which was not asked for")
        pieces = _inflated(pieces, ACCEPTED_ENCODINGS[name])
    yield from pieces


def _inflated(pieces: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    """gzip (wbits | 16) or deflate (0: zlib-wrapped, else raw as some servers send it)."""
    inflater = None
    for piece in pieces:
        if inflater is None and wbits == 0:
            # RFC 9110's deflate is zlib-wrapped (0x78 first); some servers send raw deflate.
            inflater = zlib.decompressobj(0 if piece[:1] == b"\x78" else -zlib.MAX_WBITS)
        inflater = inflater or zlib.decompressobj(wbits)
        pending = piece
        while pending and not inflater.eof:
            try:
                out = inflater.decompress(pending, DECODED_PIECE_BYTES)
            except zlib.error as exc:
                raise httpx.DecodingError(f"the compressed answer is broken ({exc})") from exc
            pending = inflater.unconsumed_tail
            if out:
                yield out
    if inflater is not None and (tail := inflater.flush()):
        yield tail


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
    if problem := url_problem(url):
        raise DownloadError(problem)
    try:
        with _deadline(deadline_s), client.stream("GET", url) as response:
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
            for chunk in _decoded_body(response):
                body.extend(chunk)
                if len(body) > MAX_PAGE_BYTES:
                    raise DownloadError(f"{url} is larger than {MAX_PAGE_BYTES} bytes")
            html = decode_page(bytes(body), response.charset_encoding)
    except DeadlinePassed:
        raise DownloadError(f"{url} took longer than the deadline of {deadline_s:g} s") from None
    except DownloadCancelled:
        raise DownloadError(f"{url}: the run was stopped") from None
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
    cancel: threading.Event | None = None,
) -> Path:
    """Stream a video to a temporary file; the caller deletes it. Refuses non-video content
    types, bodies over max_bytes (declared or actual, decoded), non-200 answers, downloads still
    running after deadline_s (a server dripping bytes slower than the read timeout), and says a
    file that cannot be written (a full disk) as a DownloadError too. Once `cancel` is set (the
    run was stopped), the next read or write ends it with a DownloadError."""
    try:
        with _deadline(deadline_s, cancel), client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"GET {url} -> HTTP {response.status_code}")
            media_type = _media_type(response)
            if media_type and not media_type.startswith(ACCEPTED_VIDEO_TYPES):
                raise DownloadError(f"{url} is {media_type}, not a video")
            declared = response.headers.get("content-length")
            if declared and declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
                raise DownloadError(f"{url} is {int(declared)} bytes; the limit is {max_bytes}")
            return _write_temp(response, url, max_bytes, directory)
    except DeadlinePassed:
        raise DownloadError(f"{url} took longer than the deadline of {deadline_s:g} s") from None
    except DownloadCancelled:
        raise DownloadError(f"{url}: the run was stopped") from None
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
        # A link's URL httpx cannot send (a host no IDNA allows) is that link's error.
        raise DownloadError(_describe(exc, url)) from exc


def _write_temp(response: httpx.Response, url: str, max_bytes: int, directory: Path | None) -> Path:
    """The body of `response` in a new temporary file (removed again when anything fails)."""
    path = None
    try:
        # A neutral name: what reads the file goes by its bytes, not the URL's extension.
        with tempfile.NamedTemporaryFile(
            suffix=".download", prefix="ingest-", dir=directory, delete=False
        ) as handle:
            path = Path(handle.name)
            received = 0
            # Pieces as they arrive (a fixed size would wait for a dripping server).
            for chunk in _decoded_body(response):
                received += len(chunk)
                if received > max_bytes:
                    raise DownloadError(f"{url} is over the limit of {max_bytes} bytes")
                handle.write(chunk)
        return path
    except BaseException as exc:
        if path is not None:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # the network's errors come as httpx's, not OSError
            where = directory or tempfile.gettempdir()
            raise DownloadError(f"cannot write {url} to {where}: {exc.strerror or exc}") from exc
        raise
