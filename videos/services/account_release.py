"""What a deleted account's engagement leaves behind on other people's videos and comments:
the public counters its rows were part of. The rows go by CASCADE (no service of ours runs),
so the counters are brought down before the delete, in its transaction."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, F, Model, Value
from django.db.models.functions import Greatest

from videos.models import Comment, CommentLike, Like, Save, Share, Video


def _per(queryset, key: str) -> Counter:  # noqa: ANN001
    return Counter(dict(queryset.values_list(key).annotate(n=Count("id")).values_list(key, "n")))


def _subtract(model: type[Model], field: str, amounts: Counter) -> None:
    for pk, amount in amounts.items():
        model.objects.filter(pk=pk).update(**{field: Greatest(F(field) - amount, Value(0))})


def account_engagement_release(*, user_id: int) -> None:
    """Subtract the account's likes, saves, comments (with the replies under them), comment
    likes and the shares sent to it from the counts of videos and comments that outlive it
    (its own videos and comments go with it)."""
    others_videos = Video.objects.exclude(owner_id=user_id).values("pk")
    _subtract(
        Video,
        "like_count",
        _per(Like.objects.filter(user_id=user_id, video__in=others_videos), "video_id"),
    )
    _subtract(
        Video,
        "save_count",
        _per(Save.objects.filter(user_id=user_id, video__in=others_videos), "video_id"),
    )
    comments = _per(Comment.objects.filter(author_id=user_id, video__in=others_videos), "video_id")
    comments += _per(
        Comment.objects.filter(parent__author_id=user_id, video__in=others_videos).exclude(
            author_id=user_id
        ),
        "video_id",
    )
    _subtract(Video, "comment_count", comments)
    # Shares by anonymous visitors were never counted; shares sent to this account were.
    _subtract(
        Video,
        "share_count",
        _per(
            Share.objects.filter(recipient_id=user_id, user__isnull=False, video__in=others_videos),
            "video_id",
        ),
    )
    surviving_comments = Comment.objects.exclude(author_id=user_id).exclude(
        parent__author_id=user_id
    )
    _subtract(
        Comment,
        "like_count",
        _per(
            CommentLike.objects.filter(
                user_id=user_id, comment__in=surviving_comments.values("pk")
            ),
            "comment_id",
        ),
    )
