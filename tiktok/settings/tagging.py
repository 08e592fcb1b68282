"""Auto-tagging knobs (read by tagging/conf.py; docs/tagging.md says how they were chosen)."""

from __future__ import annotations

from .env import env_float, env_int, env_str

TAGGING_MAX_TAGS = env_int("TAGGING_MAX_TAGS", 5)
TAGGING_MIN_CONFIDENCE = env_float("TAGGING_MIN_CONFIDENCE", 2.75)
TAGGING_RELATIVE_FLOOR = env_float("TAGGING_RELATIVE_FLOOR", 0.6)
# Below TAGGING_MIN_CONFIDENCE, a best tag >= this that leads the runner-up by the margin is kept.
TAGGING_DISTINCT_MIN_CONFIDENCE = env_float("TAGGING_DISTINCT_MIN_CONFIDENCE", 1.5)
TAGGING_DISTINCT_MARGIN = env_float("TAGGING_DISTINCT_MARGIN", 0.5)
TAGGING_PHRASE_POOLING = env_str("TAGGING_PHRASE_POOLING", "max")
TAGGING_PHRASE_TEMPLATE = env_str("TAGGING_PHRASE_TEMPLATE", "a video about {phrase}")
TAGGING_PHRASE_INSTRUCTION = env_str(
    "TAGGING_PHRASE_INSTRUCTION", "Retrieve short videos about this topic."
)
TAGGING_RETAG_BATCH_SIZE = env_int("TAGGING_RETAG_BATCH_SIZE", 500)
