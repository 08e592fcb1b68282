"""The video admin: who may reprocess, what the change form lets an operator edit, and what its
change list costs on a big table."""

from __future__ import annotations

import pytest

from tests.admin_clients import staff_client
from tests.factories import VideoFactory
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/videos/video/"


def test_staff_who_may_only_view_videos_cannot_reprocess_them(
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    video = VideoFactory(status=VideoStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client("videos.view_video").post(
            CHANGELIST, {"action": "reprocess", "_selected_action": [video.pk]}
        )

    assert sent == []
    video = Video.objects.get(pk=video.pk)
    assert video.status == VideoStatus.FAILED and video.pipeline_requested_at is None
