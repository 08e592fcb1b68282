"""What a batch of events adds to the engagement aggregates (`TasteDeltas`: long-term taste,
co-engagement pairs, video stats), and its queue encoding. Every part is additive, so batches
merge (`deltas_merge`) and apply in any order; `feed.aggregates` queues and applies them."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class TasteDeltas:
    """What a batch of events adds to the aggregates of one embedding version."""

    version: str | None
    # A request's batch: queued copies of it (a client retry of a pipeline) and a copy the
    # request applied itself are each counted once (`aggregates_apply_once`, the flush).
    batch_id: str | None = None
    # user id -> (sum of w e, sum of w, change in the number of positives)
    users: dict[int, tuple[np.ndarray, float, int]] = field(default_factory=dict)
    pairs: Counter[tuple[int, int]] = field(default_factory=Counter)
    stats: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def __bool__(self) -> bool:
        return bool(self.users or self.pairs or self.stats)


def deltas_encode(deltas: TasteDeltas, *, queued_at: float | None = None) -> bytes:
    return json.dumps(
        {
            "t": time.time() if queued_at is None else queued_at,
            "v": deltas.version,
            "b": deltas.batch_id,
            "u": [
                [user_id, base64.b64encode(np.asarray(s, dtype="<f4").tobytes()).decode(), w, n]
                for user_id, (s, w, n) in deltas.users.items()
            ],
            "p": [[a, b, count] for (a, b), count in deltas.pairs.items()],
            "s": [[video_id, dict(counter)] for video_id, counter in deltas.stats.items()],
        },
        separators=(",", ":"),
    ).encode()


def deltas_decode(raw: bytes) -> TasteDeltas:
    """Raises ValueError on anything that is not an encoded TasteDeltas."""
    try:
        data = json.loads(raw)
        deltas = TasteDeltas(version=data["v"], batch_id=data.get("b"))
        for user_id, s, w, n in data["u"]:
            vector = np.frombuffer(base64.b64decode(s), dtype="<f4").astype(np.float32)
            deltas.users[int(user_id)] = (vector, float(w), int(n))
        for a, b, count in data["p"]:
            deltas.pairs[(int(a), int(b))] += int(count)
        for video_id, counts in data["s"]:
            deltas.stats[int(video_id)].update({str(k): int(v) for k, v in counts.items()})
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"not an aggregates entry: {exc}") from exc
    return deltas


def deltas_merge(batches: Iterable[TasteDeltas]) -> list[TasteDeltas]:
    """Batches summed, one TasteDeltas per embedding version."""
    merged: dict[str | None, TasteDeltas] = {}
    for batch in batches:
        total = merged.setdefault(batch.version, TasteDeltas(version=batch.version))
        for user_id, (s, w, n) in batch.users.items():
            if user_id in total.users and len(total.users[user_id][0]) == len(s):
                s0, w0, n0 = total.users[user_id]
                total.users[user_id] = (s0 + s, w0 + w, n0 + n)
            else:
                total.users[user_id] = (s, w, n)
        total.pairs.update(batch.pairs)
        for video_id, counter in batch.stats.items():
            total.stats[video_id].update(counter)
    return list(merged.values())
