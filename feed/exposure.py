"""Served load: how many For You cards each video got lately, across every viewer, and the
ratio of that to the typical load, which the page uses to share near-ties out over the
catalogue (`feed.page_plan`: a video every page is already showing gives way to an equally
good one nobody is being shown).

Counts live in Redis in two time buckets of `FEED_EXPOSURE_BUCKET_SECONDS`: a sorted set
video id -> cards served and a counter of all cards served. The load of a video is the current
bucket's count plus the previous bucket's, weighted by the share of it still inside the window
(a sliding window of one bucket, without rewriting anything). The typical load is the mean
over the videos served in the window (cards / distinct videos)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import redis
from django.conf import settings
from redis.client import Pipeline

LOAD_PREFIX = "feed:load:"


def _bucket(now: float) -> tuple[int, float]:
    """(the bucket number of `now`, the share of the previous bucket still in the window)."""
    size = settings.FEED_EXPOSURE_BUCKET_SECONDS
    number = int(now // size)
    return number, 1.0 - (now - number * size) / size


def _keys(number: int) -> tuple[str, str]:
    """(the per-video sorted set, the cards counter) of bucket `number`."""
    return f"{LOAD_PREFIX}{number}", f"{LOAD_PREFIX}{number}:cards"


def served_count(pipe: Pipeline, video_ids: Sequence[int], *, now: float | None = None) -> None:
    """Queue, on the caller's pipeline, one more card served for each of these videos."""
    if not video_ids:
        return
    number, _ = _bucket(time.time() if now is None else now)
    per_video, cards = _keys(number)
    for video_id in video_ids:
        pipe.zincrby(per_video, 1, int(video_id))
    pipe.incrby(cards, len(video_ids))
    # Read as the previous bucket for one more bucket, then gone.
    ttl = 2 * settings.FEED_EXPOSURE_BUCKET_SECONDS + 60
    pipe.expire(per_video, ttl)
    pipe.expire(cards, ttl)


def load_ratios(
    client: redis.Redis, video_ids: Sequence[int], *, now: float | None = None
) -> np.ndarray:
    """Each video's served load over the typical load (0 for a video not served lately, and for
    every video while nothing was served), in one round trip."""
    ratios = np.zeros(len(video_ids))
    if not video_ids:
        return ratios
    number, previous_share = _bucket(time.time() if now is None else now)
    pipe = client.pipeline(transaction=False)
    for bucket in (number, number - 1):
        per_video, cards = _keys(bucket)
        pipe.zmscore(per_video, [int(v) for v in video_ids])
        pipe.get(cards)
        pipe.zcard(per_video)
    now_scores, now_cards, now_distinct, old_scores, old_cards, old_distinct = pipe.execute()
    cards = float(now_cards or 0) + previous_share * float(old_cards or 0)
    distinct = max(int(now_distinct), int(old_distinct))
    if cards <= 0 or distinct == 0:
        return ratios
    typical = cards / distinct
    loads = np.asarray(
        [
            float(a or 0.0) + previous_share * float(b or 0.0)
            for a, b in zip(now_scores, old_scores, strict=True)
        ]
    )
    return loads / typical
