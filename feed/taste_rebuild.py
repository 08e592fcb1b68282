"""Long-term tastes rebuilt in another embedding version from the interaction log.

A taste is S = sum(w e) and W = sum(w) over a viewer's weighted events (feed/taste.py): the
vectors of one version cannot be turned into another's, but the events that made them are all
kept (`Interaction`), so a taste is recomputed by replaying them with the new version's video
vectors. Without it every signed-in viewer started over as a cold start the moment a re-embed
made another version the served one (`videos.events.embedding_version_served`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from django.db import transaction

from feed.aggregates import taste_rows_upsert
from feed.models import Interaction, TasteProfile
from feed.taste import taste_weights
from feed.taste_maths import taste_add
from feed.vector_reads import video_vectors
from feed.weights import positive_weight
from tiktok.db.sql import vector_literal
from tiktok.vectors import normalize
from videos.models import Video

logger = logging.getLogger(__name__)

REBUILD_USERS_PER_BATCH = 500


def taste_profiles_rebuild(*, version: str, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every signed-in viewer's long-term taste in `version` from their stored events
    (videos without a vector in it count for nothing), replacing what the version held.
    Returns how many viewers have a taste in it now. Events recorded while it runs are counted
    by the replay or by their own update, rarely both (a viewer's taste then leans a little
    more towards one of their latest videos)."""
    weights = taste_weights()
    user_ids = list(
        Interaction.objects.filter(user_id__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    kept = 0
    for start in range(0, len(user_ids), REBUILD_USERS_PER_BATCH):
        batch = user_ids[start : start + REBUILD_USERS_PER_BATCH]
        events = list(
            Interaction.objects.filter(user_id__in=batch)
            .order_by("id")
            .values_list("user_id", "video_id", "type", "watch_ms")
        )
        video_ids = sorted({video_id for _, video_id, _, _ in events})
        durations = dict(Video.objects.filter(pk__in=video_ids).values_list("id", "duration_s"))
        vectors = video_vectors(video_ids=video_ids, embedding_version=version)
        sums: dict[int, np.ndarray] = {}
        totals: dict[int, float] = defaultdict(float)
        counts: dict[int, int] = defaultdict(int)
        rewatched: set[tuple[int, int]] = set()
        for user_id, video_id, kind, watch_ms in events:
            vector = vectors.get(video_id)
            weight = positive_weight(weights, kind, watch_ms, durations.get(video_id))
            if kind == "rewatch":  # as recorded: each viewer's first rewatch of a video only
                if (user_id, video_id) in rewatched:
                    continue
                rewatched.add((user_id, video_id))
            if vector is None or weight == 0:
                continue
            if user_id not in sums:
                sums[user_id] = np.zeros(len(vector), dtype=np.float32)
            sums[user_id], totals[user_id], _ = taste_add(
                sums[user_id], totals[user_id], weight * np.asarray(vector), weight
            )
            counts[user_id] = max(0, counts[user_id] + (1 if weight > 0 else -1))
        kept += _replace(version=version, user_ids=batch, sums=sums, totals=totals, counts=counts)
        if progress is not None:
            progress(len(batch))
    logger.info("long-term tastes rebuilt in %s: %d viewers", version, kept)
    return kept


def _replace(
    *,
    version: str,
    user_ids: list[int],
    sums: dict[int, np.ndarray],
    totals: dict[int, float],
    counts: dict[int, int],
) -> int:
    """The batch's tastes in the version, as replayed; a viewer with nothing left has none."""
    rows = []
    for user_id, weighted_sum in sums.items():
        total = totals[user_id]
        if total <= 0:
            continue
        vector = normalize(weighted_sum / total)
        rows.append(
            (user_id, vector_literal(vector), vector_literal(weighted_sum), total, counts[user_id])
        )
    with transaction.atomic():
        TasteProfile.objects.filter(embedding_version=version, user_id__in=user_ids).exclude(
            user_id__in=[row[0] for row in rows]
        ).delete()
        taste_rows_upsert(version=version, rows=rows)
    return len(rows)
