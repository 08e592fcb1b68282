"""Challenge writes: create one, join videos to it, count its entries' engagement.

Joining is posting (publishing) a video whose caption carries the challenge's hashtag (and that
uses its sound, when it has one) inside [starts_at, ends_at). A video uploaded before the end
and published after it (a processing backlog: the creator made the deadline, the transcode did
not) joins when it is published, up to CHALLENGE_LATE_PUBLISH_HOURS after the end, with no
votes (they are counted only while the challenge is open). Two paths join a video: the
receiver of `videos.video_published`, and `challenge_entries_sweep` (run with the Discover
lists) for hashtags recorded after publishing, e.g. by a caption edit.

An entry's counts are distinct accounts (one `ChallengeVote` row per account and kind) other
than the video's owner, recorded while the challenge is open: from `ends_at` on, nothing
changes (the check is made on every write, so the freeze needs no task to run on time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from discover import lists
from discover.models import Challenge, ChallengeEntry, ChallengeVote, VoteKind
from discover.scoring import vote_weight
from feed.models import Interaction
from profiles.models import User
from profiles.viewers import is_signed_in
from sounds.selectors import sound_visible
from tiktok.db.binary import binary_rows
from tiktok.db.sql import int_array, table
from tiktok.errors import AuthenticationFailed, Forbidden, NotFound
from tiktok.plain_text import plain_text_clean
from videos.hashtags import HASHTAG_MAX_LENGTH, hashtag_name_normalize
from videos.models import Hashtag, Like, Share, Video, VideoHashtag
from videos.services.hashtags import caption_hashtags
from videos.visibility import anyone_may_see_sql, visible_videos

MAX_TITLE_CHARS = 120
MAX_RULES_CHARS = 2000


def hashtag_name_parse(text: Any, *, field: str = "hashtag") -> str:
    """A hashtag as stored (videos.Hashtag.name, parsed by the one parser in videos.hashtags);
    a ValidationError on `field` otherwise."""
    raw = str(text or "").strip()
    if not raw.removeprefix("#"):
        raise ValidationError({field: ["give a hashtag, e.g. #dance"]})
    name = hashtag_name_normalize(raw)
    if name is None:
        raise ValidationError(
            {
                field: [
                    f"a hashtag holds letters (at least one), digits and underscores, at most "
                    f"{HASHTAG_MAX_LENGTH} characters"
                ]
            }
        )
    return name


def challenge_create(
    *,
    creator: Any,
    hashtag: str,
    title: str,
    ends_at: dt.datetime,
    rules: str = "",
    sound_id: int | None = None,
    starts_at: dt.datetime | None = None,
) -> Challenge:
    """Create a challenge. Operators (staff) always may; other signed-in creators when
    CHALLENGES_OPEN_TO_CREATORS is on. Field errors name the field (ends_at, hashtag, ...)."""
    if not is_signed_in(creator):
        raise AuthenticationFailed("sign in to create a challenge")
    if not (creator.is_staff or settings.CHALLENGES_OPEN_TO_CREATORS):
        raise Forbidden("only operators create challenges here", code="challenges_closed")
    now = timezone.now()
    starts_at = starts_at or now
    name = hashtag_name_parse(hashtag)
    clean_title = plain_text_clean(
        title, field="title", what="title", max_chars=MAX_TITLE_CHARS, required=True
    )
    clean_rules = plain_text_clean(rules, field="rules", what="rules", max_chars=MAX_RULES_CHARS)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ["ends_at must be after starts_at"]})
    if ends_at <= now:
        raise ValidationError({"ends_at": ["ends_at must be in the future"]})
    # Only operators backdate a challenge (it would take in videos posted before it existed);
    # creators have a few open at a time (counted in the transaction below).
    if not creator.is_staff and starts_at < now - dt.timedelta(minutes=5):
        raise ValidationError({"starts_at": ["starts_at must not be in the past"]})
    longest = dt.timedelta(days=settings.CHALLENGE_MAX_DAYS)
    if ends_at - starts_at > longest:
        raise ValidationError(
            {"ends_at": [f"a challenge lasts at most {settings.CHALLENGE_MAX_DAYS} days"]}
        )
    sound = None
    if sound_id is not None:
        # The sound's own rule (its page's): a challenge names its sound to everyone, so one
        # of a private account, a suspended creator or a creator who blocked this one would
        # tell its title ("original sound - <username>") to anyone trying ids.
        try:
            sound = sound_visible(sound_id=sound_id, viewer=creator)
        except NotFound:
            raise ValidationError({"sound_id": [f"there is no sound {sound_id}"]}) from None
    with transaction.atomic():
        # The hashtag row is shared with captions: a challenge may name one nobody used yet.
        tag, _ = Hashtag.objects.get_or_create(name=name)
        if not creator.is_staff:
            _creator_has_room(creator=creator, now=now)
            _hashtag_has_room(tag=tag, starts_at=starts_at, ends_at=ends_at)
        challenge = Challenge.objects.create(
            hashtag=tag,
            title=clean_title,
            rules=clean_rules,
            sound=sound,
            creator=creator,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    return challenge


def _creator_has_room(*, creator: Any, now: dt.datetime) -> None:
    """Refuse a creator's challenge past CHALLENGES_OPEN_PER_CREATOR running. The creator's
    row is locked first (FOR NO KEY UPDATE, as the follow services lock accounts), so two
    creations at once, on different hashtags, count each other: counted before the
    transaction, both passed."""
    User.objects.select_for_update(no_key=True).filter(pk=creator.pk).first()
    open_now = Challenge.objects.filter(creator=creator, ends_at__gt=now).count()
    if open_now >= settings.CHALLENGES_OPEN_PER_CREATOR:
        raise ValidationError(
            {
                "ends_at": [
                    f"you have {open_now} challenges running; at most "
                    f"{settings.CHALLENGES_OPEN_PER_CREATOR} (CHALLENGES_OPEN_PER_CREATOR)"
                ]
            }
        )


def _hashtag_has_room(*, tag: Hashtag, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Refuse a creator's challenge on a hashtag that already has CHALLENGES_OPEN_PER_HASHTAG
    running at any time of its window (every publish, like and finish of a video with the
    hashtag updates each of them). The hashtag's row is locked, so two at once count each other."""
    Hashtag.objects.select_for_update().filter(pk=tag.pk).first()
    running = Challenge.objects.listed().filter(
        hashtag=tag, starts_at__lt=ends_at, ends_at__gt=max(starts_at, timezone.now())
    )
    if running.count() >= settings.CHALLENGES_OPEN_PER_HASHTAG:
        raise ValidationError(
            {
                "hashtag": [
                    f"#{tag.name} already has a challenge running then: join it, or pick "
                    "another hashtag"
                ]
            }
        )


def _posted_at(video: Video) -> dt.datetime:
    return video.published_at or video.created_at


def _late_publish_grace() -> dt.timedelta:
    return dt.timedelta(hours=settings.CHALLENGE_LATE_PUBLISH_HOURS)


def challenge_join_video(*, video_id: int) -> list[int]:
    """Enter a just-published video into every open challenge it qualifies for; returns the ids
    of the challenges it joined now (none when it was already in them)."""
    video = (
        Video.objects.filter(pk=video_id)
        .only("id", "owner_id", "caption", "sound_id", "published_at", "created_at")
        .first()
    )
    if video is None:
        return []
    now = timezone.now()
    posted = _posted_at(video)
    # Uploaded in time is in time, when the video is published within the grace after the end.
    uploaded = min(posted, video.created_at)
    names = set(caption_hashtags(video.caption)) | set(
        VideoHashtag.objects.filter(video_id=video_id).values_list("hashtag__name", flat=True)
    )
    if not names:
        return []
    # Open now; or ended, and this video was uploaded with the hashtag before the end but
    # published after it (a caption edit after the end joins nothing, whenever the video was
    # published: the entry must have made the deadline).
    tagged_in_time = Exists(
        VideoHashtag.objects.filter(
            video_id=video_id, hashtag_id=OuterRef("hashtag_id"), created_at__lt=OuterRef("ends_at")
        )
    )
    candidates = Challenge.objects.listed().filter(
        Q(ends_at__gt=now)
        | Q(tagged_in_time, ends_at__lte=posted, ends_at__gt=now - _late_publish_grace()),
        hashtag__name__in=names,
        starts_at__lte=posted,
        ends_at__gt=uploaded,
    )
    joined = []
    for challenge in candidates:
        if challenge.sound_id is not None and challenge.sound_id != video.sound_id:
            continue
        if _entry_add(challenge=challenge, video_id=video.pk):
            joined.append(challenge.pk)
    return joined


def challenge_leave_dropped(*, video_id: int) -> list[int]:
    """Take the video out of the open challenges whose hashtag its caption no longer carries
    (a caption edit; an ended challenge's leaderboard stays frozen), with their votes, and
    recount those challenges; returns their ids. Kept in, it stayed on the leaderboard, in the
    number and in the feed's challenge slot while its hashtag page had dropped it."""
    video = Video.objects.filter(pk=video_id).only("id", "caption").first()
    if video is None:
        return []
    names = set(caption_hashtags(video.caption)) | set(
        VideoHashtag.objects.filter(video_id=video_id).values_list("hashtag__name", flat=True)
    )
    now = timezone.now()
    dropped = ChallengeEntry.objects.filter(
        video_id=video_id, challenge__starts_at__lte=now, challenge__ends_at__gt=now
    ).exclude(challenge__hashtag__name__in=names)
    challenge_ids = list(dropped.values_list("challenge_id", flat=True))
    if challenge_ids:
        dropped.delete()
        challenge_entry_counts_refresh(challenge_ids=challenge_ids)
    return challenge_ids


def _entry_add(*, challenge: Challenge, video_id: int) -> bool:
    """Join the video; `entry_count` (entries anyone may see) moves only for a video anyone
    may see: a private or hidden entry is on its owner's leaderboard, not in the number."""
    with transaction.atomic():
        entry, created = ChallengeEntry.objects.get_or_create(
            challenge=challenge, video_id=video_id
        )
        if created:
            if visible_videos(viewer=None).filter(pk=video_id).exists():
                Challenge.objects.filter(pk=challenge.pk).update(entry_count=F("entry_count") + 1)
            _entry_backfill(entry=entry, challenge=challenge)
    return created


def challenge_entries_counted_sql(challenge: str) -> str:
    """How many of the challenge under alias `challenge` entries anyone may see (a scalar
    subquery; what `entry_count` stores): a video deleted, made private or hidden by moderation
    after it joined is no longer in the number."""
    return _visible_entries_sql(challenge, "count(*)")


def _visible_entries_sql(challenge: str, aggregate: str) -> str:
    """`aggregate` over the challenge's (under alias `challenge`) entries anyone may see joined
    to their videos `v` (a scalar subquery)."""
    return (
        f"(SELECT {aggregate} FROM {table(ChallengeEntry)} e JOIN {table(Video)} v "
        f"ON v.id = e.video_id WHERE e.challenge_id = {challenge}.id AND "
        f"{anyone_may_see_sql('v')})"
    )


def challenge_entrants_counted_sql(challenge: str) -> str:
    """How many accounts have an entry anyone may see in the challenge under alias `challenge`
    (a scalar subquery): Discover ranks open challenges by it, so one account posting six
    videos to its own challenge is one entrant, not six entries ahead of a challenge three
    people joined."""
    return _visible_entries_sql(challenge, "count(DISTINCT v.owner_id)")


def challenge_entry_counts_refresh(*, challenge_ids: Sequence[int]) -> int:
    """Recount `entry_count` of these challenges from their entries anyone may see (the
    Discover refresh does it for the open ones); returns how many changed."""
    if not challenge_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Challenge)} c SET entry_count = {challenge_entries_counted_sql('c')} "
            f"WHERE c.id = ANY(%s) AND c.entry_count <> {challenge_entries_counted_sql('c')}",
            [int_array(challenge_ids)],
        )
        return cursor.rowcount


def _entry_backfill(*, entry: ChallengeEntry, challenge: Challenge) -> None:
    """Votes the entry already earned inside the window before it joined (a video that joins by
    a later caption edit), then its counts from the votes."""
    params = {
        "entry": entry.pk,
        "video": entry.video_id,
        "start": challenge.starts_at,
        "end": min(challenge.ends_at, timezone.now()),
    }
    owner = f"(SELECT owner_id FROM {table(Video)} WHERE id = %(video)s)"
    sources = [
        (VoteKind.LIKE, table(Like), ""),
        (VoteKind.SHARE, table(Share), ""),
        (VoteKind.FINISH, table(Interaction), "AND s.type = 'finish'"),
    ]
    with connection.cursor() as cursor:
        for kind, source, extra in sources:
            cursor.execute(
                f"INSERT INTO {table(ChallengeVote)} (entry_id, user_id, kind, created_at) "
                f"SELECT DISTINCT %(entry)s, s.user_id, '{kind}', now() FROM {source} s "
                f"WHERE s.video_id = %(video)s {extra} AND s.user_id IS NOT NULL "
                f"AND s.user_id <> {owner} "
                "AND s.created_at >= %(start)s AND s.created_at < %(end)s "
                "ON CONFLICT DO NOTHING",
                params,
            )
    _entry_recount(entry_id=entry.pk)


def _entry_recount(*, entry_id: int) -> None:
    entries_recount([entry_id])


def entries_recount(entry_ids: Sequence[int]) -> None:
    """Set entries' likes, shares, completions and score from their vote rows (one statement)."""
    if not entry_ids:
        return
    counts = ", ".join(
        f"count(v.id) FILTER (WHERE v.kind = '{kind}') AS {column}"
        for kind, column in _COUNTER_OF_KIND.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(ChallengeEntry)} e SET likes = c.likes, shares = c.shares, "
            "completions = c.completions, "
            "score = %(like)s * c.likes + %(share)s * c.shares + %(finish)s * c.completions "
            f"FROM (SELECT e2.id, {counts} FROM {table(ChallengeEntry)} e2 "
            f"LEFT JOIN {table(ChallengeVote)} v ON v.entry_id = e2.id "
            "WHERE e2.id = ANY(%(ids)s::bigint[]) GROUP BY e2.id) c WHERE e.id = c.id",
            {
                "ids": int_array(entry_ids),
                "like": vote_weight(VoteKind.LIKE),
                "share": vote_weight(VoteKind.SHARE),
                "finish": vote_weight(VoteKind.FINISH),
            },
        )


def challenge_votes_withdraw(*, user_id: int) -> None:
    """An account is being deleted (its vote rows go by CASCADE): the open challenges' entries
    it voted for are recounted once that commits, so its likes, shares and completions stop
    counting (a leaderboard that has ended stays frozen as it was)."""
    now = timezone.now()
    entry_ids = list(
        ChallengeVote.objects.filter(
            user_id=user_id, entry__challenge__starts_at__lte=now, entry__challenge__ends_at__gt=now
        )
        .values_list("entry_id", flat=True)
        .distinct()
    )
    if entry_ids:
        transaction.on_commit(lambda: entries_recount(entry_ids), robust=True)


_COUNTER_OF_KIND = {
    VoteKind.LIKE: "likes",
    VoteKind.SHARE: "shares",
    VoteKind.FINISH: "completions",
}


# The open challenges' entries of a batch's videos, not the voter's own. Prepared: it runs on
# every interaction batch that finishes a video, challenges or not, and as an ORM query it cost
# more than the rest of such a batch's statements (compiling it each time).
_OPEN_ENTRIES_SQL = f"""
SELECT e.id FROM {table(ChallengeEntry)} e
JOIN {table(Challenge)} c ON c.id = e.challenge_id
JOIN {table(Video)} v ON v.id = e.video_id
WHERE e.video_id = ANY(%(videos)s::bigint[])
  AND c.starts_at <= %(now)s AND c.ends_at > %(now)s
  AND v.owner_id <> %(user)s
ORDER BY e.id
"""


def challenge_like_vote_sync(*, video_id: int, user_id: int | None) -> int:
    """An account's like vote on each open entry of the video, as its Like row now stands: a
    like and an unlike whose announcements ran in the other order (each runs after its own
    commit, unlocked) left a vote with no like behind it, for good (a like again was a
    repeat)."""
    if user_id is None:
        return 0
    liked = Like.objects.filter(user_id=user_id, video_id=video_id).exists()
    return challenge_vote_record(
        video_ids=[video_id], user_id=user_id, kind=VoteKind.LIKE, undo=not liked
    )


def challenge_vote_record(
    *, video_ids: Sequence[int], user_id: int | None, kind: str, undo: bool = False
) -> int:
    """Count (or, with undo, uncount: an unlike) one account's like, share or completion of
    each of these videos in every open challenge it entered; returns how many entries changed.
    One query finds the entries of all the videos (a batch of interactions finishes several:
    a query each cost most of a batch's time, challenges or not).

    Anonymous events, the video owner's own and repeats by the same account change nothing;
    nor does anything once a challenge has ended (its leaderboard is frozen)."""
    if user_id is None or not video_ids:
        return 0
    params = {"videos": int_array(video_ids), "now": timezone.now(), "user": user_id}
    entries = [row[0] for row in binary_rows(_OPEN_ENTRIES_SQL, params, prepare=True)]
    counter = _COUNTER_OF_KIND[VoteKind(kind)]
    weight = vote_weight(kind)
    changed = 0
    for entry_id in entries:
        with transaction.atomic():
            if undo:
                removed, _ = ChallengeVote.objects.filter(
                    entry_id=entry_id, user_id=user_id, kind=kind
                ).delete()
                delta = -1 if removed else 0
            else:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {table(ChallengeVote)} (entry_id, user_id, kind, created_at) "
                        "VALUES (%s, %s, %s, now()) ON CONFLICT DO NOTHING RETURNING id",
                        [entry_id, user_id, kind],
                    )
                    delta = 1 if cursor.fetchone() else 0
            if delta:
                ChallengeEntry.objects.filter(pk=entry_id).update(
                    **{counter: F(counter) + delta}, score=F("score") + delta * weight
                )
                changed += 1
    return changed


def challenge_entries_sweep() -> int:
    """Join videos of open challenges whose hashtag rows were recorded after they were
    published (a caption edit, or the hashtag parser running after the publish event), and of
    challenges ended within CHALLENGE_LATE_PUBLISH_HOURS the videos uploaded before the end and
    published after it; then recount the open ones' entries anyone may see. One query per
    challenge for the candidates; returns how many entries were added."""
    now = timezone.now()
    added = 0
    sweeping = list(
        Challenge.objects.listed().filter(
            starts_at__lte=now, ends_at__gt=now - _late_publish_grace()
        )
    )
    open_now = [challenge for challenge in sweeping if challenge.ends_at > now]
    for challenge in sweeping:
        # An ended one takes only what was uploaded with the hashtag before its end and
        # published after it.
        ended = challenge.ends_at <= now
        published_from = challenge.ends_at if ended else challenge.starts_at
        tags = VideoHashtag.objects.filter(hashtag_id=challenge.hashtag_id)
        if ended:
            tags = tags.filter(created_at__lt=challenge.ends_at)
        candidates = tags.exclude(video__challenge_entries__challenge=challenge).filter(
            video__published_at__gte=published_from,
            video__created_at__lt=challenge.ends_at,
            video__published_at__lt=challenge.ends_at + _late_publish_grace(),
        )
        if challenge.sound_id is not None:
            candidates = candidates.filter(video__sound_id=challenge.sound_id)
        for video_id in candidates.values_list("video_id", flat=True)[:1000]:
            added += int(_entry_add(challenge=challenge, video_id=video_id))
    # entries that went private, were hidden or deleted since they joined leave the number
    challenge_entry_counts_refresh(challenge_ids=[challenge.pk for challenge in open_now])
    return added


def challenge_exploration_video_ids() -> list[int]:
    """Recent videos of open challenges that anyone may see, newest first, for the feed's
    exploration budget to draw from (a list kept by the Discover refresh: one Redis read)."""
    return lists.exploration_read()
