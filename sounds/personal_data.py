"""What the sounds app stores about a person, for their data archive: the sounds they made
(their videos' original sounds and uploaded audio) and their favourite sounds."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sounds.models import Sound, SoundFavorite
from tiktok.personal_data import Section, records


def _made(user: Any) -> QuerySet[Sound]:
    return Sound.objects.filter(creator=user).order_by("created_at", "pk")


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "sounds",
            "the sounds you made (your videos' original sounds, audio you uploaded); their "
            "audio under media/sounds/<id>.m4a",
            records(
                _made(user),
                id="pk",
                title="title",
                kind="kind",
                duration_ms="duration_ms",
                hidden_by_moderation_at="hidden_at",
                at="created_at",
            ),
            files=(
                (f"media/sounds/{pk}.m4a", audio)
                for pk, audio in _made(user).exclude(audio="").values_list("pk", "audio")
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
