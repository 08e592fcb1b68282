"""Who may see which video: the one definition every feed, page and API uses."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from profiles.models import Block, Follow
from videos.models import Privacy, Video, VideoStatus


def visible_videos(*, viewer=None, include_own_unready: bool = False) -> QuerySet[Video]:  # noqa: ANN001
    """Ready videos the viewer may watch: public ones, followers-only ones of creators the viewer
    follows, and the viewer's own; never videos of creators who blocked the viewer or whom the
    viewer blocked. With include_own_unready the viewer also sees their own processing or failed
    videos (their profile, the upload page)."""
    queryset = Video.objects.all()
    if viewer is None or isinstance(viewer, AnonymousUser) or not viewer.is_authenticated:
        return queryset.filter(status=VideoStatus.READY, privacy=Privacy.PUBLIC)

    follows_owner = Follow.objects.filter(follower=viewer, followee=OuterRef("owner"))
    blocked = Block.objects.filter(
        Q(blocker=viewer, blocked=OuterRef("owner")) | Q(blocker=OuterRef("owner"), blocked=viewer)
    )
    readable = (
        Q(privacy=Privacy.PUBLIC)
        | Q(owner=viewer)
        | (Q(privacy=Privacy.FOLLOWERS) & Exists(follows_owner))
    )
    ready = Q(status=VideoStatus.READY)
    if include_own_unready:
        ready |= Q(owner=viewer)
    return queryset.filter(ready & readable).exclude(Exists(blocked))


def video_visible_to(*, video: Video, viewer=None) -> bool:  # noqa: ANN001
    return visible_videos(viewer=viewer, include_own_unready=True).filter(pk=video.pk).exists()
