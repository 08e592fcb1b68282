"""Engagement reads: the video a viewer may act on, comment threads and their JSON shape."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from profiles.selectors import hidden_user_ids
from profiles.viewers import is_signed_in, viewer_id
from tiktok.errors import NotFound
from videos.models import Comment, CommentLike, Video
from videos.visibility import visible_videos

REPLY_PREVIEW_COUNT = 3


def _shown(viewer, prefix: str = "") -> Q:  # noqa: ANN001
    """Comments moderation has not hidden, by accounts not suspended, and the viewer's own
    (their author still sees a comment hidden pending review). A suspended account's comments
    are out everywhere while it is, and back when it is reinstated."""
    shown = Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}author__is_active": True})
    user_id = viewer_id(viewer)
    if user_id is not None:
        shown |= Q(**{f"{prefix}author_id": user_id})
    return shown


def comment_for_viewer(*, comment_id: int, viewer) -> Comment:  # noqa: ANN001
    """A comment on a video this viewer may see, not hidden by moderation (unless it is the
    viewer's own), else 404."""
    comment = (
        Comment.objects.select_related("video", "video__owner", "author")
        .filter(
            _shown(viewer),
            pk=comment_id,
            video__in=visible_videos(viewer=viewer, include_own_unready=True).values("pk"),
        )
        .first()
    )
    if comment is None:
        raise NotFound("no such comment")
    return comment


def comment_readable_for_viewer(*, comment_id: int, viewer) -> Comment:  # noqa: ANN001
    """A comment this viewer can read in its thread, else 404: on a video they may see, and
    neither it nor the comment it replies to written by someone blocked either way or hidden by
    moderation (lists leave those out, with their replies)."""
    comment = comment_for_viewer(comment_id=comment_id, viewer=viewer)
    parent = (
        Comment.objects.filter(pk=comment.parent_id)
        .values("author_id", "hidden_at", "author__is_active")
        .first()
        if comment.parent_id
        else None
    )
    hidden = hidden_user_ids(viewer=viewer)
    if comment.author_id in hidden or (parent and parent["author_id"] in hidden):
        raise NotFound("no such comment")
    if (
        parent
        and (parent["hidden_at"] is not None or not parent["author__is_active"])
        and parent["author_id"] != viewer_id(viewer)
    ):
        raise NotFound("no such comment")
    return comment


def comments_liked_by(*, comment_ids: list[int], viewer) -> set[int]:  # noqa: ANN001
    """Which of these comments the viewer liked (one query; none for anonymous viewers)."""
    user_id = viewer_id(viewer)
    if user_id is None or not comment_ids:
        return set()
    return set(
        CommentLike.objects.filter(user_id=user_id, comment_id__in=comment_ids).values_list(
            "comment_id", flat=True
        )
    )


def comment_can_delete(*, comment: Comment, actor) -> bool:  # noqa: ANN001
    """The author and the video's owner may delete a comment."""
    if not is_signed_in(actor):
        return False
    return actor.pk in (comment.author_id, comment.video.owner_id)


def comments_top_level(*, video: Video, viewer) -> QuerySet[Comment]:  # noqa: ANN001
    """Top-level comments with their visible reply counts (ordering is the paginator's). Each
    count is a subquery on one comment's replies, computed for the page's rows only: grouped
    over every comment of the video (and a scan of the whole comments table) before the page's
    limit, the first page of a video with 100,000 comments took 160 ms."""
    hidden = hidden_user_ids(viewer=viewer)
    replies = (
        Comment.objects.filter(_shown(viewer), parent_id=OuterRef("pk"))
        .exclude(author_id__in=hidden)
        .order_by()
        .values("parent_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Comment.objects.filter(_shown(viewer), video=video, parent__isnull=True)
        .exclude(author_id__in=hidden)
        .select_related("author")
        .annotate(reply_count=Coalesce(Subquery(replies), 0))
    )


def comment_replies(*, video: Video, parent_id: int, viewer) -> QuerySet[Comment]:  # noqa: ANN001
    """Replies of one top-level comment on this video; 404 if there is no such comment."""
    hidden = hidden_user_ids(viewer=viewer)
    parent = Comment.objects.filter(_shown(viewer), pk=parent_id, video=video).exclude(
        author_id__in=hidden
    )
    if not parent.exists():
        raise NotFound("no such comment")
    return (
        Comment.objects.filter(_shown(viewer), video=video, parent_id=parent_id)
        .exclude(author_id__in=hidden)
        .select_related("author")
    )


def _reply_previews(*, parent_ids: list[int], viewer) -> dict[int, list[Comment]]:  # noqa: ANN001
    """The first few replies (oldest first) of each parent, in one query."""
    if not parent_ids:
        return {}
    hidden = hidden_user_ids(viewer=viewer)
    replies = (
        Comment.objects.filter(_shown(viewer), parent_id__in=parent_ids)
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


def _comment_json(
    *,
    comment: Comment,
    video: Video,
    viewer,  # noqa: ANN001
    replies: list,
    liked: set[int],
) -> dict[str, Any]:
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
        "like_count": comment.like_count,
        "viewer_liked": comment.pk in liked,
    }


def comments_json(
    *,
    comments: list[Comment],
    video: Video,
    viewer,
    with_replies: bool = True,  # noqa: ANN001
) -> list[dict[str, Any]]:
    """Serialise a page of comments; top-level ones carry a preview of their replies. Whether
    the viewer liked each comment (page and previews) is read in one query."""
    previews = (
        _reply_previews(parent_ids=[c.pk for c in comments if c.parent_id is None], viewer=viewer)
        if with_replies
        else {}
    )
    every_id = [c.pk for c in comments] + [r.pk for rs in previews.values() for r in rs]
    liked = comments_liked_by(comment_ids=every_id, viewer=viewer)
    return [
        _comment_json(
            comment=comment,
            video=video,
            viewer=viewer,
            liked=liked,
            replies=[
                _comment_json(comment=reply, video=video, viewer=viewer, replies=[], liked=liked)
                for reply in previews.get(comment.pk, [])
            ],
        )
        for comment in comments
    ]
