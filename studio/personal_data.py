"""What the studio app stores about a person, for their data archive: the log of their follows
starting and ending (the follow rows themselves go when a follow ends)."""

from __future__ import annotations

from typing import Any

from profiles.selectors import hidden_user_ids
from studio.models import FollowChange
from tiktok.personal_data import Section, name_unless_hidden, records


def personal_data(user: Any) -> list[Section]:
    hidden = hidden_user_ids(viewer=user)
    followee = name_unless_hidden(account="followee_id", name="followee__username", hidden=hidden)
    return [
        Section(
            "follow_history",
            "every follow of yours that started (+1) or ended (-1), and when (no name for an "
            "account blocked either way since)",
            records(
                FollowChange.objects.filter(follower=user)
                .annotate(followee_named=followee)
                .order_by("created_at", "pk"),
                username="followee_named",
                change="delta",
                at="created_at",
            ),
        ),
    ]
