"""Avatars from hostile or huge pictures: a small upload must not cost a large decode many times
over, and a big picture comes out as the same avatar a small one would."""

from __future__ import annotations

import io
import multiprocessing
import resource
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from profiles.services.avatars import avatar_image_clean

BOMB_SIDE = 5000
BOMB_DECODED_MB = BOMB_SIDE * BOMB_SIDE * 4 // (1024 * 1024)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _transparent_png(side: int) -> bytes:
    """A side x side fully transparent RGBA PNG, compressed row by row (never whole in memory)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side * 4)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _peak_growth_mb(data: bytes, queue: multiprocessing.Queue) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    avatar_image_clean(SimpleUploadedFile("a.png", data, content_type="image/png"))
    queue.put((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)


def _cleaned(image: Image.Image, fmt: str, **save) -> Image.Image:  # noqa: ANN003
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    upload = SimpleUploadedFile(f"a.{fmt.lower()}", buffer.getvalue())
    with Image.open(io.BytesIO(avatar_image_clean(upload).read())) as stored:
        return stored.convert("RGB")


def _close(actual, expected, tolerance: int = 12) -> bool:  # noqa: ANN001
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


@pytest.mark.django_db
def test_a_small_transparent_png_of_25_megapixels_is_not_copied_whole_again_and_again():
    # ~100 KB on the wire, 95 MB decoded: the decode is unavoidable (PNG has no reduced-size
    # decode), but converting all of it to sRGB on white cost four more copies (478 MB).
    data = _transparent_png(BOMB_SIDE)
    assert len(data) < 200_000
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_peak_growth_mb, args=(data, queue))
    child.start()
    child.join(120)

    growth_mb = queue.get(timeout=5)

    assert growth_mb < 2 * BOMB_DECODED_MB, f"one avatar grew the process by {growth_mb} MB"


@pytest.mark.django_db
def test_a_big_transparent_logo_comes_out_on_white_with_its_colours():
    logo = Image.new("RGBA", (2600, 2200), (0, 0, 0, 0))
    logo.paste((200, 30, 30, 255), (1000, 800, 1600, 1400))

    avatar = _cleaned(logo, "PNG")

    assert avatar.size == (512, 512)
    assert _close(avatar.getpixel((10, 10)), (255, 255, 255), tolerance=4)
    assert _close(avatar.getpixel((256, 256)), (200, 30, 30))
    # The square is the centre one: the red block (600 of 2200 rows) spans its middle.
    assert _close(avatar.getpixel((256, 150)), (255, 255, 255), tolerance=4)


@pytest.mark.django_db
def test_a_big_picture_keeps_its_camera_orientation():
    # 4400 x 2200 stored with the left half red, EXIF 6: shown 2200 x 4400, red on top.
    photo = Image.new("RGB", (4400, 2200), (20, 20, 200))
    photo.paste((200, 20, 20), (0, 0, 2200, 2200))
    exif = Image.Exif()
    exif[0x0112] = 6

    avatar = _cleaned(photo, "PNG", exif=exif.tobytes())

    top, bottom = avatar.getpixel((256, 20)), avatar.getpixel((256, 490))
    assert top[0] > 150 and top[2] < 80, top
    assert bottom[2] > 150 and bottom[0] < 80, bottom


@pytest.mark.django_db
def test_a_big_palette_gif_lays_its_transparent_colour_on_white():
    frame = Image.new("P", (2400, 2400), 0)
    frame.putpalette([0, 0, 0, 10, 120, 200] + [0] * 762)
    frame.paste(1, (800, 800, 1600, 1600))

    avatar = _cleaned(frame, "GIF", transparency=0)

    assert _close(avatar.getpixel((5, 5)), (255, 255, 255), tolerance=4)
    assert _close(avatar.getpixel((256, 256)), (10, 120, 200))
