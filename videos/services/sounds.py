"""A video's sound: the one its creator chose at upload ("use this sound"), or its own original
sound, made (or recognised as a copy of an existing sound) once the pipeline transcoded it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sounds.models import Sound, SoundKind
from sounds.selectors import sound_visible
from sounds.services import sound_from_audio, sound_original_release
from tiktok.errors import InvalidInput
from videos.models import Privacy, Video, VideoStatus

logger = logging.getLogger(__name__)


def sound_choice_check(
    *, sound_id: int | None, sound_volume: float | None, uploader: Any = None
) -> Sound | None:
    """The sound an upload chose (NotFound when it does not exist, is hidden, or its creator
    and the uploader are blocked either way), with its volume checked (0..1, the video's own
    audio under the sound)."""
    if sound_id is None:
        if sound_volume is not None:
            raise InvalidInput("sound_volume needs a sound", code="sound_volume_without_sound")
        return None
    if sound_volume is not None and not 0.0 <= sound_volume <= 1.0:
        raise InvalidInput("sound_volume must be between 0 and 1", code="invalid_sound_volume")
    return sound_visible(sound_id=sound_id, viewer=uploader)


def original_sound_title(video: Video) -> str:
    return f"original sound - {video.owner.username}"


def _may_be_shared(sound: Sound) -> bool:
    """Whether another account's video may take this sound (once public, it makes the sound's
    page public): not one whose creator's account is private, suspended or closed, nor an
    original sound whose creator keeps every video made with it from the public (a private
    account's voice stays theirs; a video moderation hid or that failed does not count). One
    whose first video is still being processed may; a sound moderation removed is taken, so it
    stays removed."""
    if sound.hidden_at is not None or sound.creator_id is None:
        return True
    creator = sound.creator
    if creator.is_private or not creator.is_active or creator.suspended_at is not None:
        return False
    if sound.kind != SoundKind.ORIGINAL:
        return True
    return (
        Video.objects.filter(
            sound=sound, owner=creator, privacy=Privacy.PUBLIC, hidden_at__isnull=True
        )
        .exclude(status=VideoStatus.FAILED)
        .exists()
    )


def video_original_sound_link(*, video: Video, media_path: Path) -> Sound | None:
    """Give a transcoded video with audio its sound: the existing sound its audio is a copy of,
    else (for a public video of a public account) a new original sound. Nothing happens when
    the video already has a sound (re-runs, or a sound its creator chose)."""
    if video.sound_id is not None or video.sound_volume is not None:
        return None
    shareable = video.privacy == Privacy.PUBLIC and not video.owner.is_private
    sound, created = sound_from_audio(
        path=media_path,
        title=original_sound_title(video),
        creator=video.owner,
        kind=SoundKind.ORIGINAL,
        create=shareable,
        # A video linked to a sound nobody may hear (a private account's voice) would make its
        # page public again, naming that account, once public: a private video too, as it may
        # be made public later. A public one gets an original of its own, a private one none.
        reuse=lambda matched: matched.creator_id == video.owner_id or _may_be_shared(matched),
    )
    if sound is None:
        return None
    # Sound.use_count follows by trigger (migration videos/0013_public_counts), once public.
    if not Video.objects.filter(pk=video.pk, sound__isnull=True).update(sound=sound):
        # Deleted meanwhile (or given a sound): an original made from its audio goes now, as
        # it would have with the video (its creator's voice, stored and matched for good).
        if created:
            sound_original_release(sound_id=sound.pk)
        return None
    video.sound = sound
    logger.info(
        "video %s %s sound %s", video.pk, "made original" if created else "matched", sound.pk
    )
    return sound
