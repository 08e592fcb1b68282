"""What a deleted account's engagement leaves behind on other people's videos and comments:
the public counters its rows were part of. The rows go by CASCADE (no service of ours runs),
so the counters are brought down before the delete, in its transaction."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Exists, OuterRef

from videos.models import Comment, CommentLike, Like, Save, Share, Video
from videos.services.counters import counters_subtract


def _per(queryset, key: str) -> Counter:  # noqa: ANN001
    """How many of these rows each `key` has, counted on the rows locked: a row another
    transaction is deleting (an unlike in flight) is waited for and, once gone, not counted.
    Counted unlocked, it was subtracted here and by the unlike's own -1: one like too few."""
    return Counter(queryset.select_for_update(of=("self",)).values_list(key, flat=True))


def account_engagement_release(*, user_id: int) -> None:
    """Subtract the account's likes, saves, comments (with the replies under them), comment
    likes, its shares and the shares sent to it (as far as they counted) from the counts of
    videos and comments that outlive it (its own videos and comments go with it)."""
    others_videos = Video.objects.exclude(owner_id=user_id).values("pk")
    # Every row counted is locked before any counter is touched: an unsave in flight holds its
    # row and then wants its video's row, which a like_count subtraction here would hold.
    likes = _per(Like.objects.filter(user_id=user_id, video__in=others_videos), "video_id")
    saves = _per(Save.objects.filter(user_id=user_id, video__in=others_videos), "video_id")
    comments = _per(Comment.objects.filter(author_id=user_id, video__in=others_videos), "video_id")
    comments += _per(
        Comment.objects.filter(parent__author_id=user_id, video__in=others_videos).exclude(
            author_id=user_id
        ),
        "video_id",
    )
    surviving_comments = Comment.objects.exclude(author_id=user_id).exclude(
        parent__author_id=user_id
    )
    comment_likes = _per(
        CommentLike.objects.filter(user_id=user_id, comment__in=surviving_comments.values("pk")),
        "comment_id",
    )
    counters_subtract(model=Video, field="like_count", amounts=likes)
    counters_subtract(model=Video, field="save_count", amounts=saves)
    counters_subtract(model=Video, field="comment_count", amounts=comments)
    # share_count counts each signed-in sharer once per video (anonymous shares never): a
    # sharer stops counting only when every share of theirs of the video went to this account.
    elsewhere = Share.objects.filter(
        user_id=OuterRef("user_id"), video_id=OuterRef("video_id")
    ).exclude(recipient_id=user_id)
    only_to_this_account = (
        Share.objects.filter(recipient_id=user_id, user__isnull=False, video__in=others_videos)
        .exclude(Exists(elsewhere))
        .values("video_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("video_id", "n")
    )
    counters_subtract(model=Video, field="share_count", amounts=Counter(dict(only_to_this_account)))
    # ...and the account itself stops counting as a sharer (its rows stay, anonymous).
    shared = Share.objects.filter(user_id=user_id, video__in=others_videos)
    counters_subtract(
        model=Video,
        field="share_count",
        amounts=Counter(shared.values_list("video_id", flat=True).distinct()),
    )
    counters_subtract(model=Comment, field="like_count", amounts=comment_likes)
