"""How the embedder keeps a posted frame (`embedder_service.images.decode_frame`): no larger than
the models look at, upright, 8-bit RGB, from the formats cameras write."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from embedder_service.errors import ServiceError
from embedder_service.images import KEPT_FRAME_PIXELS, decode_frame

MAX_PIXELS = 4096 * 4096


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:  # noqa: ANN003
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _gradient(width: int, height: int) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None, None]
    pixels = np.concatenate([x + 0 * y, y + 0 * x, (x + y) / 2], axis=2)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_large_frame_is_kept_at_the_size_the_models_use_and_sent_on_as_kept(fmt: str) -> None:
    frame = decode_frame(_encoded(_gradient(4096, 3072), fmt), 0, MAX_PIXELS)

    width, height = frame.image.size
    assert width * height <= KEPT_FRAME_PIXELS
    assert abs(width / height - 4096 / 3072) < 0.01
    assert width >= 1200  # not shrunk past what is needed
    sent = Image.open(io.BytesIO(frame.data))
    assert (sent.format, sent.size, frame.mime_type) == ("JPEG", (width, height), "image/jpeg")
    # The picture is the same one, smaller: its gradient runs the same way.
    pixels = np.asarray(frame.image, dtype=np.float32)
    assert pixels[:, -10:, 0].mean() > pixels[:, :10, 0].mean() + 200


def test_a_frame_within_the_size_is_sent_on_as_it_came() -> None:
    data = _encoded(_gradient(640, 360), "PNG")
    frame = decode_frame(data, 0, MAX_PIXELS)
    assert frame.data == data and frame.mime_type == "image/png"
    assert frame.image.size == (640, 360) and frame.image.mode == "RGB"


def test_a_camera_jpeg_with_multi_picture_data_is_a_jpeg() -> None:
    first, second = _gradient(320, 240), _gradient(160, 120)
    data = _encoded(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    frame = decode_frame(data, 0, MAX_PIXELS)

    assert frame.mime_type == "image/jpeg" and frame.image.size == (320, 240)


def test_a_16_bit_grey_frame_is_scaled_not_clipped_to_white() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256, dtype=np.uint16), (64, 1))
    image = Image.new("I;16", (256, 64))
    image.frombytes(ramp.astype("<u2").tobytes())
    data = _encoded(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")  # a 16-bit PNG indeed
    frame = decode_frame(data, 0, MAX_PIXELS)

    grey = np.asarray(frame.image, dtype=np.float32)[..., 0]
    assert grey[:, :8].mean() < 10
    assert 110 < grey[:, 124:132].mean() < 145  # mid-grey stays mid-grey
    assert grey[:, -8:].mean() > 245
    assert not frame.is_blank


def test_a_frame_is_kept_upright_by_its_exif_orientation() -> None:
    picture = _gradient(200, 100)
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show it rotated 90 degrees clockwise
    frame = decode_frame(_encoded(picture, "JPEG", exif=exif), 0, MAX_PIXELS)

    assert frame.image.size == (100, 200)
    assert Image.open(io.BytesIO(frame.data)).size == (100, 200)


def test_what_is_not_a_frame_is_still_refused() -> None:
    gif = _encoded(_gradient(32, 32), "GIF")
    with pytest.raises(ServiceError) as refused:
        decode_frame(gif, 3, MAX_PIXELS)
    assert (refused.value.status_code, refused.value.error) == (400, "invalid_image")
    assert "frame 3 is GIF" in refused.value.detail
