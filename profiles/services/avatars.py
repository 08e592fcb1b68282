"""Profile pictures: an uploaded photograph checked, then re-encoded as a square sRGB JPEG.

Re-encoding drops EXIF (location) and anything smuggled after the image data, so what is
served is only ever pixels. Before that, the pixels are turned into what the person saw on
their own screen: the EXIF orientation applied, the embedded colour profile converted to sRGB
(phones shoot Display P3, cameras Adobe RGB, print files are CMYK), 16-bit greyscale scaled
rather than clipped, and transparency laid on white (a JPEG has no alpha, and a logo's
transparent background would otherwise come out black).
"""

from __future__ import annotations

import io
import uuid
import warnings

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

AVATAR_SIDE_PIXELS = 512
AVATAR_JPEG_QUALITY = 88
# MPO is how Pillow names a JPEG carrying a second picture (phones' depth maps and HDR gain
# maps, 3D cameras): the first picture is an ordinary JPEG.
AVATAR_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "AVIF"}
FORMATS_NAMED = "JPEG, PNG, WebP, GIF or AVIF"
# ISO base media brands of HEIF stills (an iPhone's default "High Efficiency" photos), which
# Pillow cannot read: named in the error so the person knows what to do.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
WHITE = (255, 255, 255, 255)
SIXTEEN_BIT_GREY_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
ALPHA_MODES = {"RGBA", "LA", "PA", "La", "RGBa"}
# Rows of the shrunk square made per band of the source (see `_square_as_seen`).
SQUARE_BAND_OUTPUT_ROWS = 64
# Where Pillow finds a picture's EXIF orientation (JPEG/WebP/AVIF, PNG text chunk, XMP).
ORIENTATION_INFO_KEYS = ("exif", "Raw profile type exif", "XML:com.adobe.xmp", "xmp")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def avatar_image_clean(upload) -> ContentFile:  # noqa: ANN001 - an UploadedFile
    """Validate an uploaded image and re-encode it as a square sRGB JPEG; ValidationError
    naming the problem otherwise."""
    max_bytes = settings.MAX_AVATAR_BYTES
    if upload.size > max_bytes:
        raise ValidationError({"avatar": [f"image is larger than {max_bytes // (1024 * 1024)} MB"]})
    raw = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                image_format = probe.format
                width, height = probe.size
                probe.verify()
            if image_format not in AVATAR_FORMATS:
                raise ValidationError(
                    {"avatar": [f"use a {FORMATS_NAMED} image, not {image_format}"]}
                )
            max_pixels = settings.MAX_AVATAR_SOURCE_PIXELS
            if width * height > max_pixels:
                raise ValidationError(
                    {
                        "avatar": [
                            f"image is {width}x{height}; the limit is "
                            f"{max_pixels / 1_000_000:g} megapixels"
                        ]
                    }
                )
            with Image.open(io.BytesIO(raw)) as image:
                # JPEGs decode straight at a fraction of their size (DCT scaling): a 24 MP
                # photo costs a few MB, not 72, for a 512 px avatar.
                image.draft("RGB", (AVATAR_SIDE_PIXELS * 2, AVATAR_SIDE_PIXELS * 2))
                image.load()
                square = ImageOps.exif_transpose(_square_as_seen(image))
    except UnidentifiedImageError:
        if _is_heif(raw):
            raise ValidationError(
                {"avatar": [f"HEIC/HEIF photos are not supported: use a {FORMATS_NAMED} image"]}
            ) from None
        raise ValidationError({"avatar": ["not a valid image"]}) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError({"avatar": ["not a valid image"]}) from None
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        raise ValidationError({"avatar": ["not a valid image"]}) from exc
    side = min(AVATAR_SIDE_PIXELS, square.width)
    if square.width != side:
        square = square.resize((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=AVATAR_JPEG_QUALITY)
    return ContentFile(out.getvalue(), name=f"avatar-{uuid.uuid4().hex[:12]}.jpg")


def _square_as_seen(image: Image.Image) -> Image.Image:
    """The centre square of a decoded picture, as seen (`as_seen`), box-shrunk to no less
    than twice the avatar's side; it keeps the source's metadata (EXIF orientation).

    Only JPEG decodes small (`draft`): a 25 MP PNG, WebP or GIF is decoded whole, and turning
    all of it into sRGB on white would copy it four or five times (a 100 KB transparent PNG
    cost ~480 MB). So the work is done a band of rows at a time, each band shrunk as soon as
    it is seen. The square is the one `ImageOps.fit` would take after orientation: the centre
    square is the same pixels whichever way the picture is turned.
    """
    full_side = min(image.width, image.height)
    side = min(AVATAR_SIDE_PIXELS, full_side)
    factor = max(1, full_side // (2 * side))
    kept_side = full_side - full_side % factor
    left = (image.width - kept_side) // 2
    top = (image.height - kept_side) // 2
    square = Image.new("RGB", (kept_side // factor, kept_side // factor))
    rows = factor * SQUARE_BAND_OUTPUT_ROWS
    for y in range(0, kept_side, rows):
        band = image.crop((left, top + y, left + kept_side, top + min(y + rows, kept_side)))
        seen = as_seen(band)
        square.paste(seen.reduce(factor) if factor > 1 else seen, (0, y // factor))
    square.info = {key: image.info[key] for key in ORIENTATION_INFO_KEYS if key in image.info}
    return square


def as_seen(image: Image.Image) -> Image.Image:
    """8-bit sRGB RGB pixels as a viewer of the original saw them (see the module docstring)."""
    if image.mode in SIXTEEN_BIT_GREY_MODES:
        # 16-bit greyscale PNGs: 0..65535 to 0..255 (a plain convert clips everything above
        # 255 to white).
        levels = np.asarray(image)
        if levels.dtype != np.uint16:  # mode "I": 32-bit integers holding the same levels
            levels = np.clip(levels, 0, 65535)
        image = Image.fromarray((levels >> 8).astype(np.uint8))
    image = _to_srgb(image)
    if image.mode in ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, WHITE), rgba).convert("RGB")
    return image.convert("RGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply the embedded ICC profile (RGB or CMYK pictures whose profile matches them);
    unchanged when there is none, or it is unusable (then the pixels are read as sRGB, as a
    browser reading an unusable profile would)."""
    icc = image.info.get("icc_profile")
    wanted = {"RGB": "RGB", "RGBA": "RGB", "CMYK": "CMYK"}.get(image.mode)
    if not icc or wanted is None:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != wanted:
            return image
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _is_heif(raw: bytes) -> bool:
    """An ISO base media file (`ftyp` box first) whose major brand is a HEIF still's."""
    return raw[4:8] == b"ftyp" and raw[8:12] in HEIF_BRANDS
