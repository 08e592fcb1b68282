"""What the feed app stores about a person, for their data archive: what they watched and did
with each video (the interaction log) and the videos they marked not interested."""

from __future__ import annotations

from typing import Any

from feed.models import HiddenVideo, Interaction
from tiktok.personal_data import Section, records


def personal_data(user: Any) -> list[Section]:
    # The taste vectors (feed.TasteProfile) are not exported: numbers that mean something only
    # to the feed, derived from the watch history below, which is.
    return [
        Section(
            "watch_history",
            "every event your app sent while you watched: video, what happened (play, pause, "
            "finish, skip, ...), milliseconds watched, where the video was shown",
            records(
                Interaction.objects.filter(user=user).order_by("created_at", "id"),
                video_id="video_id",
                event="type",
                watched_ms="watch_ms",
                shown_in="traffic_source",
                position_in_page="position",
                session="session_id",
                at="created_at",
                device_time="client_ts",
            ),
        ),
        Section(
            "not_interested",
            "the videos you marked not interested (never shown to you again)",
            records(
                HiddenVideo.objects.filter(user=user).order_by("created_at", "pk"),
                video_id="video_id",
                at="created_at",
            ),
        ),
    ]
