"""Typed readers for settings taken from environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of addresses or networks (`10.0.0.0/8`, `2001:db8::/32`,
    `203.0.113.7`); unset or empty, the default; one that is not is a configuration error
    naming it."""
    import ipaddress

    items = env_list(name, default) or default
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an address or a network (e.g. 10.0.0.0/8)"
            ) from exc
    return items


def embedded_service_allowed(service: str, missing: str) -> None:
    """Refuse to start an embedded server (PostgreSQL, Redis, SeaweedFS) in this process unless
    that is what is wanted: DEBUG is on (`make run`), or EMBEDDED_SERVICES=1 says so. Without
    this a production process missing DATABASE_URL ran on a database of its own inside the
    container, and lost what it stored when the container went."""
    if env_bool("EMBEDDED_SERVICES", env_bool("DEBUG", False)):
        return
    raise ImproperlyConfigured(
        f"{missing} is not set and DEBUG is off: set {missing} (or EMBEDDED_SERVICES=1 to run "
        f"the embedded {service} in this process, as make run does)"
    )
