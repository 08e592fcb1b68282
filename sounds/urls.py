"""Sounds API routes (mounted under /api/)."""

from django.urls import path

from sounds.apis import MeFavoriteSoundsApi, SoundDetailApi, SoundFavoriteApi, SoundPlayApi

urlpatterns = [
    path("sounds/<int:sound_id>", SoundDetailApi.as_view(), name="sound-detail"),
    path("sounds/<int:sound_id>/play", SoundPlayApi.as_view(), name="sound-play"),
    path("sounds/<int:sound_id>/favorite", SoundFavoriteApi.as_view(), name="sound-favorite"),
    path("me/favorite-sounds", MeFavoriteSoundsApi.as_view(), name="me-favorite-sounds"),
]
