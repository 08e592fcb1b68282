"""Hashtags: every #word of a caption, a first-class object independent of the taxonomy."""

from __future__ import annotations

from django.db import models

from videos.hashtags import HASHTAG_MAX_LENGTH
from videos.models.video import Video


class Hashtag(models.Model):
    # Case-folded (str.casefold), Unicode letters, digits and underscores.
    name = models.CharField(max_length=HASHTAG_MAX_LENGTH, unique=True)
    # Videos anyone may see whose caption carries it (`anyone_may_see_sql`: ready, public, not
    # hidden, of a public account), kept by PostgreSQL triggers on VideoHashtag, the videos and
    # the accounts (migration 0013_public_counts): every path, cascades included.
    video_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["-video_count"])]

    def __str__(self) -> str:
        return f"#{self.name}"


class VideoHashtag(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="video_hashtags")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="video_hashtags")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "hashtag"], name="one_row_per_video_hashtag")
        ]
        indexes = [models.Index(fields=["hashtag", "-created_at"])]
