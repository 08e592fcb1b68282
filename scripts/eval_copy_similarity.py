"""Measure how alike copies of a video look, against different videos (docs/pipeline.md).

Each labelled photograph (tagging/photo_set.py) becomes a silent clip; 12 frames are sampled and
their EfficientNet-Lite0 features pooled into the video's look, as the embedder does. Copies are
made frame by frame (scaled to 2/3, cropped by 10% per side, JPEG quality 25, mirrored,
brightened); printed: each copy kind's cosine to its original (min / mean), and the highest
cosine between two different photographs. DUPLICATE_LOOK_MIN_SIMILARITY sits between them.

    .venv/bin/python scripts/eval_copy_similarity.py      (needs the wallpaper packages installed)
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import av
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embedder_service.vision import ImageModel, bundled_weights_path  # noqa: E402
from tagging.photo_set import LABELED_PHOTOS, silent_photo_clip_make  # noqa: E402

FRAMES = 12


def frames_of(path: Path) -> list[Image.Image]:
    with av.open(str(path)) as container:
        decoded = [frame.to_image() for frame in container.decode(video=0)]
    picks = np.linspace(0, len(decoded) - 1, FRAMES).round().astype(int)
    return [decoded[i] for i in picks]


def variant(image: Image.Image, kind: str) -> Image.Image:
    width, height = image.size
    if kind == "scaled to 2/3":
        return image.resize((width * 2 // 3, height * 2 // 3))
    if kind == "cropped 10% per side":
        box = (width // 10, height // 10, width - width // 10, height - height // 10)
        return image.crop(box).resize((width, height))
    if kind == "JPEG quality 25":
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=25)
        return Image.open(buffer).convert("RGB")
    if kind == "mirrored":
        return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if kind == "brightened 20%":
        return Image.eval(image, lambda value: min(255, int(value * 1.2)))
    raise ValueError(kind)


KINDS = ("scaled to 2/3", "cropped 10% per side", "JPEG quality 25", "mirrored", "brightened 20%")


def main() -> int:
    model = ImageModel(bundled_weights_path())
    model.load()

    def look(images: list[Image.Image]) -> np.ndarray:
        pooled = model.analyse(images).features.mean(axis=0)
        return pooled / np.linalg.norm(pooled)

    originals, copies = [], {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as scratch:
        for number, photo in enumerate(LABELED_PHOTOS):
            clip = silent_photo_clip_make(Path(photo.path), Path(scratch) / f"{number}.mp4")
            frames = frames_of(clip)
            originals.append(look(frames))
            for kind in KINDS:
                copies[kind].append(look([variant(frame, kind) for frame in frames]))
    looks = np.stack(originals)
    between = looks @ looks.T
    np.fill_diagonal(between, -1.0)
    print(f"{len(looks)} photo clips, {FRAMES} frames each; cosine of the pooled looks")
    for kind in KINDS:
        cosines = np.sum(np.stack(copies[kind]) * looks, axis=1)
        print(f"copy {kind:<22} min {cosines.min():.3f}  mean {cosines.mean():.3f}")
    print(f"different photographs, highest    {between.max():.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
