"""Generated interaction logs for studio tests, written with chosen timestamps (the service
stamps `now()`), and a from-scratch recomputation of the rollups in plain Python."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection

from feed.models import Interaction
from studio.models import FollowChange
from tiktok.db.sql import table
from videos.models import Comment

TYPES = [
    "impression",
    "play",
    "play",
    "pause",
    "skip",
    "finish",
    "rewatch",
    "like",
    "like",
    "unlike",
    "share",
    "save",
    "unsave",
]
SOURCES = ["for_you", "following", "profile", "search", "hashtag", "sound", "share_link", "direct"]


@dataclass
class Log:
    events: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    follows: list[dict] = field(default_factory=list)


def interactions_write(events: list[dict]) -> None:
    """Store events as Interaction rows with their own created_at; fills in each event's id."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(Interaction)} (event_id, user_id, session_id, video_id, type, "
            "watch_ms, traffic_source, created_at) SELECT * FROM unnest(%s::uuid[], "
            "%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::int[], %s::text[], "
            "%s::timestamptz[]) RETURNING id",
            [
                [str(uuid.uuid4()) for _ in events],
                [e["user_id"] for e in events],
                [e["session_id"] for e in events],
                [e["video_id"] for e in events],
                [e["type"] for e in events],
                [e["watch_ms"] for e in events],
                [e["source"] for e in events],
                [e["at"] for e in events],
            ],
        )
        for event, (row_id,) in zip(events, cursor.fetchall(), strict=True):
            event["id"] = row_id


def generate(
    *, seed: int, videos: list, viewers: list, start: dt.datetime, hours: int, n: int
) -> Log:
    """n events over `hours` hours from `start` by signed-in viewers and anonymous sessions,
    comments, and follows (some ended again) of the videos' owners."""
    rng = random.Random(seed)
    log = Log()
    anonymous = [f"anon-{k}" for k in range(12)]
    span_us = hours * 3600 * 1_000_000
    for _ in range(n):
        at = start + dt.timedelta(microseconds=rng.randrange(span_us))
        video = rng.choice(videos)
        kind = rng.choice(TYPES)
        signed_in = rng.random() < 0.6
        user = rng.choice(viewers) if signed_in else None
        log.events.append(
            {
                "user_id": user.pk if user else None,
                "session_id": rng.choice(anonymous) if not user or rng.random() < 0.5 else "",
                "video_id": video.pk,
                "owner_id": video.owner_id,
                "duration_s": video.duration_s,
                "type": kind,
                "watch_ms": rng.randrange(0, 45_000) if kind in ("pause", "skip", "finish") else 0,
                "source": rng.choice(SOURCES),
                "at": at,
            }
        )
    interactions_write(log.events)
    for _ in range(n // 20):
        video = rng.choice(videos)
        at = start + dt.timedelta(microseconds=rng.randrange(span_us))
        comment = Comment.objects.create(video=video, author=rng.choice(viewers), body="nice")
        Comment.objects.filter(pk=comment.pk).update(created_at=at)
        log.comments.append({"video_id": video.pk, "owner_id": video.owner_id, "at": at})
    # Follows land shortly after a signed-in event of the follower on the creator's video, or
    # with no such event nearby (unattributed); some end again later.
    signed = [e for e in log.events if e["user_id"]]
    for _ in range(n // 15):
        event = rng.choice(signed)
        at = event["at"] + dt.timedelta(minutes=rng.choice([1, 10, 29, 45, 90]))
        delta = 1 if rng.random() < 0.75 else -1
        FollowChange.objects.create(
            follower_id=event["user_id"], followee_id=event["owner_id"], delta=delta, created_at=at
        )
        log.follows.append(
            {
                "follower_id": event["user_id"],
                "followee_id": event["owner_id"],
                "delta": delta,
                "at": at,
            }
        )
    return log


def _viewer_key(event: dict) -> str:
    if event["user_id"] is not None:
        return f"u{event['user_id']}"
    if event["session_id"]:
        return f"s{event['session_id']}"
    return f"e{event['id']}"


def recompute(
    log: Log, *, start: dt.datetime, end: dt.datetime, attribution_minutes: int, max_s: int
) -> dict[int, dict]:
    """The rollup of [start, end) per video, from scratch, in plain Python."""
    out: dict[int, dict] = defaultdict(
        lambda: {
            "views": 0,
            "viewers": set(),
            "watch_ms": 0,
            "watch_reports": 0,
            "finishes": 0,
            "likes": 0,
            "comments": 0,
            "shares": 0,
            "saves": 0,
            "follows": 0,
            "traffic_sources": Counter(),
            "retention": None,
        }
    )
    for e in log.events:
        if not start <= e["at"] < end:
            continue
        row = out[e["video_id"]]
        if e["type"] == "play":
            row["views"] += 1
            row["viewers"].add(_viewer_key(e))
            row["traffic_sources"][e["source"]] += 1
        if e["type"] in ("pause", "skip"):
            row["watch_ms"] += e["watch_ms"]
            row["watch_reports"] += 1
            duration = e["duration_s"]
            last = max_s if duration is None else min(int(-(-duration // 1)), max_s)
            if row["retention"] is None:
                row["retention"] = [0] * (last + 1)
            row["retention"][min(e["watch_ms"] // 1000, last)] += 1
        for kind, name in (("finish", "finishes"), ("share", "shares")):
            if e["type"] == kind:
                row[name] += 1
    # Likes and saves: viewers whose latest like/unlike (save/unsave) in the period is a like.
    latest: dict[tuple, dict] = {}
    for e in log.events:
        if start <= e["at"] < end and e["type"] in ("like", "unlike", "save", "unsave"):
            kind = "like" if e["type"] in ("like", "unlike") else "save"
            key = (_viewer_key(e), e["video_id"], kind)
            if key not in latest or (e["at"], e["id"]) > (latest[key]["at"], latest[key]["id"]):
                latest[key] = e
    for e in latest.values():
        row = out[e["video_id"]]  # a video with only an unlike in the period has a row too
        if e["type"] in ("like", "save"):
            row["likes" if e["type"] == "like" else "saves"] += 1
    for c in log.comments:
        if start <= c["at"] < end:
            out[c["video_id"]]["comments"] += 1
    window = dt.timedelta(minutes=attribution_minutes)
    followers_of: dict[int, set[int]] = defaultdict(set)
    for f in log.follows:
        if f["delta"] != 1 or not start <= f["at"] < end:
            continue
        candidates = [
            e
            for e in log.events
            if e["user_id"] == f["follower_id"]
            and e["owner_id"] == f["followee_id"]
            and f["at"] - window <= e["at"] <= f["at"]
        ]
        if candidates:
            latest = max(candidates, key=lambda e: (e["at"], e["id"]))
            followers_of[latest["video_id"]].add(f["follower_id"])
    for video_id, followers in followers_of.items():
        out[video_id]["follows"] = len(followers)  # each follower once
    result = {}
    for video_id, row in out.items():
        viewers = row.pop("viewers")
        row["unique_viewers"] = len(viewers)
        row["traffic_sources"] = dict(row["traffic_sources"])
        row["retention"] = row["retention"] or []
        result[video_id] = row
    return result


def follower_changes(
    log: Log, *, start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for f in log.follows:  # each follower once each way
        if start <= f["at"] < end:
            out[f["followee_id"]][0 if f["delta"] == 1 else 1].add(f["follower_id"])
    return {creator: (len(g), len(lost)) for creator, (g, lost) in out.items()}
