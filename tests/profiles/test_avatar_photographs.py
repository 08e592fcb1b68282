"""Avatars from real photographs: the stored JPEG shows what the person saw on their screen."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.support.errors import assert_error_shape
from tests.support.icc import DISPLAY_P3_D50, rgb_profile

pytestmark = pytest.mark.django_db

# XYZ (D50) -> linear sRGB, Bradford-adapted (Lindbloom's table): independent of the code under
# test, which converts through LittleCMS.
XYZ_D50_TO_LINEAR_SRGB = np.array(
    [
        [3.1338561, -1.6168667, -0.4906146],
        [-0.9787684, 1.9161415, 0.0334540],
        [0.0719453, -0.2289914, 1.4052427],
    ]
)


def _upload(image: Image.Image, fmt: str, name: str, **save) -> SimpleUploadedFile:  # noqa: ANN003
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def _stored(client_for, user, upload) -> Image.Image:  # noqa: ANN001
    """The avatar as stored after uploading `upload`, as RGB pixels."""
    response = client_for(user).patch("/api/users/me", {"avatar": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    user.refresh_from_db()
    with user.avatar.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert "icc_profile" not in stored.info
        return stored.convert("RGB")


def _stored_centre(client_for, user, upload) -> tuple[int, int, int]:  # noqa: ANN001
    pixels = _stored(client_for, user, upload)
    return pixels.getpixel((pixels.width // 2, pixels.height // 2))


def _close(actual, expected, tolerance: int = 4) -> bool:  # noqa: ANN001
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def _p3_to_srgb(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    linear_p3 = (np.array(rgb) / 255.0) ** 2.2
    xyz = linear_p3 @ np.array(DISPLAY_P3_D50)
    linear = np.clip(XYZ_D50_TO_LINEAR_SRGB @ xyz, 0.0, 1.0)
    encoded = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return tuple(int(round(v)) for v in encoded * 255)


def test_a_display_p3_photo_is_converted_to_srgb(client_for, creator):
    colour = (60, 170, 90)
    photo = Image.new("RGB", (96, 96), colour)
    upload = _upload(photo, "JPEG", "p3.jpg", quality=95, icc_profile=rgb_profile())

    stored = _stored_centre(client_for, creator, upload)

    expected = _p3_to_srgb(colour)
    assert _close(stored, expected), (stored, expected)
    assert not _close(stored, colour, tolerance=8)  # read as sRGB, green would be 170


def test_a_photo_with_an_unreadable_colour_profile_is_read_as_srgb(client_for, creator):
    colour = (60, 170, 90)
    upload = _upload(Image.new("RGB", (96, 96), colour), "PNG", "odd.png", icc_profile=b"x" * 200)

    assert _close(_stored_centre(client_for, creator, upload), colour)


def test_a_transparent_background_becomes_white_not_black(client_for, creator):
    logo = Image.new("RGBA", (96, 96), (0, 0, 0, 0))
    logo.paste((200, 30, 30, 255), (40, 40, 56, 56))
    pixels = _stored(client_for, creator, _upload(logo, "PNG", "logo.png"))

    assert _close(pixels.getpixel((2, 2)), (255, 255, 255))
    assert _close(pixels.getpixel((48, 48)), (200, 30, 30), tolerance=12)


def test_a_palette_gif_with_a_transparent_colour_lays_it_on_white(client_for, creator):
    frame = Image.new("P", (64, 64), 0)
    frame.putpalette([0, 0, 0, 10, 120, 200] + [0] * 762)
    frame.paste(1, (16, 16, 48, 48))
    pixels = _stored(client_for, creator, _upload(frame, "GIF", "sticker.gif", transparency=0))

    assert _close(pixels.getpixel((1, 1)), (255, 255, 255))
    assert _close(pixels.getpixel((32, 32)), (10, 120, 200), tolerance=12)


def test_sixteen_bit_greyscale_keeps_its_tones(client_for, creator):
    # A 16-bit scan at 40% grey: a plain conversion clips every level above 255 to white.
    levels = np.full((64, 64), 26_214, dtype=np.uint16)
    scan = Image.fromarray(levels)
    upload = _upload(scan, "PNG", "scan.png")

    grey = _stored_centre(client_for, creator, upload)

    assert _close(grey, (102, 102, 102))


def test_a_phone_jpeg_with_a_second_picture_is_accepted(client_for, creator):
    # Phones append a depth map or an HDR gain map as a second picture (an MPO file).
    colour = (20, 120, 220)
    photo = Image.new("RGB", (80, 80), colour)
    depth = Image.new("RGB", (40, 40), (128, 128, 128))
    upload = _upload(photo, "MPO", "IMG_0001.jpg", save_all=True, append_images=[depth])
    assert Image.open(io.BytesIO(upload.read())).format == "MPO"
    upload.seek(0)

    assert _close(_stored_centre(client_for, creator, upload), colour, tolerance=6)


def test_an_avif_photo_is_accepted(client_for, creator):
    colour = (220, 120, 20)
    upload = _upload(Image.new("RGB", (64, 64), colour), "AVIF", "me.avif", quality=90)

    assert _close(_stored_centre(client_for, creator, upload), colour, tolerance=10)


def test_the_camera_orientation_is_applied(client_for, creator):
    # Stored 80 wide x 40 high, left half red; EXIF 6 says "rotate 90 degrees clockwise to
    # show": shown 40 x 80 with red on top.
    photo = Image.new("RGB", (80, 40), (20, 20, 200))
    photo.paste((200, 20, 20), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    upload = _upload(photo, "JPEG", "sideways.jpg", quality=95, exif=exif.tobytes())

    pixels = _stored(client_for, creator, upload)

    # ImageOps.fit takes the centre square of the 40 x 80 picture: rows 20..60, red above the
    # middle and blue below.
    top, bottom = pixels.getpixel((20, 4)), pixels.getpixel((20, 35))
    assert top[0] > 150 and top[2] < 80, top
    assert bottom[2] > 150 and bottom[0] < 80, bottom


def test_a_heic_photo_gets_an_error_that_says_so(client_for, creator):
    # The first box of an iPhone's HEIC photo; Pillow cannot read HEIF.
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 200
    upload = SimpleUploadedFile("IMG_0002.HEIC", heic, content_type="image/heic")

    response = client_for(creator).patch("/api/users/me", {"avatar": upload}, format="multipart")

    body = assert_error_shape(response, 400, "invalid")
    assert "HEIC" in body["fields"]["avatar"][0]
    creator.refresh_from_db()
    assert not creator.avatar
