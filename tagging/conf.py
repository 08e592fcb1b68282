"""Tagging knobs, read from Django settings (tiktok/settings/tagging.py documents the defaults).

Functions rather than constants so tests can override settings per test.
"""

from __future__ import annotations

from django.conf import settings


def max_tags() -> int:
    return settings.TAGGING_MAX_TAGS


def min_confidence() -> float:
    """Calibrated (z-score) threshold measured on the labeled set: below it a tag is noise."""
    return settings.TAGGING_MIN_CONFIDENCE


def relative_floor() -> float:
    return settings.TAGGING_RELATIVE_FLOOR


def phrase_pooling() -> str:
    return settings.TAGGING_PHRASE_POOLING


def phrase_template() -> str:
    return settings.TAGGING_PHRASE_TEMPLATE


def phrase_instruction() -> str | None:
    """Query-side instruction for instruction-tuned backends (Qwen3-VL); MiniLM ignores it."""
    return settings.TAGGING_PHRASE_INSTRUCTION or None


def retag_batch_size() -> int:
    return settings.TAGGING_RETAG_BATCH_SIZE


def embedder_timeout_s() -> float:
    return settings.EMBEDDER_TIMEOUT_SECONDS
