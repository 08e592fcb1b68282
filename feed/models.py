"""Append-only interaction events (the feed's source of truth) and the state derived from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from pgvector.django import VectorField


class InteractionType(models.TextChoices):
    IMPRESSION = "impression"
    PLAY = "play"
    PAUSE = "pause"
    FINISH = "finish"
    REWATCH = "rewatch"
    LIKE = "like"
    UNLIKE = "unlike"
    SAVE = "save"
    UNSAVE = "unsave"
    SHARE = "share"
    SKIP = "skip"
    NOT_INTERESTED = "not_interested"


class TrafficSource(models.TextChoices):
    """Where the viewer opened the video, as the web client saw it (creator analytics)."""

    FOR_YOU = "for_you"
    FOLLOWING = "following"
    PROFILE = "profile"
    SEARCH = "search"
    HASHTAG = "hashtag"
    SOUND = "sound"
    SHARE_LINK = "share_link"
    DIRECT = "direct"
    UNKNOWN = "unknown"


class Interaction(models.Model):
    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
    )
    session_id = models.CharField(max_length=64, blank=True)
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="interactions")
    type = models.CharField(max_length=16, choices=InteractionType.choices)
    watch_ms = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(null=True, blank=True)
    client_ts = models.DateTimeField(null=True, blank=True)
    traffic_source = models.CharField(
        max_length=16, choices=TrafficSource.choices, default=TrafficSource.UNKNOWN
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["session_id", "-created_at"]),
            models.Index(fields=["video", "type", "-created_at"]),
        ]


class CoEngagement(models.Model):
    """Item-to-item counts: how many times a positive on one video and one on the other came
    from the same user close together ("people who finished X also finished Y"). The count is
    symmetric, so each pair is one row with video_a < video_b; X's neighbours are a range scan
    of the pair index (X as video_a) plus one of the video_b index (X as video_b).

    The busiest table of the aggregates flush (about 20 rows per positive), so it carries only
    those two indexes and no database foreign keys: checking two per inserted row at commit
    cost as much as the upsert itself. Deleting a video still removes its rows (Django's
    CASCADE runs in the ORM)."""

    video_a = models.ForeignKey(
        "videos.Video",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the pair's unique index starts with it
    )
    video_b = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video_a", "video_b"], name="coengagement_pair_once")
        ]


class HiddenVideo(models.Model):
    """A video the user marked not_interested: never served to them again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_videos"
    )
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="hide_once")]
        indexes = [models.Index(fields=["user", "-created_at"])]


class VideoStats(models.Model):
    """Exposure and completion counts per video, for exploration (Thompson sampling on
    completion) and the quality boost; incremented per interaction batch."""

    video = models.OneToOneField(
        "videos.Video", on_delete=models.CASCADE, primary_key=True, related_name="feed_stats"
    )
    impressions = models.PositiveBigIntegerField(default=0)
    plays = models.PositiveBigIntegerField(default=0)
    finishes = models.PositiveBigIntegerField(default=0)
    skips = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    # Strong positives by signed-in viewers (finish, like, a watch past 40%, ...): the events
    # co-engagement pairs are made of, so it normalises co-engagement counts like item-kNN.
    positives = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class TasteProfile(models.Model):
    """Long-term taste: u_long = normalize(S / W), kept per embedding version.

    S (the weighted sum of positive-engagement video vectors) and W (the sum of weights) are
    persisted so updates are incremental and never rescan history.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taste_profiles"
    )
    embedding_version = models.CharField(max_length=64)
    vector = VectorField()
    weighted_sum = VectorField()
    weight_total = models.FloatField(default=0.0)
    positive_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "embedding_version"], name="one_taste_per_user_version"
            )
        ]


class CountedKind(models.IntegerChoices):
    """What a viewer's events count in a video's public numbers, each once per viewer."""

    IMPRESSION = 1
    PLAY = 2
    FINISH = 3
    SKIP = 4
    POSITIVE = 5  # a strong positive: the video's positives and its co-engagement pairs
    SHARE = 6
    REWATCH = 7  # the viewer's long-term taste: a video looped for an hour is one rewatch


class CountedEngagement(models.Model):
    """That a signed-in viewer's events have counted `kind` for a video: each viewer counts
    once per video in its impressions, plays (and so its public view count), finishes, skips,
    shares, positives and co-engagement pairs, however many events they send, and for as long
    as both exist. (Likes are counted by their rows: a like can be taken back and given again.)

    Written in the statement that stores the events (feed.services._interactions_insert). No
    database foreign keys, like CoEngagement: an event racing its video's deletion leaves a
    harmless row instead of failing the batch, and Django's CASCADE still removes the rows of
    a deleted user or video."""

    pk = models.CompositePrimaryKey("user", "video", "kind")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the primary key starts with it
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    kind = models.PositiveSmallIntegerField(choices=CountedKind.choices)


class AppliedAggregatesBatch(models.Model):
    """An applied aggregates batch (a request's TasteDeltas), for an hour: whoever applies it
    first - the flush, or the request itself when Redis failed around its push - records it in
    the same transaction, and a later copy (a retried pipeline, a push that landed after all)
    is skipped instead of counted twice (feed.aggregates)."""

    batch_id = models.CharField(max_length=32, primary_key=True)
    applied_at = models.DateTimeField(auto_now_add=True, db_index=True)
