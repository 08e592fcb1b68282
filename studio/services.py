"""Studio writes outside the rollups: the follow log."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from studio.models import FollowChange


def follow_change_record(*, follower: Any, followee: Any, delta: int) -> FollowChange:
    """Append one follow start (+1) or end (-1) to the log."""
    return FollowChange.objects.create(
        follower_id=follower.pk, followee_id=followee.pk, delta=delta, created_at=timezone.now()
    )
