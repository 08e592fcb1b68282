"""What the studio app stores about a person, for their data archive: the log of their follows
starting and ending (the follow rows themselves go when a follow ends)."""

from __future__ import annotations

from typing import Any

from studio.models import FollowChange
from tiktok.personal_data import Section, records


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "follow_history",
            "every follow of yours that started (+1) or ended (-1), and when",
            records(
                FollowChange.objects.filter(follower=user).order_by("created_at", "pk"),
                username="followee__username",
                change="delta",
                at="created_at",
            ),
        ),
    ]
