"""Validate uploaded video frames with Pillow: real images only, bounded pixel count."""

from __future__ import annotations

import io
import math
import threading
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from embedder_service.errors import ServiceError

# MPO: a camera's JPEG with its multi-picture data (the first picture is an ordinary JPEG).
ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
}
# Frames are kept at most this large: more than either model looks at (the CPU model scales the
# short side to 256, vLLM's frames are sent at most 1280x1280). A 4096x4096 frame kept whole
# was 50 MB, twice over, and a request of 24 of them took 1.7 GB.
KEPT_FRAME_PIXELS = 1280 * 1280
KEPT_JPEG_QUALITY = 90
# Full-size decodes at once across requests (a PNG or WebP is decoded whole before it shrinks).
_DECODE_SLOTS = threading.BoundedSemaphore(2)
# A frame whose pixels vary less than this (standard deviation on the 0..255 scale, over a
# small thumbnail) shows nothing: a black screen, a fade, a solid colour card.
BLANK_PIXEL_STD = 6.0
ORIENTATION_TAG = 0x0112
BLANK_THUMBNAIL = (64, 64)
# Video frames are at most about 21:9; a 1x20000 strip (231 bytes of PNG, within the pixel
# limit) would be scaled to 256x5,120,000 by the image model's short-side resize.
MAX_ASPECT_RATIO = 20.0


@dataclass(frozen=True)
class Frame:
    """One decoded frame: the original bytes (sent on as-is) and the decoded RGB image."""

    data: bytes
    mime_type: str
    image: Image.Image
    is_blank: bool = False


def is_blank_image(image: Image.Image) -> bool:
    """True when the image is (nearly) one flat colour, so a model would only see noise."""
    thumbnail = image.convert("RGB")
    thumbnail.thumbnail(BLANK_THUMBNAIL)
    pixels = np.asarray(thumbnail, dtype=np.float32)
    return bool(pixels.reshape(-1, 3).std(axis=0).max() < BLANK_PIXEL_STD)


def decode_frame(data: bytes, index: int, max_pixels: int) -> Frame:
    """Decode one frame, rejecting non-images and decompression bombs with a 400."""
    name = f"frame {index}"
    if not data:
        raise ServiceError(400, "invalid_image", f"{name} is empty")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; make every bomb an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ServiceError(
                    400,
                    "image_too_large",
                    f"{name} is {width}x{height} pixels, over the limit of {max_pixels} pixels",
                )
            if max(width, height) > MAX_ASPECT_RATIO * max(1, min(width, height)):
                raise ServiceError(
                    400,
                    "image_aspect",
                    f"{name} is {width}x{height} pixels: a side over {MAX_ASPECT_RATIO:.0f} "
                    "times the other is not a video frame",
                )
            if image.format not in ACCEPTED_FORMATS:
                raise ServiceError(
                    400,
                    "invalid_image",
                    f"{name} is {image.format}; accepted: {', '.join(ACCEPTED_FORMATS)}",
                )
            reduced = _draft(image)
            with _DECODE_SLOTS:
                image.load()
                rgb, changed = _kept(image)
    except ServiceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ServiceError(400, "image_too_large", f"{name}: {exc}") from exc
    except UnidentifiedImageError as exc:
        accepted = ", ".join(ACCEPTED_FORMATS)
        raise ServiceError(400, "invalid_image", f"{name} is not an image ({accepted})") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ServiceError(400, "invalid_image", f"{name} is a broken image: {exc}") from exc
    mime_type = ACCEPTED_FORMATS[image.format]
    if reduced or changed:  # what is sent on (vLLM) is what was kept
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=KEPT_JPEG_QUALITY)
        data, mime_type = buffer.getvalue(), "image/jpeg"
    return Frame(data=data, mime_type=mime_type, image=rgb, is_blank=is_blank_image(rgb))


def _draft(image: Image.Image) -> bool:
    """Let a large JPEG decode at a fraction of its size (the DCT's own scaling: fast, and it
    never holds the full-size pixels); whether it will."""
    width, height = image.size
    if image.format not in ("JPEG", "MPO") or width * height <= KEPT_FRAME_PIXELS:
        return False
    scale = (KEPT_FRAME_PIXELS / (width * height)) ** 0.5
    image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    return image.size != (width, height)


def _kept(image: Image.Image) -> tuple[Image.Image, bool]:
    """The frame as kept: upright (its EXIF orientation applied), 8-bit RGB (a 16-bit grey PNG
    scaled, not clipped to white), at most KEPT_FRAME_PIXELS; and whether that changed its
    pixels from the bytes sent."""
    changed = image.getexif().get(ORIENTATION_TAG, 1) not in (None, 1)
    if changed:
        image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        values = np.asarray(image, dtype=np.float64)
        if values.size and values.max() > 255:
            values = values / 257.0
        image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")
    rgb = image.convert("RGB")
    if rgb.width * rgb.height > KEPT_FRAME_PIXELS:
        scale = (KEPT_FRAME_PIXELS / (rgb.width * rgb.height)) ** 0.5
        rgb = rgb.resize(
            (max(1, int(rgb.width * scale)), max(1, int(rgb.height * scale))),
            Image.Resampling.BICUBIC,
        )
        changed = True
    return rgb, changed
