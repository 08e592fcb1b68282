"""Seeding a throwaway database: creators, ready videos with embeddings and tags, users."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from itertools import islice

import numpy as np
from django.db import connection
from django.utils.text import slugify

from profiles.models import User
from tagging.models import Tag, TagCategory, TagSource, VideoTag
from tiktok.db.sql import table
from videos.models import Privacy, Video, VideoEmbedding, VideoStatus
from videos.services.hashtags import hashtags_backfill

from .bulk import copy_rows
from .vocabulary import CATEGORIES, tag_category

VIDEO_DURATION_S = 30.0
# Videos per COPY (and per transaction) when a catalogue is loaded.
VIDEO_COPY_BATCH = 2000
UNUSABLE_PASSWORD = "!evaluation-user"


def users_create(usernames: Sequence[str]) -> dict[str, int]:
    """Users with unusable passwords; returns username -> id."""
    copy_rows(
        User,
        (
            {"username": name, "password": UNUSABLE_PASSWORD, "display_name": name[:64]}
            for name in usernames
        ),
    )
    wanted = set(usernames)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, username FROM {table(User)}")
        return {username: user_id for user_id, username in cursor.fetchall() if username in wanted}


def tag_slug(tag: str) -> str:
    return (slugify(tag) or hashlib.sha1(tag.encode()).hexdigest()[:12])[:64]


def tags_create(tag_names: Sequence[str]) -> dict[str, int]:
    """Tag rows (and the vocabulary's broad categories for known tags); returns slug -> id."""
    known = tag_category()
    categories = {
        slug: TagCategory.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
        for slug in CATEGORIES
    }
    slugs: dict[str, str] = {}
    for name in tag_names:
        slugs.setdefault(tag_slug(name), name)
    Tag.objects.bulk_create(
        [
            Tag(
                slug=slug,
                name=name[:100],
                category=categories.get(known.get(slug, slug if slug in CATEGORIES else "")),
            )
            for slug, name in slugs.items()
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return dict(Tag.objects.filter(slug__in=list(slugs)).values_list("slug", "id"))


def videos_create(
    *,
    owner_ids: Sequence[int],
    captions: Sequence[str],
    content_keys: Sequence[str],
    published_at: Sequence[datetime],
    view_counts: Sequence[int] | None = None,
    like_counts: Sequence[int] | None = None,
    share_counts: Sequence[int] | None = None,
    link_hashtags: bool = True,
) -> list[int]:
    """Ready public videos without media files; returns their ids in input order. The captions'
    #hashtags are linked as on upload unless `link_hashtags` is false (a caller that links
    them itself, in bulk)."""
    n = len(captions)
    views = view_counts if view_counts is not None else [0] * n
    likes = like_counts if like_counts is not None else [0] * n
    shares = share_counts if share_counts is not None else [0] * n
    hashes = [hashlib.sha256(f"evaluation:{key}".encode()).hexdigest() for key in content_keys]
    rows = (
        {
            "owner_id": owner_ids[i],
            "caption": captions[i][:2200],
            "privacy": Privacy.PUBLIC,
            "status": VideoStatus.READY,
            "content_hash": hashes[i],
            "duration_s": VIDEO_DURATION_S,
            "width": 720,
            "height": 1280,
            "has_audio": True,
            "transcript_segments": [],
            "view_count": int(views[i]),
            "like_count": int(likes[i]),
            "share_count": int(shares[i]),
            "created_at": published_at[i],
            "published_at": published_at[i],
        }
        for i in range(n)
    )
    # A COPY per VIDEO_COPY_BATCH rows, each its own transaction: the public-count trigger
    # locks each owner for the length of the transaction, and 19,000 creators in one ran out
    # of PostgreSQL's lock table ("out of shared memory").
    while copy_rows(Video, islice(rows, VIDEO_COPY_BATCH)):
        pass
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, content_hash, owner_id FROM {table(Video)}")
        by_key = {(h, owner): video_id for video_id, h, owner in cursor.fetchall()}
    video_ids = [by_key[(hashes[i], owner_ids[i])] for i in range(n)]
    # Captions' #hashtags become Hashtag rows, as on upload (the feed's hashtag source).
    if link_hashtags and any("#" in caption for caption in captions):
        hashtags_backfill(video_ids=video_ids)
    return video_ids


def embeddings_create(
    *, video_ids: Sequence[int], vectors: np.ndarray, embedding_version: str
) -> None:
    vectors = np.asarray(vectors, dtype=np.float32)
    dim = int(vectors.shape[1])
    copy_rows(
        VideoEmbedding,
        (
            {
                "video_id": video_id,
                "embedding_version": embedding_version,
                "dim": dim,
                "embedding": vectors[i],
                "missing": [],
            }
            for i, video_id in enumerate(video_ids)
        ),
    )


def video_tags_create(*, video_ids: Sequence[int], tags: Sequence[Sequence[str]]) -> None:
    """Creator tags (score 1) so explanations and cold start have something to work with."""
    tag_ids = tags_create(sorted({tag for item_tags in tags for tag in item_tags}))
    rows = []
    for video_id, item_tags in zip(video_ids, tags, strict=True):
        seen: set[int] = set()
        for rank, tag in enumerate(item_tags):
            tag_id = tag_ids[tag_slug(tag)]
            if tag_id in seen:
                continue
            seen.add(tag_id)
            rows.append(
                {
                    "video_id": video_id,
                    "tag_id": tag_id,
                    "score": 1.0,
                    "rank": rank,
                    "source": TagSource.CREATOR,
                }
            )
    copy_rows(VideoTag, rows)


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum_analyze() -> None:
    """After a bulk load: statistics, plus hint bits and the visibility map set once here
    rather than by the first queries that read each page (what a settled database looks like)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
