"""Client addresses as the request limits and the proxy check read them."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def peer_ip(address: str) -> IPAddress | None:
    """`address` as an IP (an IPv4-mapped IPv6 one, `::ffff:203.0.113.7`, as its IPv4), or None
    when it is not one."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
