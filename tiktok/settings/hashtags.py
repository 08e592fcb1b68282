"""Hashtags in captions (videos/hashtags.py parses them; docs/hashtags.md)."""

from __future__ import annotations

from .env import env_int

# Distinct hashtags kept per caption (the first ones); the rest of a stuffed caption is text.
HASHTAGS_PER_CAPTION_MAX = env_int("HASHTAGS_PER_CAPTION_MAX", 30)
# Related hashtags on a hashtag's page, counted over its most recent visible videos.
HASHTAG_RELATED_MAX = env_int("HASHTAG_RELATED_MAX", 10)
HASHTAG_RELATED_SAMPLE_VIDEOS = env_int("HASHTAG_RELATED_SAMPLE_VIDEOS", 200)
