"""Engagement reads: the video a viewer may act on, comment threads and their JSON shape."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from profiles.models import Block
from videos.engagement import comment_can_delete
from videos.models import Comment, Video
from videos.visibility import visible_videos

REPLY_PREVIEW_COUNT = 3


def video_for_viewer(*, video_id: int, viewer) -> Video:  # noqa: ANN001
    """The video if this viewer may see it (owners see their unready ones), else 404.

    Hidden and missing videos answer the same, so a private video's existence never leaks.
    """
    video = (
        visible_videos(viewer=viewer, include_own_unready=True)
        .select_related("owner")
        .filter(pk=video_id)
        .first()
    )
    if video is None:
        raise Http404("no such video")
    return video


def comment_for_viewer(*, comment_id: int, viewer) -> Comment:  # noqa: ANN001
    """A comment on a video this viewer may see, else 404."""
    comment = (
        Comment.objects.select_related("video", "video__owner", "author")
        .filter(
            pk=comment_id,
            video__in=visible_videos(viewer=viewer, include_own_unready=True).values("pk"),
        )
        .first()
    )
    if comment is None:
        raise Http404("no such comment")
    return comment


def hidden_author_ids(*, viewer) -> set[int]:  # noqa: ANN001
    """Users whose comments this viewer does not see: blocked by them, or blocking them."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    ids: set[int] = set()
    for blocker_id, blocked_id in Block.objects.filter(
        Q(blocker=viewer) | Q(blocked=viewer)
    ).values_list("blocker_id", "blocked_id"):
        ids.add(blocked_id if blocker_id == viewer.pk else blocker_id)
    return ids


def comments_top_level(*, video: Video, viewer) -> QuerySet[Comment]:  # noqa: ANN001
    """Top-level comments with their visible reply counts (ordering is the paginator's)."""
    hidden = hidden_author_ids(viewer=viewer)
    return (
        Comment.objects.filter(video=video, parent__isnull=True)
        .exclude(author_id__in=hidden)
        .select_related("author")
        .annotate(
            reply_count=Count("replies", filter=~Q(replies__author_id__in=hidden), distinct=True)
        )
    )


def comment_replies(*, video: Video, parent_id: int, viewer) -> QuerySet[Comment]:  # noqa: ANN001
    """Replies of one top-level comment on this video; 404 if there is no such comment."""
    if not Comment.objects.filter(pk=parent_id, video=video).exists():
        raise Http404("no such comment")
    hidden = hidden_author_ids(viewer=viewer)
    return (
        Comment.objects.filter(video=video, parent_id=parent_id)
        .exclude(author_id__in=hidden)
        .select_related("author")
    )


def _reply_previews(*, parent_ids: list[int], viewer) -> dict[int, list[Comment]]:  # noqa: ANN001
    """The first few replies (oldest first) of each parent, in one query."""
    if not parent_ids:
        return {}
    hidden = hidden_author_ids(viewer=viewer)
    replies = (
        Comment.objects.filter(parent_id__in=parent_ids)
        .exclude(author_id__in=hidden)
        .select_related("author")
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("parent_id")], order_by=[F("created_at"), F("id")]
            )
        )
        .filter(position__lte=REPLY_PREVIEW_COUNT)
        .order_by("parent_id", "created_at", "id")
    )
    previews: dict[int, list[Comment]] = defaultdict(list)
    for reply in replies:
        previews[reply.parent_id].append(reply)
    return previews


def _comment_json(*, comment: Comment, video: Video, viewer, replies: list) -> dict[str, Any]:  # noqa: ANN001
    author = comment.author
    comment.video = video  # comment_can_delete needs the owner; no extra query
    return {
        "id": comment.pk,
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
        "author": {
            "id": author.pk,
            "username": author.username,
            "display_name": author.display_name or author.username,
            "avatar_url": author.avatar.url if author.avatar else None,
        },
        "parent_id": comment.parent_id,
        "reply_count": getattr(comment, "reply_count", 0),
        "replies": replies,
        "can_delete": comment_can_delete(comment=comment, actor=viewer),
    }


def comments_json(
    *,
    comments: list[Comment],
    video: Video,
    viewer,
    with_replies: bool = True,  # noqa: ANN001
) -> list[dict[str, Any]]:
    """Serialise a page of comments; top-level ones carry a preview of their replies."""
    previews = (
        _reply_previews(parent_ids=[c.pk for c in comments if c.parent_id is None], viewer=viewer)
        if with_replies
        else {}
    )
    return [
        _comment_json(
            comment=comment,
            video=video,
            viewer=viewer,
            replies=[
                _comment_json(comment=reply, video=video, viewer=viewer, replies=[])
                for reply in previews.get(comment.pk, [])
            ],
        )
        for comment in comments
    ]
