"""The trusted bulk path for interactions of many users at once (evaluation, benchmarks,
imports): `interactions_ingest(*, rows, session_id="ingest", chunk_size=5000)` stores the rows
and runs them through `feed.taste.taste_apply_events`, the same update maths as the API's
`feed.services.interactions_record`, chunk by chunk."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from feed import interaction_state, state
from feed.models import Interaction
from feed.taste import TasteEvent, taste_apply_events
from feed.vector_reads import vector_decode, video_vector_annotation
from videos.models import Video
from videos.versions import active_embedding_version


def interactions_ingest(
    *,
    rows: Iterable[dict[str, Any]],
    session_id: str = "ingest",
    chunk_size: int = 5000,
    session: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Trusted bulk path (evaluation, imports): rows {user_id, video_id, type, watch_ms=0,
    ts=None (datetime)} in time order are stored as Interactions and run through
    `taste_apply_events` chunk by chunk. Rows for unknown videos are skipped. Returns the number
    of rows stored."""
    version = active_embedding_version()
    rows = list(rows)
    video_ids = sorted({int(row["video_id"]) for row in rows})
    facts: dict[int, tuple[float | None, np.ndarray | None]] = {}
    for start in range(0, len(video_ids), 10_000):
        chunk_ids = video_ids[start : start + 10_000]
        queryset = Video.objects.filter(pk__in=chunk_ids)
        if version:
            queryset = queryset.annotate(vec=video_vector_annotation(version))
            for vid, duration, raw in queryset.values_list("id", "duration_s", "vec"):
                facts[vid] = (duration, vector_decode(raw))
        else:
            for vid, duration in queryset.values_list("id", "duration_s"):
                facts[vid] = (duration, None)
    positives: dict[str, list[int]] | None = None
    stored = 0
    for start in range(0, len(rows), chunk_size):
        chunk = [row for row in rows[start : start + chunk_size] if int(row["video_id"]) in facts]
        Interaction.objects.bulk_create(
            [
                Interaction(
                    event_id=uuid.uuid4(),
                    user_id=row.get("user_id"),
                    session_id=session_id,
                    video_id=int(row["video_id"]),
                    type=row["type"],
                    watch_ms=int(row.get("watch_ms") or 0),
                    client_ts=row.get("ts") if isinstance(row.get("ts"), dt.datetime) else None,
                )
                for row in chunk
            ],
            batch_size=chunk_size,
        )
        events = [
            TasteEvent(
                user_id=row.get("user_id"),
                session_id=session_id,
                video_id=int(row["video_id"]),
                type=row["type"],
                watch_ms=int(row.get("watch_ms") or 0),
                duration_s=facts[int(row["video_id"])][0],
                vector=facts[int(row["video_id"])][1],
                version=version,
            )
            for row in chunk
        ]
        if positives is None:
            owners = {state.owner_key(user_id=e.user_id, session_id=e.session_id) for e in events}
            positives = interaction_state.recent_positives_many(owners=sorted(owners))
        else:
            new_owners = sorted(
                {state.owner_key(user_id=e.user_id, session_id=e.session_id) for e in events}
                - set(positives)
            )
            positives |= (
                interaction_state.recent_positives_many(owners=new_owners) if new_owners else {}
            )
        positives = taste_apply_events(events=events, positives_before=positives, session=session)
        stored += len(chunk)
        if progress:
            progress(len(chunk))
    return stored
