"""Creator analytics rollups (daily and hourly per video, daily per creator) and the
append-only log of follow changes they count followers from.

Every rollup row is derived: `studio.rollups` recomputes a whole period from the interaction
log (feed.Interaction), the comment rows and the follow log, and replaces that period's rows."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class FollowChange(models.Model):
    """One follow starting (+1) or ending (-1), appended by the receivers of profiles' follow
    events: profiles deletes the Follow row on unfollow, so followers lost live only here."""

    # No constraint to the account: when it is deleted, the -1 its deletion appends and its
    # earlier +1s stay the followee's history under an id no account has
    # (`follow_changes_account_closing`); deleting them rewrote past gains away at the next
    # rebuild.
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    delta = models.SmallIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["followee", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delta__in=[-1, 1]), name="follow_change_plus_or_minus_one"
            )
        ]


class VideoMeasures(models.Model):
    """What one video did in one period (the issue's measures)."""

    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    # The video's owner, so a creator's rows are one index range.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    views = models.PositiveIntegerField(default=0)
    unique_viewers = models.PositiveIntegerField(default=0)
    watch_ms = models.PositiveBigIntegerField(default=0)
    watch_reports = models.PositiveIntegerField(default=0)
    finishes = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=0)
    follows = models.PositiveIntegerField(default=0)
    # views per feed.TrafficSource value, only the sources that brought any
    traffic_sources = models.JSONField(default=dict)

    class Meta:
        abstract = True


class VideoDay(VideoMeasures):
    day = models.DateField()
    # retention[s] = watch reports that ended within second s (the last bucket: at or past the
    # end); the curve of any range is the reversed running sum of the days' arrays, summed.
    retention = ArrayField(models.PositiveIntegerField(), default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["video", "day"], name="video_day_once")]
        indexes = [models.Index(fields=["creator", "day"]), models.Index(fields=["day"])]


class VideoHour(VideoMeasures):
    hour = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["video", "hour"], name="video_hour_once")]
        indexes = [models.Index(fields=["creator", "hour"]), models.Index(fields=["hour"])]


class CreatorDay(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    followers_gained = models.PositiveIntegerField(default=0)
    followers_lost = models.PositiveIntegerField(default=0)
    # Distinct viewers of any of the creator's videos that day: the videos' own uniques do not
    # add up (one fan of three videos is one viewer, not three).
    unique_viewers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["creator", "day"], name="creator_day_once")]
        indexes = [models.Index(fields=["day"])]
