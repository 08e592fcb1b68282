"""The video embedding recipe: pool frame vectors, embed transcript+caption, combine by weight."""

from __future__ import annotations

from typing import Any

import numpy as np

from embedder_service.backends import Backend
from embedder_service.errors import ServiceError
from embedder_service.images import Frame
from embedder_service.parsing import has_visible_text
from embedder_service.pooling import DegenerateVectorError, combine_weighted, mean_pool


def video_text(transcript: str, caption: str) -> str:
    """What the text side embeds: the transcript, then the caption (hashtags included); a part
    of invisible characters only (zero-width spaces) is no text."""
    return "\n".join(part.strip() for part in (transcript, caption) if has_visible_text(part))


async def embed_video(
    backend: Backend,
    *,
    frames: list[Frame],
    transcript: str,
    caption: str,
    w_vis: float,
    w_text: float,
) -> dict[str, Any]:
    """`e_video = normalize(w_vis * e_vis + w_text * e_text)` over the parts that exist.

    Blank frames (black screens, solid colour cards) are left out of the visual part; when
    every frame is blank the visual part counts as missing. A video with no text and only blank
    frames is still embedded, from those frames, so it never fails for lack of content; it
    reports both parts missing so nothing is inferred (tagged) from it.
    """
    missing: list[str] = []
    e_vis: np.ndarray | None = None
    e_text: np.ndarray | None = None
    look: np.ndarray | None = None
    text_truncated = False
    seen = [frame for frame in frames if not frame.is_blank]
    text = video_text(transcript, caption)
    if backend.has_image_model and seen:
        embedded = await backend.embed_images(seen)
        e_vis, look = mean_pool(embedded.vectors), mean_pool(embedded.looks)
    else:
        missing.append("visual")
    if text:
        result = await backend.embed_texts([text], None)
        e_text, text_truncated = result.vectors[0], result.truncated[0]
    else:
        missing.append("text")
    if e_vis is None and e_text is None:
        if not backend.has_image_model:
            reason = "the video has no transcript and no caption"
            reason += f", and the {backend.name} backend has no image model"
            raise ServiceError(422, "nothing_to_embed", reason)
        e_vis = mean_pool((await backend.embed_images(frames)).vectors)
    try:
        e_video = combine_weighted([(e_vis, w_vis), (e_text, w_text)])
    except DegenerateVectorError as exc:
        raise ServiceError(
            422, "invalid_weight", f"the parts that exist ({_present(missing)}) weigh 0: {exc}"
        ) from exc
    return {
        "video_embedding": e_video.tolist(),
        "visual_embedding": None if e_vis is None else e_vis.tolist(),
        "blank_frames": len(frames) - len(seen),
        # How the video looks (mean of its frames' looks), to find copies of it; None when no
        # frame showed anything.
        "look_embedding": None if look is None else look.tolist(),
        "look_version": None if look is None else backend.look_version,
        "text_embedding": None if e_text is None else e_text.tolist(),
        "embedding_version": backend.embedding_version,
        "dim": backend.dim,
        "missing": missing,
        "text_truncated": text_truncated,
    }


def _present(missing: list[str]) -> str:
    return ", ".join(part for part in ("visual", "text") if part not in missing)
