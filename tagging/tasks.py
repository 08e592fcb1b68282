"""Celery tasks of the tagging app: tag vectors and corpus re-tagging (thin wrappers)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from embedder_service.client import EmbedderUnavailable
from tagging.services.assign import video_retag, videos_retag_all
from tagging.services.vectors import EmbeddingVersionUnknown, tag_vectors_refresh


@shared_task(
    name="tagging.refresh_tag_embeddings",
    autoretry_for=(EmbedderUnavailable, EmbeddingVersionUnknown),
    retry_backoff=10,
    retry_backoff_max=300,
    max_retries=12,
    soft_time_limit=settings.LONG_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.LONG_TASK_TIME_LIMIT,
)
def refresh_tag_embeddings(embedding_version: str | None = None) -> int:
    """Embed the phrases of tags whose vectors are missing or stale for the version."""
    return tag_vectors_refresh(embedding_version=embedding_version)


# Re-tags wait for the embedder (tag vectors may need refreshing) a few minutes at most.
RETAG_RETRIES = {
    "autoretry_for": (EmbedderUnavailable,),
    "retry_backoff": 10,
    "retry_backoff_max": 300,
    "max_retries": 6,
}


@shared_task(
    name="tagging.retag_all",
    **RETAG_RETRIES,
    soft_time_limit=settings.LONG_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.LONG_TASK_TIME_LIMIT,
)
def retag_all(embedding_version: str | None = None) -> int:
    """Re-tag every embedded video in batches (one matrix product per batch)."""
    return videos_retag_all(embedding_version=embedding_version)


@shared_task(name="tagging.retag_video", **RETAG_RETRIES, acks_late=True)
def retag_video(video_id: int) -> int:
    """Re-tag one video whose caption was edited (its creator tags follow its hashtags)."""
    return video_retag(video_id=video_id)
