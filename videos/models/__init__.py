"""Video data: the video and its assets, pipeline steps, embeddings, engagement."""

from videos.models.engagement import Comment, CommentLike, Like, Save, Share
from videos.models.video import (
    STEP_ORDER,
    PipelineStep,
    Privacy,
    StepName,
    StepState,
    Video,
    VideoEmbedding,
    VideoStatus,
)

__all__ = [
    "STEP_ORDER",
    "Comment",
    "CommentLike",
    "Like",
    "PipelineStep",
    "Privacy",
    "Save",
    "Share",
    "StepName",
    "StepState",
    "Video",
    "VideoEmbedding",
    "VideoStatus",
]
