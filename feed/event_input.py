"""Validation of one client interaction event (pure): a parsed event, or why it is rejected."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import Any

from tiktok.session_ids import SESSION_ID_RULE, session_id_valid

EVENT_TYPES = frozenset(
    {
        "impression",
        "play",
        "pause",
        "finish",
        "rewatch",
        "like",
        "unlike",
        "save",
        "unsave",
        "share",
        "skip",
        "not_interested",
    }
)
# Recorded by their endpoints (POST/DELETE /api/videos/<id>/like and /save, POST .../share), each
# with its row and counter, which then emit the event server-side. A client may not post them as
# events: a posted like would count without a like row, a posted unlike would take off a like
# that was never given, and a like pressed in the app would count twice.
ENGAGEMENT_ENDPOINTS = {
    "like": "POST /api/videos/<id>/like",
    "unlike": "DELETE /api/videos/<id>/like",
    "save": "POST /api/videos/<id>/save",
    "unsave": "DELETE /api/videos/<id>/save",
    "share": "POST /api/videos/<id>/share",
}
ENGAGEMENT_TYPES = frozenset(ENGAGEMENT_ENDPOINTS)
# Where the viewer opened the video (feed.models.TrafficSource; this module stays Django-free).
TRAFFIC_SOURCES = frozenset(
    {
        "for_you",
        "following",
        "profile",
        "search",
        "hashtag",
        "sound",
        "share_link",
        "direct",
        "unknown",
    }
)
DEFAULT_TRAFFIC_SOURCE = "unknown"
MAX_WATCH_MS = 24 * 3600 * 1000
# One view's watch time is at most this many plays of the video (loops while the viewer stays
# on it): a client's claim beyond is cut there, so one event cannot add a day of watch time to
# a 15-second video's figures.
MAX_WATCH_LOOPS = 10
MAX_POSITION = 1_000_000
# Numbers above this are epoch milliseconds, below it epoch seconds.
EPOCH_MS_THRESHOLD = 100_000_000_000
# A device clock before this (a phone reset to 1970 after its battery ran out) is not a time.
EARLIEST_CLIENT_TS = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ParsedEvent:
    event_id: uuid.UUID
    video_id: int
    type: str
    watch_ms: int
    position: int | None
    session_id: str
    client_ts: dt.datetime | None
    traffic_source: str = DEFAULT_TRAFFIC_SOURCE


def traffic_source_problem(value: Any) -> str | None:
    """Why a traffic_source value is refused, or None when it is one of TRAFFIC_SOURCES."""
    if isinstance(value, str) and value in TRAFFIC_SOURCES:
        return None
    return f"traffic_source must be one of {', '.join(sorted(TRAFFIC_SOURCES))}"


class EventRejected(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _int_field(
    raw: dict, name: str, *, required: bool, minimum: int, maximum: int, rounded: bool = False
) -> int | None:
    """An integer field; rounded=True takes a fraction too (a player's watch time in
    fractional milliseconds) and rounds it."""
    value = raw.get(name)
    if value is None:
        if required:
            raise EventRejected(f"missing_{name}", f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and (rounded or value.is_integer()):
            value = round(value)
        else:
            raise EventRejected(f"invalid_{name}", f"{name} must be an integer")
    if not minimum <= value <= maximum:
        raise EventRejected(f"invalid_{name}", f"{name} must be between {minimum} and {maximum}")
    return value


def _timestamp(value: Any) -> dt.datetime | None:
    """The event's `ts` as the client sent it (a timestamp without an offset is read as UTC);
    None when absent. A value that is not a timestamp is rejected."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise EventRejected("invalid_ts", "ts must be an ISO 8601 string or epoch milliseconds")
    if isinstance(value, int | float):
        try:  # an integer beyond float range overflows in the checks too
            if not math.isfinite(value):
                raise EventRejected("invalid_ts", "ts is out of range")
            seconds = value / 1000.0 if value > EPOCH_MS_THRESHOLD else float(value)
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise EventRejected("invalid_ts", "ts is out of range") from exc
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise EventRejected("invalid_ts", "ts is not an ISO 8601 timestamp") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError as exc:  # year 1 with a positive offset is before year 1 in UTC
            raise EventRejected("invalid_ts", "ts is out of range") from exc
    raise EventRejected("invalid_ts", "ts must be an ISO 8601 string or epoch milliseconds")


def client_ts_plausible(
    client_ts: dt.datetime | None, *, now: dt.datetime, max_skew_s: float
) -> dt.datetime | None:
    """The client's clock reading when it is one: a device clock more than max_skew_s ahead
    of the server or before 2000 is wrong, not the event, so the event stays and its
    `client_ts` is dropped (the server's `created_at` orders events either way)."""
    if client_ts is None:
        return None
    if client_ts < EARLIEST_CLIENT_TS or (client_ts - now).total_seconds() > max_skew_s:
        return None
    return client_ts


def event_parse(
    raw: Any,
    *,
    default_session_id: str,
    now: dt.datetime,
    max_skew_s: float,
    default_traffic_source: str = DEFAULT_TRAFFIC_SOURCE,
    engagement: bool = True,
) -> ParsedEvent:
    """Validate one event; raises EventRejected(code, detail) with the first problem found.
    engagement=False (a client's batch): likes, saves and shares are rejected."""
    if not isinstance(raw, dict):
        raise EventRejected("not_an_object", "each event must be a JSON object")
    try:
        event_id = uuid.UUID(str(raw.get("event_id", "")))
    except ValueError as exc:
        raise EventRejected("invalid_event_id", "event_id must be a UUID") from exc
    video_id = _int_field(raw, "video_id", required=True, minimum=1, maximum=2**63 - 1)
    event_type = raw.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise EventRejected("invalid_type", f"type must be one of {', '.join(sorted(EVENT_TYPES))}")
    if not engagement and event_type in ENGAGEMENT_TYPES:
        raise EventRejected(
            "engagement_event",
            f"a {event_type} is recorded by {ENGAGEMENT_ENDPOINTS[event_type]}, not posted as an "
            "event",
        )
    watch_ms = (
        _int_field(raw, "watch_ms", required=False, minimum=0, maximum=MAX_WATCH_MS, rounded=True)
        or 0
    )
    position = _int_field(raw, "position", required=False, minimum=0, maximum=MAX_POSITION)
    session_id = raw.get("session_id") or default_session_id or ""
    if not isinstance(session_id, str) or (session_id and not session_id_valid(session_id)):
        raise EventRejected("invalid_session_id", f"session_id must be {SESSION_ID_RULE}")
    client_ts = client_ts_plausible(_timestamp(raw.get("ts")), now=now, max_skew_s=max_skew_s)
    traffic_source = raw.get("traffic_source") or default_traffic_source
    problem = traffic_source_problem(traffic_source)
    if problem:
        raise EventRejected("invalid_traffic_source", problem)
    return ParsedEvent(
        event_id=event_id,
        video_id=video_id,
        type=event_type,
        watch_ms=watch_ms,
        position=position,
        session_id=session_id,
        client_ts=client_ts,
        traffic_source=traffic_source,
    )


def watch_ms_capped(watch_ms: int, duration_s: float | None) -> int:
    """`watch_ms` cut at MAX_WATCH_LOOPS plays of a video `duration_s` long (unchanged when
    the length is not known yet)."""
    if not duration_s or duration_s <= 0:
        return watch_ms
    return min(watch_ms, math.ceil(duration_s * 1000 * MAX_WATCH_LOOPS))
