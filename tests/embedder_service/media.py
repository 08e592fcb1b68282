"""Small real media made in memory for the embedder tests."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def jpeg_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    """A solid-colour JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def textured_jpeg(seed: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG of random blocks: a frame that shows something (not blank), different per seed."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(size[1] // 8 + 1, size[0] // 8 + 1, 3), dtype=np.uint8)
    pixels = np.kron(blocks, np.ones((8, 8, 1), dtype=np.uint8))[: size[1], : size[0]]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG")
    return buffer.getvalue()
