"""Recompute the Discover lists into Redis (the beat task discover.lists_refresh): trending
videos (the feed's list), rising hashtags, trending sounds, active challenges, the creator pool
with each creator's centroid. Pages only read what this stores."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from discover import lists
from discover.challenges import challenge_entrants_counted_sql, challenge_entries_sweep
from discover.models import Challenge, ChallengeEntry
from discover.scoring import velocity_score
from feed.models import Interaction
from feed.public_reads import trending_video_ids
from feed.trending import trending_refresh
from profiles.models import User
from sounds.selectors import public_sounds
from tiktok.db.sql import table
from videos.models import Hashtag, Video, VideoEmbedding, VideoHashtag
from videos.selectors.hashtags import public_hashtags
from videos.versions import active_embedding_version
from videos.visibility import anyone_may_see_sql

_ANYONE_MAY_SEE = anyone_may_see_sql("v")
RECENT_HOURS = 24
BASELINE_DAYS = 7
# Plays count this much less than a new video using a hashtag or sound.
PLAYS_PER_USE = 10.0
_POPULARITY_SQL = "(v.view_count + 10 * v.like_count + 50 * v.share_count)"


def _velocity_rows(*, uses_sql: str, plays_sql: str) -> dict[int, list[float]]:
    """{key: [recent uses, baseline uses, recent plays, baseline plays]} from two queries that
    each return (key, recent, baseline)."""
    params = {"recent": RECENT_HOURS, "baseline": BASELINE_DAYS * 24 + RECENT_HOURS}
    counts: dict[int, list[float]] = {}
    with connection.cursor() as cursor:
        for offset, sql in ((0, uses_sql), (2, plays_sql)):
            cursor.execute(sql, params)
            for key, recent, baseline in cursor:
                row = counts.setdefault(int(key), [0.0, 0.0, 0.0, 0.0])
                row[offset], row[offset + 1] = float(recent), float(baseline)
    return counts


def _ranked(counts: dict[int, list[float]]) -> list[tuple[int, float, float, float]]:
    """(key, score, recent uses, recent plays), best first, only keys with recent activity."""
    ranked = []
    for key, (uses, uses_before, plays, plays_before) in counts.items():
        recent = uses + plays / PLAYS_PER_USE
        baseline = (uses_before + plays_before / PLAYS_PER_USE) / BASELINE_DAYS
        score = velocity_score(recent=recent, baseline_per_day=baseline)
        if score > 0:
            ranked.append((key, score, uses, plays))
    ranked.sort(key=lambda row: (-row[1], -row[0]))
    return ranked


def _window_counts(what: str, at: str) -> str:
    """COUNT(what) in the last RECENT_HOURS and in the baseline before them, by time `at`."""
    return (
        f"COUNT({what}) FILTER (WHERE {at} >= now() - make_interval(hours => %(recent)s)), "
        f"COUNT({what}) FILTER (WHERE {at} < now() - make_interval(hours => %(recent)s))"
    )


# A use is a public video published with the hashtag or sound, each creator once per day
# (one account's many videos, or captions edited to drop and re-add a tag, are one use):
# creator-days, as plays count viewer-days (`_VIEWERS`), so the same five creators posting
# every day are a baseline of five a day, not five over the week, and do not look rising.
_PUBLISHED = "COALESCE(v.published_at, v.created_at)"
_CREATOR_DAYS = _window_counts(
    f"DISTINCT (v.owner_id, floor(EXTRACT(EPOCH FROM now() - {_PUBLISHED}) / 86400))", _PUBLISHED
)

# Plays as trending counts them: each signed-in viewer once per video in each window (the
# last RECENT_HOURS, the baseline before it), at their first play in it; anonymous plays
# never (anyone can send any number). `p.at` is that play's time. A hashtag or sound counts
# the viewers among them per day (`_VIEWERS`), not the plays: one account playing every video
# of a tag is one viewer, not a rise of hundreds.
_VIEWERS_PLAYS = (
    "(SELECT i.user_id, i.video_id, MIN(i.created_at) AS at "
    f"FROM {table(Interaction)} i "
    "WHERE i.type = 'play' AND i.user_id IS NOT NULL "
    "AND i.created_at >= now() - make_interval(hours => %(baseline)s) "
    "GROUP BY i.user_id, i.video_id, "
    "i.created_at >= now() - make_interval(hours => %(recent)s)) p"
)
# Viewer-days: a viewer counts once in the last day and once per day of the baseline they
# played in (so a steady audience's mean baseline day is its daily size, not its size / 7).
_VIEWERS = _window_counts(
    "DISTINCT (p.user_id, floor(EXTRACT(EPOCH FROM now() - p.at) / 86400))", "p.at"
)


def rising_hashtags(size: int) -> list[dict[str, Any]]:
    """Hashtags by velocity of new public videos carrying them and of their videos' plays in
    the last day against the week before; quiet ones filled in by video count."""
    counts = _velocity_rows(
        uses_sql=(
            f"SELECT vh.hashtag_id, {_CREATOR_DAYS} "
            f"FROM {table(VideoHashtag)} vh JOIN {table(Video)} v ON v.id = vh.video_id "
            f"WHERE {_PUBLISHED} >= now() - make_interval(hours => %(baseline)s) "
            f"AND {_ANYONE_MAY_SEE} GROUP BY vh.hashtag_id"
        ),
        plays_sql=(
            f"SELECT vh.hashtag_id, {_VIEWERS} "
            f"FROM {_VIEWERS_PLAYS} JOIN {table(VideoHashtag)} vh ON vh.video_id = p.video_id "
            f"JOIN {table(Video)} v ON v.id = p.video_id "
            f"WHERE {_ANYONE_MAY_SEE} GROUP BY vh.hashtag_id"
        ),
    )
    ranked = _ranked(counts)[:size]
    names = dict(
        Hashtag.objects.filter(pk__in=[key for key, *_ in ranked]).values_list("pk", "name")
    )
    items = [
        {
            "id": key,
            "name": names[key],
            "score": round(score, 3),
            "uses_day": int(uses),
            "plays_day": int(plays),
        }
        for key, score, uses, plays in ranked
        if key in names
    ]
    if len(items) < size:
        taken = {item["id"] for item in items}
        for pk, name, video_count in (
            public_hashtags()
            .filter(video_count__gt=0)
            .exclude(pk__in=taken)
            .order_by("-video_count", "-pk")
            .values_list("pk", "name", "video_count")[: size - len(items)]
        ):
            items.append(
                {
                    "id": pk,
                    "name": name,
                    "score": 0.0,
                    "uses_day": 0,
                    "plays_day": 0,
                    "video_count": video_count,
                }
            )
    counts_by_id = dict(
        Hashtag.objects.filter(pk__in=[item["id"] for item in items]).values_list(
            "pk", "video_count"
        )
    )
    for item in items:
        item["video_count"] = counts_by_id.get(item["id"], 0)
    return items


def trending_sounds(size: int) -> list[dict[str, Any]]:
    """Sounds by velocity of new public videos using them and of those videos' plays in the
    last day against the week before; quiet ones filled in by lifetime uses. Hidden sounds
    never appear."""
    counts = _velocity_rows(
        uses_sql=(
            f"SELECT v.sound_id, {_CREATOR_DAYS} "
            f"FROM {table(Video)} v WHERE v.sound_id IS NOT NULL "
            f"AND {_PUBLISHED} >= now() - make_interval(hours => %(baseline)s) "
            f"AND {_ANYONE_MAY_SEE} GROUP BY v.sound_id"
        ),
        plays_sql=(
            f"SELECT v.sound_id, {_VIEWERS} "
            f"FROM {_VIEWERS_PLAYS} JOIN {table(Video)} v ON v.id = p.video_id "
            f"WHERE v.sound_id IS NOT NULL AND {_ANYONE_MAY_SEE} GROUP BY v.sound_id"
        ),
    )
    ranked = _ranked(counts)
    visible = {
        row["pk"]: row
        for row in public_sounds()
        .filter(pk__in=[key for key, *_ in ranked])
        .values("pk", "title", "use_count", "play_count", "creator_id", "creator__username")
    }
    items = []
    for key, score, uses, plays in ranked:
        if key in visible and len(items) < size:
            items.append(_sound_item(visible[key], score=score, uses=uses, plays=plays))
    if len(items) < size:
        taken = {item["id"] for item in items}
        for row in (
            public_sounds()
            .filter(use_count__gt=0)
            .exclude(pk__in=taken)
            .order_by("-use_count", "-pk")
            .values("pk", "title", "use_count", "play_count", "creator_id", "creator__username")[
                : size - len(items)
            ]
        ):
            items.append(_sound_item(row, score=0.0, uses=0, plays=0))
    return items


def _sound_item(row: dict[str, Any], *, score: float, uses: float, plays: float) -> dict[str, Any]:
    return {
        "id": row["pk"],
        "title": row["title"],
        "creator": row["creator__username"],
        # pages leave out a creator blocked either way (and do not show the id)
        "creator_id": row["creator_id"],
        "use_count": row["use_count"],
        "play_count": row["play_count"],
        "score": round(score, 3),
        "uses_day": int(uses),
        "plays_day": int(plays),
    }


def active_challenges(size: int) -> list[dict[str, Any]]:
    """Challenges open now or opening before the next refresh (pages keep those open at read
    time), the most accounts entered first, then the most entries."""
    now = timezone.now()
    soon = now + timedelta(seconds=settings.DISCOVER_REFRESH_SECONDS)
    rows = (
        Challenge.objects.listed()
        .filter(starts_at__lte=soon, ends_at__gt=now)
        .annotate(
            entrants=RawSQL(challenge_entrants_counted_sql(table(Challenge)), [], IntegerField())
        )
        .select_related("hashtag")
        .order_by("-entrants", "-entry_count", "ends_at", "pk")[:size]
    )
    # creator_id: pages leave out a creator blocked either way (and do not show the id).
    return [challenge_item(c) | {"creator_id": c.creator_id} for c in rows]


def challenge_item(challenge: Challenge) -> dict[str, Any]:
    return {
        "id": challenge.pk,
        "title": challenge.title,
        "hashtag": challenge.hashtag.name,
        "sound_id": challenge.sound_id,
        "starts_at": challenge.starts_at.isoformat(),
        "ends_at": challenge.ends_at.isoformat(),
        "entry_count": challenge.entry_count,
    }


def creator_pool(size: int, version: str | None) -> tuple[list[dict[str, Any]], np.ndarray, int]:
    """The most popular active creators of public videos (by their videos' counters), each with
    the unit mean of their videos' vectors in the active version (zero row without any):
    (creators, centroid rows, dimension)."""
    avatar_storage = User._meta.get_field("avatar").storage
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT v.owner_id, u.username, u.display_name, u.avatar, COUNT(*),
                   SUM({_POPULARITY_SQL}),
                   (SELECT AVG(e.embedding)::text FROM {table(VideoEmbedding)} e
                      JOIN {table(Video)} ev ON ev.id = e.video_id
                     WHERE ev.owner_id = v.owner_id AND e.embedding_version = %(version)s
                       AND ev.status = 'ready' AND ev.privacy = 'public'
                       AND ev.hidden_at IS NULL)
            FROM {table(Video)} v JOIN {table(User)} u ON u.id = v.owner_id
            WHERE {_ANYONE_MAY_SEE} AND u.is_active
            GROUP BY v.owner_id, u.username, u.display_name, u.avatar
            ORDER BY SUM({_POPULARITY_SQL}) DESC, v.owner_id DESC
            LIMIT %(size)s
            """,
            {"version": version or "", "size": size},
        )
        rows = cursor.fetchall()
    creators: list[dict[str, Any]] = []
    vectors: list[np.ndarray | None] = []
    dim = 0
    for owner_id, username, display_name, avatar, video_count, popularity, centroid in rows:
        creators.append(
            {
                "id": owner_id,
                "username": username,
                "display_name": display_name or username,
                "avatar_url": avatar_storage.url(avatar) if avatar else None,
                "video_count": video_count,
                "popularity": int(popularity or 0),
            }
        )
        vector = None
        if centroid:
            vector = np.asarray([float(x) for x in centroid.strip("[]").split(",")], np.float32)
            norm = float(np.linalg.norm(vector))
            vector = vector / norm if norm > 0 else None
            dim = len(vector) if vector is not None else dim
        vectors.append(vector)
    matrix = np.zeros((len(creators), dim), dtype=np.float32)
    for index, vector in enumerate(vectors):
        if vector is not None and len(vector) == dim:
            matrix[index] = vector
    return creators, matrix, dim


# The exploration list takes each creator's newest this many videos: one account posting
# dozens to a challenge does not fill the list the feed's exploration draws from.
EXPLORATION_PER_CREATOR = 2


def exploration_ids(size: int) -> list[int]:
    """Recent videos anyone may see in open challenges, newest first, at most
    EXPLORATION_PER_CREATOR of each creator."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM (SELECT entered.*, ROW_NUMBER() OVER "
            "(PARTITION BY owner_id ORDER BY posted DESC, id DESC) AS nth FROM "
            f"(SELECT DISTINCT v.id, v.owner_id, {_PUBLISHED} AS posted "
            f"FROM {table(ChallengeEntry)} ce JOIN {table(Challenge)} c ON c.id = ce.challenge_id "
            f"JOIN {table(Video)} v ON v.id = ce.video_id "
            "WHERE c.starts_at <= %(now)s AND c.ends_at > %(now)s "
            f"AND (c.creator_id IS NULL OR c.creator_id IN "
            f"(SELECT u.id FROM {table(User)} u WHERE u.is_active)) "
            f"AND {_PUBLISHED} >= %(since)s AND {_ANYONE_MAY_SEE}) entered) ranked "
            "WHERE nth <= %(per_creator)s ORDER BY posted DESC, id DESC LIMIT %(size)s",
            {
                "now": now,
                "since": now - timedelta(hours=settings.DISCOVER_EXPLORATION_HOURS),
                "per_creator": EXPLORATION_PER_CREATOR,
                "size": size,
            },
        )
        return [int(video_id) for (video_id,) in cursor]


def discover_lists_refresh() -> dict[str, int]:
    """Join missed challenge entries, then recompute and store every Discover list; returns
    their sizes."""
    size = settings.DISCOVER_LIST_SIZE
    joined = challenge_entries_sweep()
    videos = trending_video_ids(limit=size)
    if videos is None:  # the feed's lists were never computed on this Redis
        trending_refresh()
        videos = trending_video_ids(limit=size) or []
    version = active_embedding_version()
    creators, matrix, dim = creator_pool(settings.DISCOVER_CREATOR_POOL, version)
    sections = {
        "videos": videos,
        "hashtags": rising_hashtags(size),
        "sounds": trending_sounds(size),
        "challenges": active_challenges(size),
        "creators": creators,
    }
    stamp = time.time()
    lists.lists_store(
        sections=sections,
        exploration=exploration_ids(settings.DISCOVER_EXPLORATION_SIZE),
        centroid_meta={
            "version": version or "",
            "stamp": stamp,
            "dim": dim,
            "ids": [creator["id"] for creator in creators],
        },
        centroid_rows=matrix,
        refreshed_at=stamp,
    )
    return {"joined": joined, **{name: len(items) for name, items in sections.items()}}
