"""Sounds API: one sound, its play counter and favourites. (Uploading a sound file and a sound's
list of videos are in videos/apis/sounds.py: they use videos' upload handlers, cards and
visibility, and videos sit above sounds.)"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from sounds.selectors import favorite_sounds, sound_payload, sound_visible
from sounds.services import sound_favorite_add, sound_favorite_remove, sound_play_add
from tiktok.api.base import ApiView
from tiktok.api.pagination import NewestFirstCursorPagination
from tiktok.api.schema import PAGE
from tiktok.api.throttling import client_identity


class SoundDetailApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, sound_id: int) -> Response:
        sound = sound_visible(sound_id=sound_id, viewer=request.user)
        return Response(sound_payload(sound=sound, viewer=request.user))


class SoundPlayApi(ApiView):
    """POST /api/sounds/<id>/play: the sound page's player started. Anyone may count, once an
    hour per sound: an account, else a client address (as the rate limits tell clients apart:
    a client cannot pick its own by sending a new session id)."""

    permission_classes = [AllowAny]
    throttle_scope = "interactions"

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, sound_id: int) -> Response:
        sound = sound_visible(sound_id=sound_id, viewer=request.user)
        sound_play_add(sound=sound, listener=client_identity(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SoundFavoriteApi(ApiView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"  # a toggle like a like's, each a write of the sound's count

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, sound_id: int) -> Response:
        sound = sound_visible(sound_id=sound_id, viewer=request.user)
        sound_favorite_add(user=request.user, sound=sound)
        sound.refresh_from_db(fields=["favorite_count"])
        return Response({"favorited": True, "favorites": sound.favorite_count})

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, sound_id: int) -> Response:
        sound = sound_visible(sound_id=sound_id)
        sound_favorite_remove(user=request.user, sound=sound)
        sound.refresh_from_db(fields=["favorite_count"])
        return Response({"favorited": False, "favorites": sound.favorite_count})


class MeFavoriteSoundsApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        paginator = NewestFirstCursorPagination()
        page = paginator.paginate_queryset(favorite_sounds(user=request.user), request, view=self)
        return paginator.get_paginated_response(
            [
                sound_payload(sound=row.sound, viewer=None) | {"viewer": {"favorited": True}}
                for row in page
            ]
        )
