"""The video, its processing steps and its embeddings (one row per embedding version)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from pgvector.django import VectorField


class VideoStatus(models.TextChoices):
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Privacy(models.TextChoices):
    PUBLIC = "public"
    FOLLOWERS = "followers"
    PRIVATE = "private"


def new_media_key() -> str:
    """A video's storage folder name: 128 random bits, so no object key can be guessed (never
    the sequential id)."""
    return secrets.token_hex(16)


def video_file_path(instance: Video, filename: str) -> str:
    """Every file of a video lives under videos/<media_key>/, so deleting a video is deleting
    one prefix."""
    return f"videos/{instance.media_key}/{filename}"


class Video(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos"
    )
    caption = models.TextField(blank=True, max_length=2200)
    privacy = models.CharField(max_length=16, choices=Privacy.choices, default=Privacy.PUBLIC)
    status = models.CharField(
        max_length=16, choices=VideoStatus.choices, default=VideoStatus.UPLOADED, db_index=True
    )
    failure_reason = models.TextField(blank=True)

    # Where its files live (videos/<media_key>/...): random, unique, never reused.
    media_key = models.CharField(max_length=32, unique=True, default=new_media_key, editable=False)

    # Provenance and dedupe.
    content_hash = models.CharField(max_length=64, db_index=True)
    original_filename = models.CharField(max_length=255, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    # An earlier video this one is a copy of (re-encoded, resized or cropped: it looks the same
    # and lasts as long; videos/duplicates.py). Copies stay on their owner's profile but the
    # For You feed never recommends them.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    # Assets (paths relative to the default storage).
    original = models.FileField(upload_to=video_file_path, max_length=500, blank=True)
    mp4 = models.FileField(upload_to=video_file_path, max_length=500, blank=True)
    hls_playlist = models.FileField(upload_to=video_file_path, max_length=500, blank=True)
    thumbnail = models.FileField(upload_to=video_file_path, max_length=500, blank=True)
    poster = models.FileField(upload_to=video_file_path, max_length=500, blank=True)

    # Probe results.
    duration_s = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    has_audio = models.BooleanField(null=True)

    # The sound the video's audio is (its own original sound once the pipeline made one, or the
    # sound its creator chose with "use this sound"), and how loud the video's own audio stays
    # under a chosen sound (0..1; null when the creator chose no sound).
    sound = models.ForeignKey(
        "sounds.Sound", null=True, blank=True, on_delete=models.SET_NULL, related_name="videos"
    )
    sound_volume = models.FloatField(null=True, blank=True)

    # Speech.
    transcript = models.TextField(blank=True)
    transcript_language = models.CharField(max_length=16, blank=True)
    transcript_segments = models.JSONField(default=list, blank=True)

    # Denormalised counters, updated with F() expressions (no lost updates).
    view_count = models.PositiveBigIntegerField(default=0)
    like_count = models.PositiveBigIntegerField(default=0)
    comment_count = models.PositiveBigIntegerField(default=0)
    save_count = models.PositiveBigIntegerField(default=0)
    share_count = models.PositiveBigIntegerField(default=0)

    # Set when moderation hides the video (or it is hidden pending review after many reports):
    # it is then gone for everyone but its owner, everywhere (videos.visibility).
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When a pipeline run was last asked for, and when its task chain reached the broker (NULL
    # until it does: the sweep sends runs the broker never got).
    pipeline_requested_at = models.DateTimeField(null=True, blank=True)
    pipeline_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "content_hash"], name="one_video_per_owner_and_content"
            )
        ]
        indexes = [
            models.Index(fields=["status", "privacy", "-published_at"]),
            models.Index(fields=["owner", "-created_at"]),
            # A sound's page: its videos, newest and most watched.
            models.Index(fields=["sound", "-created_at", "-id"], name="video_sound_new_idx"),
            models.Index(fields=["sound", "-view_count", "-id"], name="video_sound_popular_idx"),
            # A large hashtag's most liked videos: walked in this order, each checked against
            # the hashtag, instead of sorting all of its videos (videos/selectors/hashtags.py).
            models.Index(fields=["-like_count", "-id"], name="videos_video_popular_idx"),
            # The Following feed, newest publication first (else upload: never null), walked
            # in this order and each checked against the followed accounts, not sorted whole.
            models.Index(
                Coalesce("published_at", "created_at").desc(),
                models.F("id").desc(),
                name="video_posted_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"video {self.pk} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == VideoStatus.READY


class StepName(models.TextChoices):
    TRANSCODE = "transcode"
    TRANSCRIBE = "transcribe"
    EMBED = "embed"
    TAG = "tag"
    PUBLISH = "publish"


# The pipeline runs its steps in this order (the StepName order above).
STEP_ORDER: list[str] = list(StepName)


class StepState(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class PipelineStep(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=16, choices=StepName.choices)
    state = models.CharField(max_length=16, choices=StepState.choices, default=StepState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Attempts that started and never finished: the worker died (killed, out of memory, over
    # its hard time limit) and the broker handed the task out again.
    interrupted = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["video", "name"], name="one_step_per_video")]


class VideoEmbedding(models.Model):
    """One vector per (video, embedding_version).

    The column has no fixed dimension so 384-d (MiniLM, CPU) and 1024-d (Qwen3-VL) vectors
    live side by side during a re-embed; each version gets its own partial HNSW index on
    (embedding::vector(D)) - see videos.vector_index.
    """

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="embeddings")
    embedding_version = models.CharField(max_length=64)
    dim = models.PositiveIntegerField()
    embedding = VectorField()
    missing = models.JSONField(default=list, blank=True)
    # How the video looks (the embedder's pooled frame features), compared only within one
    # look_version to find copies; null when no frame showed anything.
    look_version = models.CharField(max_length=64, blank=True)
    look = VectorField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["video", "embedding_version"], name="one_embedding_per_video_version"
            )
        ]
        indexes = [models.Index(fields=["embedding_version", "video"])]


class ServedEmbeddingVersion(models.Model):
    """The embedding version the product served last (one row): what is served while the
    embedder cannot be asked, and how a switch is noticed and announced. In PostgreSQL, not
    Redis: a Redis that lost it (a flush, a restart without persistence, an eviction) at a
    switch served the new version silently, with no viewer's taste rebuilt in it."""

    ROW = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW)
    version = models.CharField(max_length=64)
    served_since = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="served_version_one_row")
        ]
