"""Social-graph writes: follow, block, and profile edits (with a safe avatar re-encode)."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from PIL import Image, ImageOps, UnidentifiedImageError

from profiles.models import Block, Follow, User
from tiktok.api.errors import ApiError

DEFAULT_MAX_AVATAR_BYTES = 5 * 1024 * 1024
# Larger sources are refused before decoding (a small file can expand to gigabytes of pixels).
MAX_AVATAR_SOURCE_PIXELS = 40_000_000
AVATAR_SIDE_PIXELS = 512
AVATAR_JPEG_QUALITY = 88
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_DISPLAY_NAME_CHARS = 64
MAX_BIO_CHARS = 280


@dataclass(frozen=True)
class FollowResult:
    following: bool
    followers: int


def _followers(user: User) -> int:
    return Follow.objects.filter(followee=user).count()


def _blocked_either_way(a: User, b: User) -> bool:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def follow_create(*, follower: User, followee: User) -> FollowResult:
    """Follow a creator; following twice is a no-op."""
    if follower.pk == followee.pk:
        raise ApiError("you cannot follow yourself", code="cannot_follow_self", status_code=400)
    if _blocked_either_way(follower, followee):
        raise ApiError("you cannot follow this account", code="blocked", status_code=403)
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(follower=follower, followee=followee)
    except IntegrityError:  # a racing duplicate follow: the row exists, which is the goal
        pass
    return FollowResult(following=True, followers=_followers(followee))


def follow_delete(*, follower: User, followee: User) -> FollowResult:
    """Unfollow; unfollowing someone not followed is a no-op."""
    Follow.objects.filter(follower=follower, followee=followee).delete()
    return FollowResult(following=False, followers=_followers(followee))


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> bool:
    """Block a user: their videos and comments vanish for the blocker (and the blocker's for
    them, see videos.visibility), and follows both ways are removed."""
    if blocker.pk == blocked.pk:
        raise ApiError("you cannot block yourself", code="cannot_block_self", status_code=400)
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    Follow.objects.filter(
        Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
    ).delete()
    return True


def block_delete(*, blocker: User, blocked: User) -> bool:
    """Unblock; follows removed by the block are not restored."""
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return False


def avatar_image_clean(upload) -> ContentFile:  # noqa: ANN001 - an UploadedFile
    """Validate an uploaded image and re-encode it as a square JPEG.

    Re-encoding drops EXIF (location) and anything smuggled after the image data, so what is
    served is only ever pixels.
    """
    max_bytes = getattr(settings, "MAX_AVATAR_BYTES", DEFAULT_MAX_AVATAR_BYTES)
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
                    {"avatar": [f"use a JPEG, PNG, WebP or GIF image, not {image_format}"]}
                )
            if width * height > MAX_AVATAR_SOURCE_PIXELS:
                raise ValidationError({"avatar": ["image has too many pixels"]})
            with Image.open(io.BytesIO(raw)) as image:
                image.load()
                image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError({"avatar": ["not a valid image"]}) from None
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        raise ValidationError({"avatar": ["not a valid image"]}) from exc
    side = min(AVATAR_SIDE_PIXELS, image.width, image.height)
    square = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=AVATAR_JPEG_QUALITY)
    return ContentFile(out.getvalue(), name=f"avatar-{uuid.uuid4().hex[:12]}.jpg")


_UNSET = object()


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    avatar=_UNSET,  # noqa: ANN001 - an UploadedFile, None to remove, unset to keep
) -> User:
    """Edit the profile fields that were given; text is stored as typed (plain text)."""
    errors: dict[str, list[str]] = {}
    if display_name is not None:
        display_name = display_name.strip()
        if len(display_name) > MAX_DISPLAY_NAME_CHARS:
            errors["display_name"] = [
                f"display name is longer than {MAX_DISPLAY_NAME_CHARS} characters"
            ]
        user.display_name = display_name
    if bio is not None:
        bio = bio.strip()
        if len(bio) > MAX_BIO_CHARS:
            errors["bio"] = [f"bio is longer than {MAX_BIO_CHARS} characters"]
        user.bio = bio
    if errors:
        raise ValidationError(errors)

    old_avatar_name = user.avatar.name if user.avatar else ""
    if avatar is not _UNSET:
        if avatar is None:
            user.avatar = None
        else:
            cleaned = avatar_image_clean(avatar)
            user.avatar.save(cleaned.name, cleaned, save=False)
    user.save()
    if avatar is not _UNSET and old_avatar_name and old_avatar_name != (user.avatar.name or ""):
        storage = user.avatar.storage
        name = old_avatar_name
        transaction.on_commit(lambda: storage.delete(name))
    return user
