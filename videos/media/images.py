"""JPEG stills for the player (poster, thumbnail) and the embedder (sampled frames)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

THUMBNAIL_BOX_PIXELS = (360, 640)
EMBED_FRAME_MAX_SIDE_PIXELS = 512
JPEG_QUALITY = 85


def fit_within(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with `size`'s aspect ratio inside `box` (either orientation), never
    upscaled."""
    width, height = size
    long_box, short_box = max(box), min(box)
    limit_w, limit_h = (long_box, short_box) if width >= height else (short_box, long_box)
    scale = min(1.0, limit_w / width, limit_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def save_jpeg(image: Image.Image, path: Path, *, box: tuple[int, int] | None = None) -> Path:
    if box is not None:
        image = image.resize(fit_within(image.size, box), Image.Resampling.BILINEAR)
    image.convert("RGB").save(path, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return path


def save_embed_frame(image: Image.Image, path: Path) -> Path:
    side = EMBED_FRAME_MAX_SIDE_PIXELS
    return save_jpeg(image, path, box=(side, side))
