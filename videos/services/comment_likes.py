"""Likes on comments: one row per (user, comment) and a race-free `Comment.like_count`."""

from __future__ import annotations

from django.db import transaction

from videos.models import Comment, CommentLike
from videos.services.counters import counter_add, counter_value
from videos.services.engagement import ToggleResult


@transaction.atomic
def comment_like_create(*, user, comment: Comment) -> ToggleResult:  # noqa: ANN001
    """Like a comment; liking it twice is a no-op (one row, one count). Racing likes by the
    same user create one row (get_or_create on the unique pair) and only the winner counts."""
    _, created = CommentLike.objects.get_or_create(user=user, comment=comment)
    count = (
        counter_add(row=comment, field="like_count", delta=1)
        if created
        else counter_value(row=comment, field="like_count")
    )
    return ToggleResult(active=True, count=count, changed=created)


@transaction.atomic
def comment_like_delete(*, user, comment: Comment) -> ToggleResult:  # noqa: ANN001
    """Remove a like from a comment; unliking one not liked is a no-op."""
    deleted, _ = CommentLike.objects.filter(user=user, comment=comment).delete()
    count = (
        counter_add(row=comment, field="like_count", delta=-1)
        if deleted
        else counter_value(row=comment, field="like_count")
    )
    return ToggleResult(active=False, count=count, changed=bool(deleted))
