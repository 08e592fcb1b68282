"""What the videos app stores about a person, for their data archive: their videos (with the
published MP4 and the file they uploaded), comments, likes, saves and shares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from profiles.selectors import hidden_user_ids
from tiktok.personal_data import Section, moment, name_unless_hidden, records
from videos.models import Comment, CommentLike, Like, Save, Share, Video

VIDEO_FIELDS = (
    "pk",
    "caption",
    "privacy",
    "status",
    "failure_reason",
    "original_filename",
    "source_url",
    "duration_s",
    "width",
    "height",
    "transcript",
    "transcript_language",
    "view_count",
    "like_count",
    "comment_count",
    "save_count",
    "share_count",
    "hidden_at",
    "hidden_reason",
    "created_at",
    "published_at",
    "sound__title",
    "mp4",
    "original",
)


def _video_files(video: dict[str, Any]) -> list[tuple[str, str]]:
    """(path in the archive, stored name) of a video's published MP4 and its upload."""
    files = []
    if video["mp4"]:
        files.append((f"media/videos/{video['pk']}.mp4", video["mp4"]))
    if video["original"]:
        suffix = PurePosixPath(video["original"]).suffix.lower()
        files.append((f"media/videos/{video['pk']}-original{suffix}", video["original"]))
    return files


def _videos(user: Any) -> Iterator[dict[str, Any]]:
    return Video.objects.filter(owner=user).order_by("created_at", "pk").values(*VIDEO_FIELDS)


def _video_row(video: dict[str, Any]) -> dict[str, Any]:
    files = _video_files(video)
    return {
        "id": video["pk"],
        "caption": video["caption"],
        "privacy": video["privacy"],
        "status": video["status"],
        "failure_reason": video["failure_reason"],
        "original_filename": video["original_filename"],
        "source_url": video["source_url"],
        "duration_s": video["duration_s"],
        "width": video["width"],
        "height": video["height"],
        "sound": video["sound__title"],
        "transcript": video["transcript"],
        "transcript_language": video["transcript_language"],
        "views": video["view_count"],
        "likes": video["like_count"],
        "comments": video["comment_count"],
        "saves": video["save_count"],
        "shares": video["share_count"],
        "hidden_at": moment(video["hidden_at"]),
        "hidden_because": video["hidden_reason"] or None,
        "created_at": moment(video["created_at"]),
        "published_at": moment(video["published_at"]),
        "files": [path for path, _ in files],
    }


def personal_data(user: Any) -> list[Section]:
    oldest = ("created_at", "pk")
    hidden = hidden_user_ids(viewer=user)
    return [
        Section(
            "videos",
            "your videos: caption, privacy, transcript, counts; files under media/videos/ "
            "(<id>.mp4 as published, <id>-original.<ext> as uploaded)",
            (_video_row(video) for video in _videos(user).iterator()),
            files=(file for video in _videos(user).iterator() for file in _video_files(video)),
        ),
        Section(
            "comments",
            "the comments you wrote, on which video, in reply to which comment",
            records(
                Comment.objects.filter(author=user).order_by(*oldest),
                id="pk",
                video_id="video_id",
                reply_to="parent_id",
                text="body",
                hidden_by_moderation_at="hidden_at",
                at="created_at",
            ),
        ),
        Section(
            "comment_likes",
            "the comments you liked",
            records(
                CommentLike.objects.filter(user=user).order_by(*oldest),
                comment_id="comment_id",
                at="created_at",
            ),
        ),
        Section(
            "likes",
            "the videos you liked",
            records(
                Like.objects.filter(user=user).order_by(*oldest),
                video_id="video_id",
                at="created_at",
            ),
        ),
        Section(
            "saves",
            "the videos you saved",
            records(
                Save.objects.filter(user=user).order_by(*oldest),
                video_id="video_id",
                at="created_at",
            ),
        ),
        Section(
            "shares",
            "the videos you shared: where to (a channel, or the account you sent it to; no "
            "name for an account blocked either way since)",
            records(
                Share.objects.filter(user=user)
                .annotate(
                    to_named=name_unless_hidden(
                        account="recipient_id", name="recipient__username", hidden=hidden
                    )
                )
                .order_by(*oldest),
                video_id="video_id",
                channel="channel",
                to="to_named",
                at="created_at",
            ),
        ),
        Section(
            "shares_received",
            "the videos other accounts sent you",
            records(
                # not from someone blocked since, either way (their name is not shown to you),
                # nor of a video by someone blocked either way (never delivered, or hidden since)
                Share.objects.filter(recipient=user)
                .exclude(user_id__in=hidden)
                .exclude(video__owner_id__in=hidden)
                .order_by(*oldest),
                video_id="video_id",
                **{"from": "user__username", "at": "created_at"},
            ),
        ),
    ]
