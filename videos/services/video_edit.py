"""The owner edits a video after upload: its caption and who may see it.

Cards, search's caption fallback and tag pages read the caption column, so an edit shows
everywhere at once; the caption's hashtags are synced in the same transaction. The video's
vector (embedded from frames, speech and the caption at publish time) is kept: re-running the
pipeline for a caption edit costs more than it gains.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from tiktok.errors import Forbidden
from tiktok.plain_text import plain_text_clean
from videos.events import caption_edited_announce, video_published_announce
from videos.models import Privacy, Video, VideoStatus
from videos.services.hashtags import video_hashtags_sync
from videos.services.videos import MAX_CAPTION_CHARS


def video_caption_clean(caption: str) -> str:
    """The caption as stored: stripped, at most MAX_CAPTION_CHARS, no NUL (as on upload)."""
    return plain_text_clean(caption, field="caption", what="caption", max_chars=MAX_CAPTION_CHARS)


def video_update(
    *,
    video: Video,
    actor,  # noqa: ANN001
    caption: str | None = None,
    privacy: str | None = None,
) -> Video:
    """Change the caption and/or privacy of the actor's own video (None leaves a field as it
    is). A ready video made public is announced as published again, so the feed's fresh lists
    take it in within seconds (every feed read filters by visibility, so narrowing needs no
    announcement)."""
    if video.owner_id != getattr(actor, "pk", None):
        raise Forbidden("only the owner can edit a video", code="not_owner")
    changes: dict[str, str] = {}
    if caption is not None:
        changes["caption"] = video_caption_clean(caption)
    if privacy is not None:
        if privacy not in Privacy.values:
            raise ValidationError(
                {"privacy": [f"privacy must be one of {', '.join(Privacy.values)}"]}
            )
        changes["privacy"] = privacy
    changes = {name: value for name, value in changes.items() if getattr(video, name) != value}
    if not changes:
        return video
    with transaction.atomic():
        Video.objects.filter(pk=video.pk).update(**changes)
        for name, value in changes.items():
            setattr(video, name, value)
        video_edit_propagate(video=video, changed=changes.keys())
    return video


def video_edit_propagate(*, video: Video, changed: Iterable[str]) -> None:
    """What an edit of these fields of a saved video sets off, inside the edit's transaction:
    a new caption's hashtags synced, and on commit the caption edit announced (search
    documents, Discover) and a ready video given an audience (made public, or followers-only
    from private) announced as published: its followers and the people its caption mentions
    are told then, once. The owner's edit and the admin's change form both end here."""
    changed = set(changed)
    if "caption" in changed:
        video_hashtags_sync(video=video)
    if (
        "privacy" in changed
        and video.privacy != Privacy.PRIVATE
        and video.status == VideoStatus.READY
    ):
        video_id = video.pk
        transaction.on_commit(lambda: video_published_announce(video_id=video_id), robust=True)
    if "caption" in changed:
        edited_id = video.pk
        transaction.on_commit(lambda: caption_edited_announce(video_id=edited_id), robust=True)
