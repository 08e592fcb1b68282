"""Pipeline steps called directly with the typed outputs of the steps before them."""

from __future__ import annotations

import pytest

from tests.factories import TEST_EMBEDDING_VERSION, VideoFactory
from videos.pipeline.errors import StepPermanentError
from videos.pipeline.outputs import EmbedOutput
from videos.pipeline.steps import step_tag

pytestmark = pytest.mark.django_db


def test_the_tag_step_of_a_video_without_an_embedding_fails() -> None:
    video = VideoFactory()

    with pytest.raises(StepPermanentError, match="no embedding"):
        step_tag(video, EmbedOutput(embedding_version=TEST_EMBEDDING_VERSION, dim=8))
