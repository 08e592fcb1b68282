"""Validate uploaded video frames with Pillow: real images only, bounded pixel count."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from embedder_service.errors import ServiceError

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A frame whose pixels vary less than this (standard deviation on the 0..255 scale, over a
# small thumbnail) shows nothing: a black screen, a fade, a solid colour card.
BLANK_PIXEL_STD = 6.0
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
            image.load()
    except ServiceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ServiceError(400, "image_too_large", f"{name}: {exc}") from exc
    except UnidentifiedImageError as exc:
        accepted = ", ".join(ACCEPTED_FORMATS)
        raise ServiceError(400, "invalid_image", f"{name} is not an image ({accepted})") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ServiceError(400, "invalid_image", f"{name} is a broken image: {exc}") from exc
    rgb = image.convert("RGB")
    return Frame(
        data=data, mime_type=ACCEPTED_FORMATS[image.format], image=rgb, is_blank=is_blank_image(rgb)
    )
