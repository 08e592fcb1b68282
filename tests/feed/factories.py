"""Feed test helpers: videos with vectors in a known geometry, interaction events."""

from __future__ import annotations

import uuid

import numpy as np

from tests.factories import VideoEmbeddingFactory, VideoFactory

DIM = 8


def axis(index: int, dim: int = DIM) -> np.ndarray:
    vector = np.zeros(dim, dtype=np.float32)
    vector[index] = 1.0
    return vector


def near(base: np.ndarray, index: int, amount: float) -> list[float]:
    """A unit vector mostly along `base`, tilted by `amount` towards axis `index`."""
    vector = np.asarray(base, dtype=np.float32) + amount * axis(index, len(base))
    return (vector / np.linalg.norm(vector)).tolist()


def video_with_vector(vector, **video_kwargs):  # noqa: ANN001, ANN201
    video = VideoFactory(**video_kwargs)
    unit = np.asarray(vector, dtype=np.float32)
    VideoEmbeddingFactory(video=video, embedding=(unit / np.linalg.norm(unit)).tolist())
    return video


def cluster(base_axis: int, count: int, *, spread_axis: int | None = None, **video_kwargs):  # noqa: ANN201
    """`count` videos close to one axis, each tilted differently so they are not identical."""
    videos = []
    for i in range(count):
        tilt_axis = (
            spread_axis if spread_axis is not None else (base_axis + 1 + i % (DIM - 1)) % DIM
        )
        if tilt_axis == base_axis:
            tilt_axis = (tilt_axis + 1) % DIM
        videos.append(
            video_with_vector(near(axis(base_axis), tilt_axis, 0.3 + 0.05 * i), **video_kwargs)
        )
    return videos


def event(video, type: str, watch_ms: int = 0, **extra) -> dict:  # noqa: ANN001, A002
    return {
        "event_id": str(uuid.uuid4()),
        "video_id": video.pk if hasattr(video, "pk") else video,
        "type": type,
        "watch_ms": watch_ms,
        **extra,
    }


def ingest_events(user, videos, kinds) -> None:  # noqa: ANN001
    """The same events for `user` through the bulk path (`interactions_ingest`)."""
    from feed.ingest import interactions_ingest

    interactions_ingest(
        rows=[
            {"user_id": user.pk, "video_id": video.pk, "type": kind}
            for video, kind in zip(videos, kinds, strict=True)
        ]
    )
