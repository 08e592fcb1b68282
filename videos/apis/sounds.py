"""Sound endpoints that need videos: uploading an audio file as a sound (through videos' upload
handlers) and a sound's videos (visibility and cards are videos')."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from sounds.models import SoundKind
from sounds.selectors import sound_may_see, sound_payload, sound_visible
from sounds.services import MAX_TITLE_CHARS, sound_from_audio
from tiktok.api.base import ApiView
from tiktok.api.pagination import KeysetCursorPagination
from tiktok.api.schema import PAGE, query
from tiktok.errors import Forbidden, InvalidInput, TooLarge
from videos.cards import video_cards
from videos.selectors.sounds import sound_video_order, sound_videos
from videos.uploads import use_disk_upload_handlers


class SoundUploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    title = serializers.CharField(max_length=MAX_TITLE_CHARS)


class SoundUploadApi(ApiView):
    """POST /api/sounds: multipart `file` (audio, or a video whose audio becomes the sound) and
    `title` -> 201 with the new sound, or 200 with the existing sound the file is a copy of."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "uploads"

    def initial(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        use_disk_upload_handlers(request._request)
        super().initial(request, *args, **kwargs)

    @extend_schema(request=SoundUploadInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = SoundUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            if upload.size > settings.MAX_SOUND_UPLOAD_BYTES:
                limit_mb = settings.MAX_SOUND_UPLOAD_BYTES / (1024 * 1024)
                raise TooLarge(
                    f"the sound file is larger than the limit of {limit_mb:.0f} MB",
                    code="file_too_large",
                )
            try:
                path = Path(upload.temporary_file_path())
            except AttributeError:
                raise InvalidInput("upload was not stored on disk", code="upload_failed") from None
            sound, created = sound_from_audio(
                path=path,
                title=data.validated_data["title"],
                creator=request.user,
                kind=SoundKind.UPLOADED,
                # A copy of a sound this uploader may not see (a private account's, a
                # suspended or blocking creator's) becomes a sound of their own: answering
                # with it named who recorded the audio, and left them one they cannot use.
                reuse=lambda matched: (
                    matched.hidden_at is not None
                    or sound_may_see(sound_id=matched.pk, viewer=request.user)
                ),
            )
        finally:
            upload.close()
        if sound.hidden_at is not None:
            # A copy of a sound moderation removed: it stays removed.
            raise Forbidden("this audio was removed by moderation", code="sound_removed")
        body = sound_payload(sound=sound, viewer=request.user)
        body["matched_existing"] = not created
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SoundVideosApi(ApiView):
    """GET /api/sounds/<id>/videos?sort=popular|new: cards of the videos made with the sound
    that the viewer may watch, a cursor page at a time."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[query("sort", OpenApiTypes.STR, "the order: see docs/sounds.md"), *PAGE],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, sound_id: int) -> Response:
        order = sound_video_order(request.query_params.get("sort"))
        sound = sound_visible(sound_id=sound_id, viewer=request.user)
        paginator = KeysetCursorPagination(order, scope=f"sound:{sound.pk}")
        page = paginator.paginate_queryset(
            sound_videos(sound=sound, viewer=request.user), request, view=self
        )
        return paginator.get_paginated_response(video_cards(videos=page, viewer=request.user))
