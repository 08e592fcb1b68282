"""Users and the social graph: who follows whom, who blocked whom."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower, Replace, Upper

# What a username looks like, for telling look-alikes apart (`username_skeleton`): lower case
# (registration keeps names so), "rn" read as "m", "vv" as "w", the digits 0 and 1 as o and l.
SKELETON_PAIRS = (("rn", "m"), ("vv", "w"))
SKELETON_DIGITS = ("01", "ol")


def username_skeleton(username: str) -> str:
    """How `username` reads at a glance: "wi11iam", "wil1iam" and "william" are one skeleton,
    "modern" and "modem" too. The same as `USERNAME_SKELETON` in SQL."""
    text = username.lower()
    for pair, read_as in SKELETON_PAIRS:
        text = text.replace(pair, read_as)
    return text.translate(str.maketrans(*SKELETON_DIGITS))


def _skeleton_expression() -> Func:
    text = Lower("username")
    for pair, read_as in SKELETON_PAIRS:
        text = Replace(text, Value(pair), Value(read_as))
    return Func(
        text,
        Value(SKELETON_DIGITS[0]),
        Value(SKELETON_DIGITS[1]),
        function="TRANSLATE",
        output_field=models.CharField(),
    )


# `username_skeleton` of the username column, as SQL (indexed: user_username_skeleton_idx).
USERNAME_SKELETON = _skeleton_expression()


def avatar_upload_to(instance: User, filename: str) -> str:
    return f"avatars/{instance.pk or 'new'}/{filename}"


class AnyCaseUserManager(UserManager):
    def get_by_natural_key(self, username: str | None) -> User:
        """An account by its name in any case, as every lookup by name is: signing in as
        "Maria" is signing in as "maria", and createsuperuser refuses "Maria" beside "maria"
        (it asks this before creating)."""
        return self.get(username__iexact=username)


class User(AbstractUser):
    display_name = models.CharField(max_length=64, blank=True)
    bio = models.CharField(max_length=280, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A private account's videos and lists are for approved followers only; following it is a
    # request its owner approves or denies.
    is_private = models.BooleanField(default=False)
    # Set when the owner followed the link mailed to their address (optional verification).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Set by moderation together with is_active=False; cleared when reinstated.
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Followers whose accounts are active (the ones the followers list shows), kept by
    # PostgreSQL triggers on every path that adds, removes or (de)activates a follower
    # (migrations/0008_follower_count.py): profile headers read it, account search ranks by it.
    follower_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = AnyCaseUserManager()

    class Meta(AbstractUser.Meta):
        indexes = [
            # Visibility asks "is the owner private?" of every candidate video (videos/
            # visibility.py); PostgreSQL answers it by hashing the private accounts, which
            # without this index meant reading the whole accounts table on every feed read.
            models.Index(fields=["id"], condition=Q(is_private=True), name="user_private_idx"),
            # A password reset finds accounts by address in any case (`email__iexact`).
            models.Index(Upper("email"), name="user_email_any_case_idx"),
            # Account search reads the most-followed prefix matches first (search.selectors).
            models.Index(F("follower_count").desc(), "id", name="user_followers_idx"),
            # A new name is refused when it reads as an existing one (wi11iam for william).
            models.Index(USERNAME_SKELETON, name="user_username_skeleton_idx"),
        ]
        constraints = [
            # Every lookup by name is case-insensitive (`username__iexact`: UPPER(username) =
            # UPPER(%s)), so this index answers each profile page and mention, which read the
            # whole accounts table without it; and "maria" and "Maria" are one name to the
            # database too, whichever way an account is made.
            models.UniqueConstraint(Upper("username"), name="user_username_any_case_unique"),
        ]

    def __str__(self) -> str:
        return self.username


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="no_self_follow"),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"])]


class FollowRequest(models.Model):
    """A request to follow a private account, pending until its owner approves (it becomes a
    Follow) or denies (it is deleted)."""

    requester = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="follow_requests_sent"
    )
    target = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="follow_requests_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "target"], name="follow_request_once"),
            models.CheckConstraint(
                condition=~Q(requester=F("target")), name="no_self_follow_request"
            ),
        ]
        indexes = [models.Index(fields=["target", "-created_at"])]


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocking_set")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="no_self_block"),
        ]
