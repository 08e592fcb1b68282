"""Videos API: upload, detail, delete, captions."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tiktok.api.errors import error_body
from tiktok.errors import Forbidden, InvalidInput, NotFound, UnsupportedMedia
from videos.captions import webvtt
from videos.media.probe import MediaRejected
from videos.models import VideoStatus
from videos.pipeline.local import pipeline_interrupted
from videos.selectors.videos import video_detail, video_for_viewer
from videos.serializers import VideoUpdateSerializer, VideoUploadSerializer
from videos.services.captions import video_captions_update
from videos.services.sounds import sound_choice_check
from videos.services.video_edit import video_update
from videos.services.videos import video_create_from_path, video_delete
from videos.tasks import pipeline_enqueue
from videos.uploads import upload_too_large, use_disk_upload_handlers

# Problems with the file's limits are 400; files that are not video at all are 415.
LIMIT_CODES = {"too_long", "resolution_too_large"}


class VideoUploadApi(APIView):
    """POST /api/videos: multipart `file`, `caption`, `privacy`, optional `sound` (a sound's id:
    its audio replaces the video's) and `sound_volume` (0..1, the video's own audio kept under
    the sound) -> 201 {id, status}.

    A second upload of the same bytes by the same user is 409 with the existing video's id;
    when that video's processing failed or was cut short, it is processed again instead: 202
    {id, status, retried: true}.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "uploads"

    def initial(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        use_disk_upload_handlers(request._request)
        super().initial(request, *args, **kwargs)

    @extend_schema(request=VideoUploadSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):  # noqa: ANN001
        serializer = VideoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise upload_too_large()
        sound = sound_choice_check(
            sound_id=serializer.validated_data["sound"],
            sound_volume=serializer.validated_data["sound_volume"],
            uploader=request.user,
        )
        try:
            try:
                path = Path(upload.temporary_file_path())
            except AttributeError:
                raise InvalidInput("upload was not stored on disk", code="upload_failed") from None
            video, created = video_create_from_path(
                owner=request.user,
                path=path,
                caption=serializer.validated_data["caption"],
                privacy=serializer.validated_data["privacy"],
                original_filename=upload.name,
                sound=sound,
                sound_volume=serializer.validated_data["sound_volume"],
            )
        except MediaRejected as exc:
            kind = InvalidInput if exc.code in LIMIT_CODES else UnsupportedMedia
            raise kind(str(exc), code=exc.code) from exc
        finally:
            upload.close()
        if not created and (video.status == VideoStatus.FAILED or pipeline_interrupted(video)):
            # The same file again after its processing failed or was cut short: try again (once,
            # however many requests find it so at the same moment).
            pipeline_enqueue(video=video, claim=True)
            video.refresh_from_db(fields=["status"])
            return Response(
                {"id": video.pk, "status": video.status, "retried": True},
                status=status.HTTP_202_ACCEPTED,
            )
        if not created:
            body = error_body("duplicate_upload", "you already uploaded this video")
            return Response(
                {**body, "id": video.pk, "status": video.status}, status=status.HTTP_409_CONFLICT
            )
        # Claimed: a second request with the same file that found it meanwhile starts none.
        pipeline_enqueue(video=video, claim=True)
        video.refresh_from_db(fields=["status"])
        return Response({"id": video.pk, "status": video.status}, status=status.HTTP_201_CREATED)


class VideoDetailApi(APIView):
    """GET /api/videos/<id> (card + transcript + steps); PATCH (caption, privacy) and DELETE by
    the owner (others get 404 if they cannot see the video, else 403)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @property
    def throttle_scope(self) -> str | None:
        """Edits have a rate of their own: each stores the caption's hashtags (new names are
        kept for good), re-tags the video and rebuilds its search document."""
        request = getattr(self, "request", None)  # none when the schema is generated
        return "video_edits" if request is not None and request.method == "PATCH" else None

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):  # noqa: ANN001
        video = video_for_viewer(video_id=pk, viewer=request.user)
        return Response(video_detail(video=video, viewer=request.user))

    @extend_schema(request=VideoUpdateSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):  # noqa: ANN001
        video = video_for_viewer(video_id=pk, viewer=request.user)
        if video.owner_id != request.user.pk:
            raise Forbidden("only the owner can edit a video", code="not_owner")
        data = VideoUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        video = video_update(video=video, actor=request.user, **data.validated_data)
        return Response(video_detail(video=video, viewer=request.user))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):  # noqa: ANN001
        video = video_for_viewer(video_id=pk, viewer=request.user)
        if video.owner_id != request.user.pk:
            raise Forbidden("only the owner can delete a video", code="not_owner")
        video_delete(video=video)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebVttRenderer(BaseRenderer):
    """Lets a client ask for text/vtt; errors still go out as JSON text."""

    media_type = "text/vtt"
    format = "vtt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:  # noqa: ANN001
        return data.encode() if isinstance(data, str) else json.dumps(data).encode()


class VideoCaptionsVttApi(APIView):
    """GET /api/videos/<id>/captions.vtt: the timed transcript as WebVTT, for whoever may watch
    the video (the same visibility check as its media)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    renderer_classes = [JSONRenderer, WebVttRenderer]

    @extend_schema(responses={(200, "text/vtt"): OpenApiTypes.STR})
    def get(self, request, pk: int):  # noqa: ANN001
        video = video_for_viewer(video_id=pk, viewer=request.user)
        if not video.transcript_segments:
            raise NotFound("this video has no captions", code="no_captions")
        response = HttpResponse(
            webvtt(video.transcript_segments), content_type="text/vtt; charset=utf-8"
        )
        response["Cache-Control"] = "private, max-age=60"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class VideoCaptionsApi(APIView):
    """PUT /api/videos/<id>/captions {"segments": [{start, end, text}, ...]}: the owner's edit;
    the video is re-embedded and re-tagged from the new text (a rate of its own: each edit is
    a run of the embedder on the video's frames)."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "caption_edits"

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def put(self, request, pk: int):  # noqa: ANN001
        video = video_for_viewer(video_id=pk, viewer=request.user)
        if video.owner_id != request.user.pk:
            raise Forbidden("only the owner can edit the captions", code="not_owner")
        if not isinstance(request.data, dict) or "segments" not in request.data:
            raise InvalidInput('send {"segments": [...]}', code="invalid_captions")
        video = video_captions_update(video=video, segments=request.data["segments"])
        return Response(video_detail(video=video, viewer=request.user))
