"""The video embedding recipe: pool frame vectors, embed transcript+caption, combine by weight."""

from __future__ import annotations

from typing import Any

import numpy as np

from embedder_service.backends import Backend
from embedder_service.errors import ServiceError
from embedder_service.images import Frame
from embedder_service.pooling import DegenerateVectorError, combine_weighted, mean_pool


def video_text(transcript: str, caption: str) -> str:
    """What the text side embeds: the transcript, then the caption (hashtags included)."""
    return "\n".join(part.strip() for part in (transcript, caption) if part.strip())


async def embed_video(
    backend: Backend,
    *,
    frames: list[Frame],
    transcript: str,
    caption: str,
    w_vis: float,
    w_text: float,
) -> dict[str, Any]:
    """`e_video = normalize(w_vis * e_vis + w_text * e_text)` over the parts that exist."""
    missing: list[str] = []
    e_vis: np.ndarray | None = None
    e_text: np.ndarray | None = None
    text_truncated = False
    if backend.has_image_model:
        e_vis = mean_pool(await backend.embed_images(frames))
    else:
        missing.append("visual")
    text = video_text(transcript, caption)
    if text:
        result = await backend.embed_texts([text], None)
        e_text, text_truncated = result.vectors[0], result.truncated[0]
    else:
        missing.append("text")
    if e_vis is None and e_text is None:
        reason = "the video has no transcript and no caption"
        if not backend.has_image_model:
            reason += f", and the {backend.name} backend has no image model"
        raise ServiceError(422, "nothing_to_embed", reason)
    try:
        e_video = combine_weighted([(e_vis, w_vis), (e_text, w_text)])
    except DegenerateVectorError as exc:
        raise ServiceError(
            422, "invalid_weight", f"the parts that exist ({_present(missing)}) weigh 0: {exc}"
        ) from exc
    return {
        "video_embedding": e_video.tolist(),
        "visual_embedding": None if e_vis is None else e_vis.tolist(),
        "text_embedding": None if e_text is None else e_text.tolist(),
        "embedding_version": backend.embedding_version,
        "dim": backend.dim,
        "missing": missing,
        "text_truncated": text_truncated,
    }


def _present(missing: list[str]) -> str:
    return ", ".join(part for part in ("visual", "text") if part not in missing)
