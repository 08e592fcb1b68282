"""Videos API: upload, detail, delete."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from tiktok.api.errors import ApiError, error_body
from videos.media.probe import MediaRejected
from videos.models import Video
from videos.pipeline import pipeline_enqueue
from videos.selectors import video_detail
from videos.serializers import VideoUploadSerializer
from videos.services import video_create_from_path, video_delete
from videos.uploads import upload_too_large, use_disk_upload_handlers
from videos.visibility import video_visible_to

# Problems with the file's limits are 400; files that are not video at all are 415.
LIMIT_CODES = {"too_long", "resolution_too_large"}


class VideoUploadApi(APIView):
    """POST /api/videos: multipart `file`, `caption`, `privacy` -> 201 {id, status}.

    A second upload of the same bytes by the same user is 409 with the existing video's id.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "uploads"

    def initial(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        use_disk_upload_handlers(request._request)
        super().initial(request, *args, **kwargs)

    def post(self, request):  # noqa: ANN001
        serializer = VideoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise upload_too_large()
        try:
            try:
                path = Path(upload.temporary_file_path())
            except AttributeError:
                raise ApiError("upload was not stored on disk", code="upload_failed") from None
            video, created = video_create_from_path(
                owner=request.user,
                path=path,
                caption=serializer.validated_data["caption"],
                privacy=serializer.validated_data["privacy"],
                original_filename=upload.name,
            )
        except MediaRejected as exc:
            status_code = 400 if exc.code in LIMIT_CODES else 415
            raise ApiError(str(exc), code=exc.code, status_code=status_code) from exc
        finally:
            upload.close()
        if not created:
            body = error_body("duplicate_upload", "you already uploaded this video")
            return Response(
                {**body, "id": video.pk, "status": video.status}, status=status.HTTP_409_CONFLICT
            )
        pipeline_enqueue(video=video)
        video.refresh_from_db(fields=["status"])
        return Response({"id": video.pk, "status": video.status}, status=status.HTTP_201_CREATED)


class VideoDetailApi(APIView):
    """GET /api/videos/<id> (card + transcript + steps), DELETE by the owner."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def _visible(self, request, pk: int) -> Video:  # noqa: ANN001
        video = Video.objects.filter(pk=pk).first()
        if video is None or not video_visible_to(video=video, viewer=request.user):
            raise ApiError("no such video", code="not_found", status_code=404)
        return video

    def get(self, request, pk: int):  # noqa: ANN001
        video = self._visible(request, pk)
        return Response(video_detail(video=video, viewer=request.user))

    def delete(self, request, pk: int):  # noqa: ANN001
        video = self._visible(request, pk)
        if video.owner_id != request.user.pk:
            raise ApiError("only the owner can delete a video", code="not_owner", status_code=403)
        video_delete(video=video)
        return Response(status=status.HTTP_204_NO_CONTENT)
