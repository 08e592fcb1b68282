"""The sound library's limits (sounds/, docs/sounds.md)."""

from __future__ import annotations

from .env import env_int
from .media import REQUEST_BODY_ROUTE_LIMITS as _MEDIA_ROUTE_LIMITS

# An uploaded sound file (POST /api/sounds); its length is capped by MAX_VIDEO_DURATION_SECONDS.
MAX_SOUND_UPLOAD_BYTES = env_int("MAX_SOUND_UPLOAD_BYTES", 30 * 1024 * 1024)
REQUEST_BODY_ROUTE_LIMITS = [*_MEDIA_ROUTE_LIMITS, (r"^/api/sounds/?$", MAX_SOUND_UPLOAD_BYTES)]
