"""Real photographs (installed by scripts/system_deps.sh from Debian packages) for the tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tagging.photo_set import LABELED_PHOTOS, LabeledPhoto


def labeled_photo(file_name: str) -> LabeledPhoto:
    """The labeled photograph whose path ends with `file_name`."""
    return next(photo for photo in LABELED_PHOTOS if photo.path.endswith("/" + file_name))


def photo_jpeg(file_name: str, max_side: int = 640) -> bytes:
    """A labeled photograph, scaled down to at most max_side pixels, as JPEG bytes."""
    with Image.open(Path(labeled_photo(file_name).path)) as source:
        picture = source.convert("RGB")
    picture.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
