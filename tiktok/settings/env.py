"""Typed readers for settings taken from environment variables."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

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


_Number = TypeVar("_Number", int, float)


def _bounded(
    name: str, raw: str, value: _Number, minimum: float | None, maximum: float | None
) -> _Number:
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below its minimum, {minimum:g}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} is above its maximum, {maximum:g}")
    return value


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer; unset or empty, the default. A value outside [minimum, maximum] is a
    configuration error naming it (a period of 0 made Celery beat send its task nonstop)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc
    return _bounded(name, raw, value, minimum, maximum)


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A number; unset or empty, the default; bounded as env_int."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a finite number")
    return _bounded(name, raw, value, minimum, maximum)


# What DRF's throttles read from a rate's period: its first letter (so "month" was a minute).
_RATE_PERIODS = {
    *("s", "sec", "second", "seconds", "m", "min", "minute", "minutes"),
    *("h", "hour", "hours", "d", "day", "days"),
}


def env_rate(name: str, default: str) -> str:
    """A request rate `N/period` (period s, min, hour or day, abbreviated or plural as DRF
    reads them; N >= 0, 0 turning the scope off), checked here: DRF parses it on each request,
    so a typo answered every API call with 500."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    count, slash, period = raw.strip().partition("/")
    if not (slash and count.isdigit() and period in _RATE_PERIODS):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate: want N/period with period one of s, min, hour, "
            "day (e.g. 600/min)"
        )
    return f"{int(count)}/{period}"


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    """A URL with one of these schemes and a host (`unix://` needs a path instead); unset or
    empty, the default. Without a scheme ("cache.internal:6379") the value started fine and
    failed later, on requests, with a 500."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    # A password in the URL stays out of logs: everything from // to the last @ (a password
    # with a "/" in it, unencoded, is still all hidden); the parser's own words are left out,
    # since they can quote part of it ("Port could not be cast ... 'Zx9'").
    shown = re.sub(r"//.*@", "//***@", value)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={shown!r} is not a URL (a bad port, or a password with characters to %-encode)"
        ) from None
    located = parts.path if parts.scheme == "unix" else parts.hostname
    if parts.scheme not in schemes or not located:
        raise ImproperlyConfigured(
            f"{name}={shown!r} is not a URL of the form {schemes[0]}://host[:port] "
            f"(scheme one of {', '.join(schemes)})"
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of addresses or networks (`10.0.0.0/8`, `2001:db8::/32`,
    `203.0.113.7`); unset or empty, the default; one that is not is a configuration error
    naming it."""
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
