"""Discover reads: the sections from the stored lists (plus one visibility-checked card query),
a section's "see all" pages, a challenge and its leaderboard."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from discover import lists
from discover.challenges import challenge_entries_counted_sql
from discover.models import Challenge, ChallengeEntry
from discover.refresh import challenge_item, discover_lists_refresh
from discover.suggestions import suggested_creators
from profiles.selectors import active_user_ids, hidden_user_ids
from profiles.viewers import is_signed_in
from sounds.models import Sound
from sounds.selectors import public_sound_ids, sound_may_see
from tiktok.db.sql import table
from tiktok.errors import InvalidInput, NotFound
from videos.cards import cards_for_ids
from videos.models import Video
from videos.selectors.hashtags import public_hashtags
from videos.visibility import visible_videos, visible_where

# A section's stored items are checked for this many more than the slice asks (a few may have
# left since the refresh).
SHOWN_CHECK_MARGIN = 10

SECTION_TITLES = {
    "videos": "Trending videos",
    "hashtags": "Rising hashtags",
    "sounds": "Trending sounds",
    "challenges": "Active challenges",
    "creators": "Suggested creators",
}


def _stored_lists() -> dict[str, list[Any]]:
    stored = lists.lists_read()
    if stored is None:  # never computed on this Redis (a fresh install): compute once now
        discover_lists_refresh()
        stored = lists.lists_read() or {}
    return stored


def _visible_ids(*, viewer: Any, video_ids: list[int]) -> list[int]:
    """The ids the viewer may see, in the given order (one query)."""
    if not video_ids:
        return []
    where, params = visible_where(viewer=viewer)
    video = Video._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {video}.id FROM {video} WHERE {video}.id = ANY(%s) AND {where}",
            [list(video_ids), *params],
        )
        allowed = {row[0] for row in cursor}
    return [video_id for video_id in video_ids if video_id in allowed]


def _open_now(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        item
        for item in items
        if parse_datetime(item["starts_at"]) <= now < parse_datetime(item["ends_at"])
    ]


def _section_items(
    *,
    section: str,
    items: list[Any],
    viewer: Any,
    offset: int,
    limit: int,
    hidden: set[int] | None = None,
) -> tuple[list[Any], bool]:
    """One slice of a section as the viewer sees it, and whether more follow. `hidden`: the
    viewer's `hidden_user_ids` if already read (the overview reads them once for all)."""
    if section == "videos":
        # Most stored ids are visible to everyone (the list is of public videos); reading a
        # few more than asked covers the ones a block hides from this viewer.
        # Widened while it holds too few (a viewer who blocked a creator of many of them): a
        # short page 1 with page 2 cut further on skipped the ones between.
        window = offset + limit * 2 + 10
        while True:
            visible = _visible_ids(viewer=viewer, video_ids=items[:window])
            if len(visible) > offset + limit or window >= len(items):
                break
            window *= 2
        page = visible[offset : offset + limit]
        more = len(visible) > offset + limit or len(items) > window
        return cards_for_ids(video_ids=page, viewer=viewer), more
    if section == "creators":
        return _creators_slice(pool=items, viewer=viewer, offset=offset, limit=limit)
    # Checked a window at a time, until the slice and one more item are found: the whole
    # stored list (100 sounds, each under every audience condition) cost more than the rest of
    # the page.
    wanted = offset + limit + 1
    window = wanted + SHOWN_CHECK_MARGIN
    names_creators = section in ("sounds", "challenges")
    if hidden is None:
        hidden = hidden_user_ids(viewer=viewer) if names_creators else set()
    kept: list[Any] = []
    for start in range(0, len(items), window):
        chunk = items[start : start + window]
        shown = _still_shown_ids(section=section, ids=[item["id"] for item in chunk])
        chunk = [item for item in chunk if item["id"] in shown]
        if section == "challenges":
            chunk = _sounds_checked(_open_now(chunk), hidden=hidden)
        if names_creators:
            chunk = _not_from_hidden_creators(chunk, hidden=hidden)
        kept += chunk
        if len(kept) >= wanted:
            break
    return kept[offset : offset + limit], len(kept) > offset + limit


def _creators_slice(
    *, pool: list[dict[str, Any]], viewer: Any, offset: int, limit: int
) -> tuple[list[Any], bool]:
    """Suggested creators as this viewer should see them, checked as shown to anyone only
    among those chosen (the pool holds thousands): a creator found suspended since the
    refresh is left out and the choice made again without them."""
    left_out: set[int] = set()
    while True:
        chosen, more = suggested_creators(
            viewer=viewer, pool=pool, count=offset + limit, left_out=left_out
        )
        ids = {item["id"] for item in chosen}
        gone = ids - active_user_ids(user_ids=ids)
        if not gone:
            return chosen[offset:], more
        left_out |= gone


def _still_shown_ids(*, section: str, ids: list[int]) -> set[int]:
    """Of a section's stored ids, those its owning app still shows to anyone (one query), as
    `_visible_ids` does for videos: the lists are as the last refresh left them (up to
    DISCOVER_REFRESH_SECONDS old, or for good should beat stop), and a sound moderation hid, a
    suspended creator or their challenge, a hashtag whose last public video went private leave
    at once."""
    if not ids:
        return set()
    if section == "hashtags":
        rows = public_hashtags().filter(pk__in=ids)
    elif section == "sounds":
        return public_sound_ids(sound_ids=ids)
    elif section == "challenges":
        rows = Challenge.objects.listed().filter(pk__in=ids)
    else:
        return active_user_ids(user_ids=ids)
    return set(rows.values_list("pk", flat=True))


def _sounds_checked(items: list[dict[str, Any]], *, hidden: set[int]) -> list[dict[str, Any]]:
    """Challenges naming their sound only when the viewer may see it, as the challenge's page
    does (a sound moderation hid, a creator suspended or blocked either way since)."""
    ids = {item["sound_id"] for item in items if item.get("sound_id")}
    if not ids:
        return items
    shown = public_sound_ids(sound_ids=ids)
    if hidden and shown:
        shown -= set(
            Sound.objects.filter(pk__in=shown, creator_id__in=hidden).values_list("pk", flat=True)
        )
    return [
        {**item, "sound_id": item["sound_id"] if item.get("sound_id") in shown else None}
        for item in items
    ]


def _not_from_hidden_creators(
    items: list[dict[str, Any]], *, hidden: set[int]
) -> list[dict[str, Any]]:
    """Sounds and challenges without those of creators blocked either way (`hidden`, from
    `hidden_user_ids`; search leaves them out too), without the stored creator id."""
    return [
        {key: value for key, value in item.items() if key != "creator_id"}
        for item in items
        if item.get("creator_id") not in hidden or item.get("creator_id") is None
    ]


# Anonymous visitors all see the same overview: kept per process for a few seconds and per
# refresh ({stamp: (monotonic expiry, sections)}).
_anonymous_overview: dict[str, tuple[float, dict[str, Any]]] = {}


def discover_overview(*, viewer: Any) -> dict[str, Any]:
    """Every section's first items (DISCOVER_PREVIEW_SIZE each) for this viewer."""
    if is_signed_in(viewer) or settings.DISCOVER_ANONYMOUS_CACHE_SECONDS <= 0:
        return _overview(viewer=viewer)
    stamp = lists.refreshed_read()
    cached = _anonymous_overview.get(stamp or "")
    if stamp and cached and cached[0] > time.monotonic() and _videos_still_public(cached[1]):
        return cached[1]
    sections = _overview(viewer=None)
    _anonymous_overview.clear()
    if stamp:
        expiry = time.monotonic() + settings.DISCOVER_ANONYMOUS_CACHE_SECONDS
        _anonymous_overview[stamp] = (expiry, sections)
    return sections


def _videos_still_public(sections: dict[str, Any]) -> bool:
    """Whether every video of a kept anonymous overview is still one anyone may see (one small
    query): a video hidden by moderation, made private or of an owner suspended since stayed
    there, caption and owner, for the cache's seconds."""
    ids = {item["id"] for item in sections["videos"]["results"]}
    return not ids or visible_videos(viewer=None).filter(pk__in=ids).count() == len(ids)


def _overview(*, viewer: Any) -> dict[str, Any]:
    stored = _stored_lists()
    preview = settings.DISCOVER_PREVIEW_SIZE
    hidden = hidden_user_ids(viewer=viewer)
    sections = {}
    for section in lists.SECTIONS:
        items, more = _section_items(
            section=section,
            items=stored.get(section, []),
            viewer=viewer,
            offset=0,
            limit=preview,
            hidden=hidden,
        )
        sections[section] = {"title": SECTION_TITLES[section], "results": items, "more": more}
    return sections


def section_check(section: str) -> str:
    if section not in lists.SECTIONS:
        raise NotFound(
            f"no Discover section {section!r}: one of {', '.join(lists.SECTIONS)}",
            code="unknown_section",
        )
    return section


def discover_section(*, viewer: Any, section: str, offset: int, limit: int) -> dict[str, Any]:
    """A "see all" page of one section: offset-paged over its stored list."""
    section_check(section)
    stored = _stored_lists()
    items, more = _section_items(
        section=section, items=stored.get(section, []), viewer=viewer, offset=offset, limit=limit
    )
    return {
        "section": section,
        "title": SECTION_TITLES[section],
        "results": items,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


def challenge_get(*, challenge_id: Any) -> Challenge:
    try:
        pk = int(challenge_id)
    except (TypeError, ValueError):
        raise InvalidInput("a challenge id is a number", code="invalid_id") from None
    challenge = (
        Challenge.objects.listed().select_related("hashtag", "sound", "creator").filter(pk=pk)
    )
    found = challenge.first()
    if found is None:
        raise NotFound(f"no challenge {pk}")
    return found


def challenge_detail(*, challenge: Challenge, viewer: Any = None) -> dict[str, Any]:
    """The challenge's header; its creator is not named to a viewer they are blocked from
    either way, nor its sound to a viewer who may not see it (`sound` is None)."""
    now = timezone.now()
    state = (
        "upcoming" if now < challenge.starts_at else "open" if challenge.is_open(now) else "ended"
    )
    sound = challenge.sound
    # Named only to whom the sound's page would show it: moderation may hide it, its creator
    # be suspended or go private, or block this viewer, after the challenge was made.
    if sound is not None and not sound_may_see(sound_id=sound.pk, viewer=viewer):
        sound = None
    return {
        **challenge_item(challenge),
        # counted now: the stored number is recounted only while the challenge is open
        "entry_count": challenge_entry_count(challenge=challenge),
        "rules": challenge.rules,
        "state": state,
        # from ends_at on the leaderboard no longer changes
        "frozen": state == "ended",
        "sound": {"id": sound.pk, "title": sound.title} if sound is not None else None,
        "sound_id": sound.pk if sound is not None else None,
        "creator": (
            challenge.creator.username
            if challenge.creator_id and challenge.creator_id not in hidden_user_ids(viewer=viewer)
            else None
        ),
    }


def challenge_entry_count(*, challenge: Challenge) -> int:
    """The challenge's entries anyone may see, counted now (`entry_count` as stored lags until
    the next Discover refresh)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {challenge_entries_counted_sql('c')} FROM {table(Challenge)} c "
            "WHERE c.id = %s",
            [challenge.pk],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def challenge_leaderboard(
    *, challenge: Challenge, viewer: Any, offset: int, limit: int
) -> dict[str, Any]:
    """Entries the viewer may see, best score first (earliest to join first among equals)."""
    entries = (
        ChallengeEntry.objects.filter(
            challenge=challenge, video__in=visible_videos(viewer=viewer).values("pk")
        )
        .order_by("-score", "joined_at", "id")
        .values("video_id", "likes", "shares", "completions", "score", "joined_at")
    )
    rows = list(entries[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cards = {
        card["id"]: card
        for card in cards_for_ids(video_ids=[r["video_id"] for r in rows], viewer=viewer)
    }
    results = [
        {
            "rank": offset + index + 1,
            "score": row["score"],
            "likes": row["likes"],
            "shares": row["shares"],
            "completions": row["completions"],
            "joined_at": row["joined_at"].isoformat(),
            "video": cards[row["video_id"]],
        }
        for index, row in enumerate(rows)
        if row["video_id"] in cards
    ]
    return {"results": results, "offset": offset, "next_offset": offset + limit if more else None}
