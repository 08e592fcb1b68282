"""Captions: the transcript's timed segments as WebVTT, and the owner's edits to them."""

from __future__ import annotations

import math
from typing import Any

from tiktok.errors import InvalidInput

MAX_SEGMENTS = 2000
MAX_SEGMENT_CHARS = 500
# A cue may end a little after the video's last frame (speech is timed on the audio track).
END_SLACK_SECONDS = 1.0


def _timestamp(seconds: float) -> str:
    """WebVTT time: hh:mm:ss.ttt."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    """One line of cue text: WebVTT markup characters escaped (so "<b>" or "-->" in speech or an
    edit stays text), line breaks folded (a blank line would end the cue)."""
    flat = " ".join(text.split())
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(segments: list[dict[str, Any]]) -> str:
    """The segments as a WebVTT file (empty segments are left out)."""
    lines = ["WEBVTT", ""]
    for number, segment in enumerate(segments, start=1):
        text = _cue_text(str(segment.get("text", "")))
        if not text:
            continue
        start, end = float(segment["start"]), float(segment["end"])
        lines += [str(number), f"{_timestamp(start)} --> {_timestamp(end)}", text, ""]
    return "\n".join(lines)


def segments_clean(raw: Any, *, duration_s: float | None) -> list[dict[str, Any]]:
    """Validate the owner's segments: a list of {start, end, text}, times in seconds within
    the video, each ending after it starts, in order; text trimmed and length-capped. Raises
    InvalidInput naming the first problem."""
    if not isinstance(raw, list):
        raise InvalidInput("segments must be a list of {start, end, text}", code="invalid_captions")
    if len(raw) > MAX_SEGMENTS:
        raise InvalidInput(f"at most {MAX_SEGMENTS} segments", code="invalid_captions")
    limit = (duration_s or 0.0) + END_SLACK_SECONDS if duration_s else math.inf
    cleaned: list[dict[str, Any]] = []
    previous_start = -1.0
    for index, item in enumerate(raw):
        where = f"segment {index + 1}"
        if not isinstance(item, dict) or set(item) - {"start", "end", "text"}:
            raise InvalidInput(f"{where} must be {{start, end, text}}", code="invalid_captions")
        try:
            start, end = float(item["start"]), float(item["end"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                f"{where}: start and end must be numbers of seconds", code="invalid_captions"
            ) from None
        text = item.get("text")
        if not isinstance(text, str):
            raise InvalidInput(f"{where}: text must be a string", code="invalid_captions")
        if "\x00" in text:
            raise InvalidInput(f"{where}: text contains a NUL character", code="invalid_captions")
        text = " ".join(text.split())
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
            raise InvalidInput(f"{where}: needs 0 <= start < end", code="invalid_captions")
        if end > limit:
            raise InvalidInput(
                f"{where} ends at {end:g}s, after the video ({duration_s:g}s)",
                code="invalid_captions",
            )
        if start < previous_start:
            raise InvalidInput(f"{where} starts before the one above it", code="invalid_captions")
        if len(text) > MAX_SEGMENT_CHARS:
            raise InvalidInput(
                f"{where}: at most {MAX_SEGMENT_CHARS} characters", code="invalid_captions"
            )
        previous_start = start
        cleaned.append({"start": round(start, 3), "end": round(end, 3), "text": text})
    return cleaned
