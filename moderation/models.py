"""Reports of videos, comments and accounts, gathered into one open case per reported item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sounds.models import Sound
from videos.models import Comment, Video

MAX_REPORT_DETAIL_CHARS = 500


class ReportKind(models.TextChoices):
    VIDEO = "video", "Video"
    COMMENT = "comment", "Comment"
    USER = "user", "Account"
    SOUND = "sound", "Sound"


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment or bullying"
    HATE = "hate", "Hate"
    NUDITY = "nudity", "Nudity or sexual content"
    VIOLENCE = "violence", "Violence or dangerous acts"
    SELF_HARM = "self_harm", "Self-harm"
    MISINFORMATION = "misinformation", "Misinformation"
    INTELLECTUAL_PROPERTY = "intellectual_property", "Intellectual property"
    OTHER = "other", "Other"


# Moderators' actions (Case.action and the case_resolved event's `action`).
ACTION_HIDE_VIDEO = "hide_video"
ACTION_HIDE_SOUND = "hide_sound"
ACTION_REMOVE_COMMENT = "remove_comment"
ACTION_SUSPEND_USER = "suspend_user"
ACTION_DISMISS = "dismiss"
ACTION_REINSTATE = "reinstate"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIONED = "actioned", "Actioned"
    DISMISSED = "dismissed", "Dismissed"


class Case(models.Model):
    """The reports of one item while it waits for review: at most one open case per item (a
    report after the case was resolved opens a new one)."""

    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    # The reported item: one of the four, by kind. SET_NULL keeps the case (and its snapshot)
    # when the item is deleted, e.g. a comment removed by moderation.
    video = models.ForeignKey(
        Video, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_cases"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_cases"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_cases",
    )
    sound = models.ForeignKey(
        Sound, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_cases"
    )
    # Whose item it is (the account, the video's owner, the comment's author, the sound's
    # creator), set when the case opens and kept when the item goes: a removed comment's decision
    # stays in its author's data archive, and a reply removed with its thread still leads the
    # queue to its author.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the item said when first reported (caption, comment body, username, sound title).
    snapshot = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    reporter_count = models.PositiveIntegerField(default=0)
    first_reported_at = models.DateTimeField(auto_now_add=True)
    last_reported_at = models.DateTimeField(auto_now_add=True)
    # Set when enough distinct accounts reported the item for it to be hidden pending review.
    auto_hidden_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the moderator did: hide_video, hide_sound, remove_comment, suspend_user, dismiss,
    # reinstate.
    action = models.CharField(max_length=32, blank=True)
    reinstated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["video"],
                condition=Q(status="open", kind="video"),
                name="one_open_case_per_video",
            ),
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status="open", kind="comment"),
                name="one_open_case_per_comment",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="open", kind="user"),
                name="one_open_case_per_user",
            ),
            models.UniqueConstraint(
                fields=["sound"],
                condition=Q(status="open", kind="sound"),
                name="one_open_case_per_sound",
            ),
        ]
        indexes = [models.Index(fields=["status", "-reporter_count", "first_reported_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} case #{self.pk} ({self.status})"


class Report(models.Model):
    """One account's report of an item: one per reporter per case. A report outlives its
    reporter's account, anonymous (`reporter` None): it is evidence, and its case's
    `reporter_count` and hide pending review were counted from it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_made",
    )
    reason = models.CharField(max_length=32, choices=ReportReason.choices)
    detail = models.TextField(max_length=MAX_REPORT_DETAIL_CHARS, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "reporter"], name="one_report_per_reporter")
        ]
        indexes = [models.Index(fields=["reporter", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} by {self.reporter_id} on case #{self.case_id}"
