"""The rule for a client session id (the X-Session-Id header, an event's own `session_id`):
1-64 letters, digits or _.:- - it becomes a Redis key and a database value. Pure: no Django."""

from __future__ import annotations

import re

SESSION_ID_MAX_CHARS = 64
SESSION_ID_PATTERN = re.compile(rf"[A-Za-z0-9_.:-]{{1,{SESSION_ID_MAX_CHARS}}}")
SESSION_ID_RULE = f"1-{SESSION_ID_MAX_CHARS} letters, digits or _.:-"


def session_id_valid(value: str) -> bool:
    """Whether the whole value follows the rule."""
    return SESSION_ID_PATTERN.fullmatch(value) is not None
