"""Tag taxonomy (categories, tags, phrases), cached tag vectors, and tags on videos."""

from __future__ import annotations

from django.db import models
from pgvector.django import VectorField


class TagCategory(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "tag categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    category = models.ForeignKey(
        TagCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="tags"
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class TagPhrase(models.Model):
    """A phrase or synonym that describes a tag ("cat", "kitten", "cute cat")."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="phrases")
    text = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "text"], name="phrase_once_per_tag")]

    def __str__(self) -> str:
        return self.text


class TagEmbedding(models.Model):
    """A tag's vector for one embedding version, recomputed when its phrases change.

    `embedding` is the normalised mean of the phrase vectors; `phrase_vectors` keeps every
    phrase vector (float32 rows, `phrase_count` x dim) for max-over-phrases scoring.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="embeddings")
    embedding_version = models.CharField(max_length=64)
    phrases_hash = models.CharField(max_length=64)
    embedding = VectorField()
    phrase_vectors = models.BinaryField(default=bytes)
    phrase_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "embedding_version"], name="one_tag_vector_per_version"
            )
        ]


class TagBackground(models.Model):
    """Vectors of the generic background sentences for one embedding version (calibration)."""

    embedding_version = models.CharField(max_length=64, unique=True)
    texts_hash = models.CharField(max_length=64)
    dim = models.PositiveIntegerField()
    vectors = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)


class TagSource(models.TextChoices):
    AUTO = "auto"
    CREATOR = "creator"


class VideoTag(models.Model):
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="video_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="video_tags")
    # score: the cosine e_video . e_tag; confidence: that score calibrated against the tag's
    # background distribution (a z-score), which decides whether and where the tag is kept.
    score = models.FloatField()
    confidence = models.FloatField(default=0.0)
    rank = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=16, choices=TagSource.choices, default=TagSource.AUTO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["video", "tag"], name="tag_once_per_video")]
        indexes = [models.Index(fields=["tag", "-score"])]
