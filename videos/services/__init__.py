"""Writes of the videos app: creating and deleting videos, ingestion, pipeline steps."""

from videos.services.videos import (
    STEP_ORDER,
    clean_filename,
    file_sha256,
    video_create_from_path,
    video_delete,
)

__all__ = [
    "STEP_ORDER",
    "clean_filename",
    "file_sha256",
    "video_create_from_path",
    "video_delete",
]
