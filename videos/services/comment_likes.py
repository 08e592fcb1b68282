"""Likes on comments: one row per (user, comment) and a race-free `Comment.like_count`."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from videos.models import Comment, CommentLike
from videos.services.engagement import ToggleResult


def _comment_like_count_add(*, comment: Comment, delta: int) -> int:
    """Add delta to the comment's like counter in SQL (no lost updates, clamped at zero)."""
    queryset = Comment.objects.filter(pk=comment.pk)
    queryset.update(like_count=Greatest(F("like_count") + delta, Value(0)))
    value = queryset.values_list("like_count", flat=True).first() or 0
    comment.like_count = value
    return value


def _comment_like_count(comment: Comment) -> int:
    return Comment.objects.filter(pk=comment.pk).values_list("like_count", flat=True).first() or 0


@transaction.atomic
def comment_like_create(*, user, comment: Comment) -> ToggleResult:  # noqa: ANN001
    """Like a comment; liking it twice is a no-op (one row, one count). Racing likes by the
    same user create one row (get_or_create on the unique pair) and only the winner counts."""
    _, created = CommentLike.objects.get_or_create(user=user, comment=comment)
    count = (
        _comment_like_count_add(comment=comment, delta=1)
        if created
        else _comment_like_count(comment)
    )
    return ToggleResult(active=True, count=count, changed=created)


@transaction.atomic
def comment_like_delete(*, user, comment: Comment) -> ToggleResult:  # noqa: ANN001
    """Remove a like from a comment; unliking one not liked is a no-op."""
    deleted, _ = CommentLike.objects.filter(user=user, comment=comment).delete()
    count = (
        _comment_like_count_add(comment=comment, delta=-1)
        if deleted
        else _comment_like_count(comment)
    )
    return ToggleResult(active=False, count=count, changed=bool(deleted))
