"""Challenges: a hashtag (and optional sound) with a time window, the videos that joined it and
the distinct accounts whose likes, shares and completions score each entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sounds.models import Sound
from videos.models import Hashtag, Video


class ChallengeQuerySet(models.QuerySet):
    def listed(self) -> ChallengeQuerySet:
        """Challenges shown to anyone: an operator's, or a creator's whose account is active
        (a suspended creator's title and name go out with the rest of what they wrote)."""
        return self.filter(models.Q(creator__isnull=True) | models.Q(creator__is_active=True))


class Challenge(models.Model):
    hashtag = models.ForeignKey(Hashtag, on_delete=models.PROTECT, related_name="challenges")
    title = models.CharField(max_length=120)
    rules = models.TextField(blank=True)
    # When set, an entry must also use this sound.
    sound = models.ForeignKey(
        Sound, null=True, blank=True, on_delete=models.SET_NULL, related_name="challenges"
    )
    # None: an operator's. A creator's challenge goes with the creator's account (its title and
    # rules are theirs); kept without a creator it read as an operator's.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="challenges_created",
    )
    starts_at = models.DateTimeField()
    # The window is [starts_at, ends_at): from ends_at on, nothing joins and the leaderboard is
    # frozen (checked whenever an entry would change; no task has to run on time).
    ends_at = models.DateTimeField(db_index=True)
    entry_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="challenge_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.title} (#{self.hashtag.name})"

    def is_open(self, at: timezone.datetime | None = None) -> bool:
        moment = at or timezone.now()
        return self.starts_at <= moment < self.ends_at

    def has_ended(self, at: timezone.datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.ends_at


class ChallengeEntry(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="entries")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="challenge_entries")
    # Distinct accounts (never the video's owner) that liked, shared, finished the video while
    # the challenge was open; `score` is discover.scoring.entry_score of the three.
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    score = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "video"], name="one_entry_per_video")
        ]
        indexes = [models.Index(fields=["challenge", "-score", "joined_at", "id"])]


class VoteKind(models.TextChoices):
    LIKE = "like"
    SHARE = "share"
    FINISH = "finish"


class ChallengeVote(models.Model):
    """One account's like, share or completion of one entry: counted once however often it
    happens (the unique constraint is what makes the counts distinct accounts)."""

    entry = models.ForeignKey(ChallengeEntry, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=VoteKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "user", "kind"], name="one_vote_per_kind")
        ]
