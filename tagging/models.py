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
    """A tag's vector for one embedding version, recomputed when its phrases change."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="embeddings")
    embedding_version = models.CharField(max_length=64)
    phrases_hash = models.CharField(max_length=64)
    embedding = VectorField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "embedding_version"], name="one_tag_vector_per_version"
            )
        ]


class TagSource(models.TextChoices):
    AUTO = "auto"
    CREATOR = "creator"


class VideoTag(models.Model):
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="video_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="video_tags")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=16, choices=TagSource.choices, default=TagSource.AUTO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["video", "tag"], name="tag_once_per_video")]
        indexes = [models.Index(fields=["tag", "-score"])]
