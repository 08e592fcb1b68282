"""How challenges react to what the videos and feed apps announce (connected in
DiscoverConfig.ready())."""

from __future__ import annotations

from typing import Any

from discover.challenges import (
    challenge_join_video,
    challenge_leave_dropped,
    challenge_like_vote_sync,
    challenge_vote_record,
    challenge_votes_withdraw,
)
from discover.models import VoteKind
from profiles.viewers import viewer_id
from videos.models import Video, VideoStatus

# engagement_recorded types that change a challenge entry, and whether they undo a vote (a like
# or an unlike sets the like vote as the Like row stands: challenge_like_vote_sync)
_ENGAGEMENT_VOTES = {
    "share": (VoteKind.SHARE, False),
}


def on_video_published(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    """A published video carrying an open challenge's hashtag (and sound) joins it."""
    challenge_join_video(video_id=video_id)


def on_caption_edited(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    """A published video whose caption now carries an open challenge's hashtag joins it (when
    it was posted inside the challenge's window), and leaves the open ones whose hashtag it no
    longer carries; one still processing joins on publishing."""
    challenge_leave_dropped(video_id=video_id)
    if Video.objects.filter(pk=video_id, status=VideoStatus.READY).exists():
        challenge_join_video(video_id=video_id)


def on_engagement_recorded(
    sender: Any,
    *,
    user: Any,
    video: Any,
    type: str,  # noqa: A002
    **kwargs: Any,
) -> None:
    """A like, unlike or share of an entered video moves its entries' scores."""
    if type in ("like", "unlike"):
        challenge_like_vote_sync(video_id=video.pk, user_id=viewer_id(user))
        return
    vote = _ENGAGEMENT_VOTES.get(type)
    if vote is not None:
        kind, undo = vote
        challenge_vote_record(video_ids=[video.pk], user_id=viewer_id(user), kind=kind, undo=undo)


def on_videos_finished(sender: Any, *, user_id: int, video_ids: list[int], **kwargs: Any) -> None:
    """A viewer's completions of entered videos count once per account."""
    challenge_vote_record(video_ids=video_ids, user_id=user_id, kind=VoteKind.FINISH)


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A deleted account's likes, shares and completions stop counting in open challenges."""
    challenge_votes_withdraw(user_id=instance.pk)
