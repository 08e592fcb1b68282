"""What the sounds app stores about a person, for their data archive: the sounds they made
(their videos' original sounds and uploaded audio) and their favourite sounds."""

from __future__ import annotations

from typing import Any

from sounds.models import Sound, SoundFavorite
from tiktok.personal_data import Section, records


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "sounds",
            "the sounds you made (your videos' original sounds, audio you uploaded)",
            records(
                Sound.objects.filter(creator=user).order_by("created_at", "pk"),
                id="pk",
                title="title",
                kind="kind",
                duration_ms="duration_ms",
                at="created_at",
            ),
        ),
        Section(
            "favorite_sounds",
            "the sounds you added to your favourites",
            records(
                SoundFavorite.objects.filter(user=user).order_by("created_at", "pk"),
                sound_id="sound_id",
                title="sound__title",
                at="created_at",
            ),
        ),
    ]
