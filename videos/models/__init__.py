"""Video data: the video and its assets, pipeline steps, embeddings, engagement, hashtags."""

from videos.models.engagement import Comment, CommentLike, Like, Save, Share
from videos.models.hashtags import HASHTAG_MAX_LENGTH, Hashtag, VideoHashtag
from videos.models.video import (
    STEP_ORDER,
    PipelineStep,
    Privacy,
    ServedEmbeddingVersion,
    StepName,
    StepState,
    Video,
    VideoEmbedding,
    VideoStatus,
)

__all__ = [
    "HASHTAG_MAX_LENGTH",
    "STEP_ORDER",
    "Comment",
    "Hashtag",
    "CommentLike",
    "Like",
    "PipelineStep",
    "Privacy",
    "Save",
    "ServedEmbeddingVersion",
    "Share",
    "StepName",
    "StepState",
    "Video",
    "VideoEmbedding",
    "VideoHashtag",
    "VideoStatus",
]
