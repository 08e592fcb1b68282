"""`X-Forwarded-For` and `X-Forwarded-Proto` are believed only from a proxy the operator runs
(`TRUSTED_PROXY_NETWORKS`, by default loopback and private addresses: a proxy on the same host
or network). A client reaching the app's port directly (docker/compose.yaml publishes it) had
its forged `X-Forwarded-For` read as its address (a fresh rate limit and sign-up allowance per
request under `TRUSTED_PROXY_COUNT=1`) and its `X-Forwarded-Proto: https` taken as HTTPS: both
headers are removed from such requests before anything reads them."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tiktok.net import peer_ip

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_proxy(address: str) -> bool:
    """Whether a peer at `address` is one of the operator's proxies. A peer without an address
    is one on a UNIX socket (`tiktok.web.server -u`): a proxy on this host."""
    if not address:
        return True
    ip = peer_ip(address)
    networks = _networks(tuple(settings.TRUSTED_PROXY_NETWORKS))
    return ip is not None and any(ip in network for network in networks)


class UntrustedProxyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not trusted_proxy(request.META.get("REMOTE_ADDR") or ""):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
