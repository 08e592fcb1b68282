"""Upload and processing limits (where media is stored: tiktok/settings/storage.py)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .env import env_float, env_int, env_str

MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
MAX_AVATAR_BYTES = env_int("MAX_AVATAR_BYTES", 5 * 1024 * 1024)
# Avatar sources with more pixels are refused before decoding (a small PNG can claim gigapixels);
# 25 MP takes every phone camera's default photo.
MAX_AVATAR_SOURCE_PIXELS = env_int("MAX_AVATAR_SOURCE_PIXELS", 25_000_000)
# Request bodies are refused past these sizes as they arrive (tiktok/web/body_limits.py): the
# upload routes take their file limit (plus multipart framing), every other route at most
# MAX_REQUEST_BODY_BYTES.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
REQUEST_BODY_ROUTE_LIMITS = [
    (r"^/api/videos/?$", MAX_UPLOAD_BYTES),
    (r"^/api/users/me/?$", MAX_AVATAR_BYTES),
]
MAX_VIDEO_DURATION_SECONDS = env_int("MAX_VIDEO_DURATION_SECONDS", 180)
MAX_VIDEO_DIMENSION_PIXELS = env_int("MAX_VIDEO_DIMENSION_PIXELS", 720)
# Uploads above this stay on disk while Django parses them (never whole in memory).
# libx264 speed/size trade-off for the one encode per video (HLS is a remux of it).
TRANSCODE_X264_PRESET = env_str("TRANSCODE_X264_PRESET", "superfast")
X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
    "veryslow", "placebo",
)  # fmt: skip
if TRANSCODE_X264_PRESET not in X264_PRESETS:  # a typo failed every upload, blaming the file
    raise ImproperlyConfigured(
        f"TRANSCODE_X264_PRESET={TRANSCODE_X264_PRESET!r} is not an x264 preset: use one of "
        + ", ".join(X264_PRESETS)
    )
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# Near-duplicate detection (videos/duplicates.py): a new video whose look (pooled frame features)
# is at least this similar to an earlier video's, with a duration within the tolerance, is a copy
# of it. Measured by scripts/eval_copy_similarity.py (docs/pipeline.md): copies (resized,
# cropped, re-encoded, mirrored) score 0.79-1.0, different photographs at most 0.77.
DUPLICATE_LOOK_MIN_SIMILARITY = env_float("DUPLICATE_LOOK_MIN_SIMILARITY", 0.88)
DUPLICATE_DURATION_TOLERANCE_SECONDS = env_float("DUPLICATE_DURATION_TOLERANCE_SECONDS", 0.5)
DUPLICATE_DURATION_TOLERANCE_SHARE = env_float("DUPLICATE_DURATION_TOLERANCE_SHARE", 0.05)

# Open pipeline-status sockets (/ws/videos/<id>/status) one account may hold per web process:
# an upload page has one per video processing; past it a new socket is closed with 4429.
VIDEO_STATUS_SOCKETS_PER_USER = env_int("VIDEO_STATUS_SOCKETS_PER_USER", 20)
