"""What the discover app stores about a person, for their data archive: the challenges they
started, their videos' entries in challenges and the entries they counted for."""

from __future__ import annotations

from typing import Any

from discover.models import Challenge, ChallengeEntry, ChallengeVote
from tiktok.personal_data import Section, records


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "challenges",
            "the challenges you started",
            records(
                Challenge.objects.filter(creator=user).order_by("created_at", "pk"),
                id="pk",
                title="title",
                rules="rules",
                hashtag="hashtag__name",
                starts_at="starts_at",
                ends_at="ends_at",
                created_at="created_at",
            ),
        ),
        Section(
            "challenge_entries",
            "your videos' entries in challenges, with their likes, shares and completions",
            records(
                ChallengeEntry.objects.filter(video__owner=user).order_by("joined_at", "pk"),
                challenge_id="challenge_id",
                challenge="challenge__title",
                video_id="video_id",
                likes="likes",
                shares="shares",
                completions="completions",
                joined_at="joined_at",
            ),
        ),
        Section(
            "challenge_votes",
            "the challenge entries your like, share or finish counted for",
            records(
                ChallengeVote.objects.filter(user=user).order_by("created_at", "pk"),
                challenge_id="entry__challenge_id",
                video_id="entry__video_id",
                kind="kind",
                at="created_at",
            ),
        ),
    ]
