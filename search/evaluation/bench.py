"""bench_search's catalogue and timing loops: videos captioned from the synthetic vocabulary
with clustered vectors, accounts, hashtags and sounds seeded by COPY, then the fused video
search and autocomplete timed in this process (query embedding timed apart)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection

from feed.evaluation import catalogue
from feed.evaluation.bench_seed import clustered_vectors
from feed.evaluation.bulk import copy_rows
from feed.evaluation.report import percentiles_ms
from feed.evaluation.runner import hnsw_build
from feed.evaluation.synthetic import generate_items
from feed.evaluation.vocabulary import CATEGORIES
from profiles.models import Follow, User
from profiles.services.graph import follower_counts_recount
from search.documents import documents_backfill
from search.evaluation.queries import PARAPHRASES
from search.selectors import search_suggest, sounds_ranked, users_ranked
from search.video_search import (
    SEARCH_INSTRUCTION,
    QueryVector,
    keyword_ranking,
    search_where,
    semantic_ranking,
    trigram_ranking,
    video_search,
)
from sounds.models import Sound, SoundKind
from tiktok.db.sql import table
from tiktok.embedder import embedder_client
from videos.models import Hashtag, Privacy, Video, VideoHashtag

SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "su", "vo", "zen", "bel", "dor", "fi", "gan", "jo")
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jade")
LAST_NAMES = ("Moreau", "Okafor", "Silva", "Tanaka", "Novak", "Haddad", "Berg", "Costa")
VIDEOS_PER_CREATOR = 20
HASHTAGS = 20_000
SOUNDS = 10_000
WARMUP_REQUESTS = 20
FOLLOWS_PER_ACCOUNT = 2
# One video in PRIVATE_EVERY is private; one hashtag in HIDDEN_EVERY is carried only by private
# videos and one original sound in HIDDEN_EVERY is used by none (neither may be suggested).
PRIVATE_EVERY = 50
HIDDEN_EVERY = 20


def _name(rng: np.random.Generator, index: int) -> str:
    parts = [SYLLABLES[int(i)] for i in rng.integers(len(SYLLABLES), size=int(rng.integers(2, 5)))]
    return f"{''.join(parts)}{index}"


def bench_catalogue(
    *, n_videos: int, n_users: int, version: str, dim: int, seed: int, log: Callable[[str], None]
) -> list[str]:
    """Seed the throwaway database; returns the usernames (autocomplete prefixes)."""
    rng = np.random.default_rng(seed)
    usernames = [_name(rng, i) for i in range(n_users)]
    log(f"seeding {n_users} accounts")
    copy_rows(
        User,
        (
            {
                "username": name,
                "password": catalogue.UNUSABLE_PASSWORD,
                "display_name": f"{FIRST_NAMES[i % 10]} {LAST_NAMES[i % 8]}",
            }
            for i, name in enumerate(usernames)
        ),
    )
    _follows_seed(np.random.default_rng(seed + 1), log)
    creator_names = usernames[: max(1, n_videos // VIDEOS_PER_CREATOR)]
    creator_ids = list(User.objects.filter(username__in=creator_names).values_list("pk", flat=True))
    log(f"seeding {n_videos} videos with captions, tags and {dim}-d vectors")
    items = generate_items(n_videos, rng)
    now = datetime.now(UTC)
    video_ids = catalogue.videos_create(
        owner_ids=[creator_ids[i % len(creator_ids)] for i in range(n_videos)],
        captions=[item.title for item in items],
        content_keys=[f"bench-search-{i}" for i in range(n_videos)],
        published_at=[now - timedelta(minutes=i) for i in range(n_videos)],
    )
    catalogue.video_tags_create(video_ids=video_ids, tags=[item.tags for item in items])
    vectors, _ = clustered_vectors(n_videos, dim, max(4, n_videos // 500), rng)
    catalogue.embeddings_create(video_ids=video_ids, vectors=vectors, embedding_version=version)
    words = sorted(
        {w for tags in CATEGORIES.values() for p in tags.values() for w in " ".join(p).split()}
    )
    copy_rows(
        Hashtag,
        (
            {"name": f"{words[i % len(words)]}{i // len(words) or ''}", "video_count": int(c)}
            for i, c in enumerate(rng.zipf(1.5, size=HASHTAGS).clip(1, 1_000_000))
        ),
    )
    copy_rows(
        Sound,
        (
            {
                "title": f"{words[int(rng.integers(len(words)))]} {words[i % len(words)]} beat {i}",
                "creator_id": creator_ids[i % len(creator_ids)],
                "use_count": int(rng.zipf(1.6)),
            }
            for i in range(SOUNDS)
        ),
    )
    _hashtags_and_sounds_use(video_ids, rng)
    log("building search documents and the HNSW index")
    documents_backfill()
    hnsw_build(version=version, dim=dim)
    catalogue.vacuum_analyze()
    return usernames


def _follows_seed(rng: np.random.Generator, log: Callable[[str], None]) -> None:
    """FOLLOWS_PER_ACCOUNT follows each, of accounts drawn by a Zipf law over a shuffled order
    (a few accounts with thousands of followers, most with none), as account search ranks by."""
    ids = np.array(User.objects.order_by("pk").values_list("pk", flat=True))
    popular = rng.permutation(ids)
    followers = np.repeat(ids, FOLLOWS_PER_ACCOUNT)
    followees = popular[(rng.zipf(1.3, size=len(followers)) - 1) % len(popular)]
    pairs = {(int(a), int(b)) for a, b in zip(followers, followees, strict=True) if a != b}
    log(f"seeding {len(pairs)} follows")
    # One count per follow row is the triggers' job in the product; for a bulk load they are
    # off (a popular account's row updated thousands of times) and the counts made once after.
    follows = table(Follow)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {follows} DISABLE TRIGGER profiles_follow_count_write")
    try:
        copy_rows(Follow, ({"follower_id": a, "followee_id": b} for a, b in sorted(pairs)))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {follows} ENABLE TRIGGER profiles_follow_count_write")
    follower_counts_recount()


def _hashtags_and_sounds_use(video_ids: list[int], rng: np.random.Generator) -> None:
    """Link the hashtags and sounds to videos as the product does, so the suggestions' "anyone
    may see it" conditions find what they find in a real catalogue: each hashtag on 1-3 public
    videos (one in HIDDEN_EVERY on a private one only), a third of the sounds uploaded, the
    rest originals each used by one public video (one in HIDDEN_EVERY by none)."""
    private = video_ids[::PRIVATE_EVERY]
    Video.objects.filter(pk__in=private).update(privacy=Privacy.PRIVATE)
    public = np.setdiff1d(np.asarray(video_ids), np.asarray(private))
    hashtag_ids = list(Hashtag.objects.order_by("id").values_list("id", flat=True))
    links = []
    for i, hashtag_id in enumerate(hashtag_ids):
        if i % HIDDEN_EVERY == 0:
            carriers = [private[i % len(private)]]
        else:
            carriers = rng.choice(public, size=int(rng.integers(1, 4)), replace=False).tolist()
        links.extend((int(video_id), hashtag_id) for video_id in carriers)
    with connection.cursor() as cursor:
        # the seeded video_count stands; the count triggers would rewrite it row by row
        cursor.execute(f"ALTER TABLE {table(VideoHashtag)} DISABLE TRIGGER USER")
        copy_rows(VideoHashtag, ({"video_id": v, "hashtag_id": h} for v, h in links))
        cursor.execute(f"ALTER TABLE {table(VideoHashtag)} ENABLE TRIGGER USER")
    sound_ids = list(Sound.objects.order_by("id").values_list("id", flat=True))
    uploaded = [s for i, s in enumerate(sound_ids) if i % 3 == 0]
    Sound.objects.filter(pk__in=uploaded).update(kind=SoundKind.UPLOADED)
    used = [s for i, s in enumerate(sound_ids) if i % 3 and i % HIDDEN_EVERY != 1]
    used = used[: len(public) // 2]  # a tiny catalogue has fewer videos than sounds
    users = rng.choice(public, size=len(used), replace=False).tolist()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Video)} v SET sound_id = p.sound_id FROM "
            "unnest(%s::bigint[], %s::bigint[]) AS p(video_id, sound_id) WHERE v.id = p.video_id",
            [[int(v) for v in users], used],
        )


def bench_queries() -> list[str]:
    """Exact words, misspellings and paraphrases, as people type them."""
    exact = [p for tags in CATEGORIES.values() for phrases in tags.values() for p in phrases[:1]]
    typos = [q[:-2] + q[-1] + q[-2] for q in exact]
    return exact + typos + list(PARAPHRASES.values())


def queries_embed(queries: list[str]) -> tuple[list[QueryVector], str, dict[str, float]]:
    """Each query embedded alone, as a search does: vectors and the embedding's latency."""
    vectors, samples, version = [], [], ""
    with embedder_client() as client:
        for q in queries:
            started = time.perf_counter()
            result = client.embed_texts([q], instruction=SEARCH_INSTRUCTION)
            samples.append(time.perf_counter() - started)
            version = result.embedding_version
            vectors.append(QueryVector(result.embeddings[0], version, None))
    return vectors, version, percentiles_ms(samples)


def _timed(calls: list[Callable[[], Any]], requests: int) -> dict[str, float]:
    for call in calls[:WARMUP_REQUESTS]:
        call()
    samples = []
    for i in range(requests):
        started = time.perf_counter()
        calls[i % len(calls)]()
        samples.append(time.perf_counter() - started)
    return percentiles_ms(samples)


def bench_measure(
    *, queries: list[str], vectors: list[QueryVector], usernames: list[str], requests: int
) -> dict[str, dict[str, float]]:
    """Latency of the fused video search (embedding excluded), the text-only search (what
    runs when the embedder is down), account search (by the video queries, and by usernames
    as typed), sound search and autocomplete."""

    def fused(q: str, vector: QueryVector) -> Callable[[], Any]:
        return lambda: video_search(
            viewer=None, q=q, tag="", cursor=None, limit=12, query_vector=vector
        )

    down = QueryVector(None, vectors[0].version, "embedder_unavailable")
    prefixes = [name[:n] for name in usernames[:200] for n in (1, 2, 3, 5)] + [
        q[:n] for q in queries for n in (2, 4, 7)
    ]
    where = search_where(viewer=None)
    return {
        "path_keyword": _timed(
            [lambda q=q: keyword_ranking(q=q, where=where, limit=100) for q in queries], requests
        ),
        "path_trigram": _timed(
            [lambda q=q: trigram_ranking(q=q, where=where, limit=100) for q in queries], requests
        ),
        "path_semantic": _timed(
            [
                lambda v=v: semantic_ranking(
                    vector=v.vector, version=v.version, where=where, limit=100
                )
                for v in vectors
            ],
            requests,
        ),
        "video_fused": _timed(
            [fused(q, v) for q, v in zip(queries, vectors, strict=True)], requests
        ),
        "video_text": _timed([fused(q, down) for q in queries], requests),
        "users": _timed(
            [lambda q=q: users_ranked(viewer=None, q=q, offset=0, limit=12) for q in queries],
            requests,
        ),
        # Account search as people type a name: 1, 2, 3 and 5 characters of it, or all of it.
        "users_by_name": _timed(
            [
                lambda q=q: users_ranked(viewer=None, q=q, offset=0, limit=12)
                for q in [name[:n] for name in usernames[:200] for n in (1, 2, 3, 5, len(name))]
            ],
            requests,
        ),
        "sounds": _timed(
            [lambda q=q: sounds_ranked(viewer=None, q=q, offset=0, limit=12) for q in queries],
            requests,
        ),
        "suggest": _timed(
            [lambda p=p: search_suggest(viewer=None, q=p) for p in prefixes], requests
        ),
    }
