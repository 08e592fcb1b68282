"""Assign tags to videos: score, calibrate, keep 0..K, add the creator hashtags."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction

from tagging.events import video_tags_changed_announce
from tagging.hashtags import caption_hashtags, hashtag_key
from tagging.models import Tag, TagSource, VideoTag
from tagging.scoring import calibrate, select_tags, tag_scores
from tagging.services.vectors import (
    TaggingError,
    TagIndex,
    tag_index_ensure,
    tag_index_load,
    tag_vectors_refresh,
)
from videos.models import Video, VideoEmbedding, VideoStatus
from videos.versions import active_embedding_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TagChoice:
    tag_id: int
    score: float
    confidence: float
    source: str


def score_videos(
    vectors: np.ndarray, index: TagIndex, *, pooling: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Raw cosine scores and calibrated confidences (N x T) of video vectors against the index."""
    pooling = pooling or settings.TAGGING_PHRASE_POOLING
    scores = tag_scores(vectors, index.matrix, pooling)
    background = tag_scores(index.background, index.matrix, pooling)
    return scores, calibrate(scores, background)


def choose_tags(
    scores: np.ndarray,
    confidences: np.ndarray,
    index: TagIndex,
    *,
    creator_tag_ids: Sequence[int] = (),
    max_tags: int | None = None,
    min_confidence: float | None = None,
    relative_floor: float | None = None,
) -> list[TagChoice]:
    """One video's tags, best first: the calibrated top-K auto tags plus its creator tags."""
    kept = select_tags(
        confidences,
        max_tags=settings.TAGGING_MAX_TAGS if max_tags is None else max_tags,
        min_confidence=settings.TAGGING_MIN_CONFIDENCE
        if min_confidence is None
        else min_confidence,
        relative_floor=settings.TAGGING_RELATIVE_FLOOR
        if relative_floor is None
        else relative_floor,
        distinct_min_confidence=settings.TAGGING_DISTINCT_MIN_CONFIDENCE,
        distinct_margin=settings.TAGGING_DISTINCT_MARGIN,
    )
    column = {tag_id: j for j, tag_id in enumerate(index.tag_ids)}
    creator = set(creator_tag_ids)
    choices = {
        index.tag_ids[j]: TagChoice(
            tag_id=index.tag_ids[j],
            score=float(scores[j]),
            confidence=float(confidences[j]),
            source=TagSource.CREATOR if index.tag_ids[j] in creator else TagSource.AUTO,
        )
        for j in kept
    }
    for tag_id in creator - set(choices):
        j = column.get(tag_id)
        choices[tag_id] = TagChoice(
            tag_id=tag_id,
            score=float(scores[j]) if j is not None else 0.0,
            confidence=float(confidences[j]) if j is not None else 0.0,
            source=TagSource.CREATOR,
        )
    return sorted(choices.values(), key=lambda choice: -choice.confidence)


def hashtag_tag_ids(captions: Sequence[str]) -> list[list[int]]:
    """For each caption, the active tags its hashtags name (by slug, name or phrase)."""
    wanted = [[hashtag_key(tag) for tag in caption_hashtags(caption)] for caption in captions]
    if not any(wanted):
        return [[] for _ in captions]
    by_key: dict[str, int] = {}
    for tag in Tag.objects.filter(is_active=True).prefetch_related("phrases"):
        for text in (*[phrase.text for phrase in tag.phrases.all()], tag.name):
            by_key.setdefault(hashtag_key(text), tag.pk)
    for tag in Tag.objects.filter(is_active=True).only("pk", "slug"):
        by_key[hashtag_key(tag.slug)] = tag.pk  # a slug wins over another tag's phrase
    # A phrase or name of emoji only has no hashtag key: "" would tag every caption with #_.
    by_key.pop("", None)
    result = []
    for keys in wanted:
        ids = [by_key[key] for key in keys if key in by_key]
        result.append(list(dict.fromkeys(ids)))
    return result


def _store(
    video_ids: Sequence[int],
    choices_per_video: Sequence[list[TagChoice]],
    creator_ids_per_video: Sequence[list[int]] | None = None,
) -> list[int]:
    """Replace the auto tags of the videos and upsert their creator tags, in one transaction;
    returns the ids of the videos stored (those deleted meanwhile are left out). A creator tag
    stays while the caption names it (`creator_ids_per_video`: the tags the captions' hashtags
    name now), re-scored and re-ranked; one whose hashtag the creator removed goes (it stayed
    on the card and the tag's page as the creator's own choice)."""
    with transaction.atomic():
        # One re-tag of a video at a time (a pipeline tag step beside "Re-tag all videos", or
        # that action clicked twice): both deleted, then both inserted the same rows, and the
        # second failed on the unique (video, tag). A video deleted since its vector was read
        # is not there to lock: its rows failed the whole batch's commit on the foreign key.
        alive = set(
            Video.objects.select_for_update(no_key=True)
            .filter(pk__in=video_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        kept = [(index, video_id) for index, video_id in enumerate(video_ids) if video_id in alive]
        stored = [video_id for _, video_id in kept]
        VideoTag.objects.filter(video_id__in=stored, source=TagSource.AUTO).delete()
        existing = {
            (row.video_id, row.tag_id): row
            for row in VideoTag.objects.filter(video_id__in=stored, source=TagSource.CREATOR)
        }
        new_rows, updated, dropped = [], [], []
        for index, video_id in kept:
            choices = choices_per_video[index]
            chosen = {choice.tag_id for choice in choices}
            named = set(creator_ids_per_video[index]) if creator_ids_per_video is not None else None
            leftovers = [row for (vid, tid), row in existing.items() if vid == video_id]
            leftovers = [row for row in leftovers if row.tag_id not in chosen]
            if named is not None:
                dropped += [row.pk for row in leftovers if row.tag_id not in named]
                leftovers = [row for row in leftovers if row.tag_id in named]
            for rank, choice in enumerate(choices):
                row = existing.get((video_id, choice.tag_id))
                if row is None:
                    new_rows.append(
                        VideoTag(
                            video_id=video_id,
                            tag_id=choice.tag_id,
                            score=choice.score,
                            confidence=choice.confidence,
                            rank=rank,
                            source=choice.source,
                        )
                    )
                else:
                    row.score, row.confidence, row.rank = choice.score, choice.confidence, rank
                    updated.append(row)
            for rank, row in enumerate(leftovers, start=len(choices)):
                row.rank = rank
                updated.append(row)
        VideoTag.objects.filter(pk__in=dropped).delete()
        VideoTag.objects.bulk_update(updated, ["score", "confidence", "rank"])
        VideoTag.objects.bulk_create(new_rows)
    return stored


def video_tags_assign(
    *, video_id: int, caption: str, vector: np.ndarray, embedding_version: str
) -> list[VideoTag]:
    """Tag one video from its vector in one embedding version (what the pipeline's embed step
    produced): replaces its auto tags, keeps its creator tags and adds the ones its caption's
    hashtags name. Raises an embedder error when tag vectors cannot be had."""
    index = tag_index_ensure(embedding_version=embedding_version)
    if index is None:
        return []
    scores, confidences = score_videos(np.asarray(vector, dtype=np.float32)[None, :], index)
    creator_ids = hashtag_tag_ids([caption])[0]
    choices = choose_tags(scores[0], confidences[0], index, creator_tag_ids=creator_ids)
    _store([video_id], [choices], [creator_ids])
    # A ready video re-tagged on its own (`reprocess --step tag --only`) is published by no
    # step after this one, which is what tells search for a video in processing.
    if Video.objects.filter(pk=video_id, status=VideoStatus.READY).exists():
        video_tags_changed_announce(video_ids=[video_id])
    return list(VideoTag.objects.filter(video_id=video_id).select_related("tag").order_by("rank"))


def video_tag_slugs_assign(
    *, video_id: int, caption: str, vector: np.ndarray, embedding_version: str
) -> list[str]:
    """The pipeline's tagger (registered in TaggingConfig.ready()): `video_tags_assign`, as the
    tag slugs the tag step records."""
    tags = video_tags_assign(
        video_id=video_id, caption=caption, vector=vector, embedding_version=embedding_version
    )
    return [video_tag.tag.slug for video_tag in tags]


def video_retag(*, video_id: int) -> int:
    """Re-tag one published video from its stored vector in the served version (its caption
    was edited: a hashtag added names a creator tag, one removed takes it off). Returns how
    many tags it has now; 0 for a video not ready or without a vector in that version."""
    version = active_embedding_version()
    row = (
        VideoEmbedding.objects.filter(
            video_id=video_id, embedding_version=version, video__status=VideoStatus.READY
        )
        .select_related("video")
        .only("embedding", "video__caption")
        .first()
        if version
        else None
    )
    if row is None:
        return 0
    tags = video_tags_assign(
        video_id=video_id,
        caption=row.video.caption,
        vector=np.asarray(row.embedding, dtype=np.float32),
        embedding_version=version,
    )
    return len(tags)


def videos_retag_all(*, embedding_version: str | None = None, batch_size: int | None = None) -> int:
    """Re-tag every video embedded with the version (default: the active one), one matrix
    product per batch. Returns how many videos were tagged."""
    version = embedding_version or active_embedding_version()
    if not version:
        raise TaggingError("no embedding version is known yet")
    if not Tag.objects.filter(is_active=True).exists():
        VideoTag.objects.filter(source=TagSource.AUTO).delete()
        return 0
    # Every active tag's vector must be up to date first: with the embedder down the stored
    # (stale or missing) vectors were used, new tags were left out and the operator was told
    # it had worked. Raised, the task retries until the embedder is back.
    tag_vectors_refresh(embedding_version=version)
    index = tag_index_load(embedding_version=version)
    if index is None:
        raise TaggingError(f"no tag vectors for {version} after refreshing them")
    batch_size = batch_size or settings.TAGGING_RETAG_BATCH_SIZE
    # Videos with neither picture nor words (blank, silent, uncaptioned) are not tagged by the
    # pipeline; re-tagging gave them whatever their noise vector was nearest to.
    embeddings = (
        VideoEmbedding.objects.filter(embedding_version=version)
        .exclude(missing__contains=["visual", "text"])
        .order_by("id")
    )
    done, last_id = 0, 0
    while True:
        batch = list(
            embeddings.filter(id__gt=last_id)
            .select_related("video")
            .only("id", "video_id", "embedding", "video__caption")[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].id
        index = tag_index_load(embedding_version=version) or index
        vectors = np.vstack([np.asarray(row.embedding, dtype=np.float32) for row in batch])
        scores, confidences = score_videos(vectors, index)
        creator_ids = hashtag_tag_ids([row.video.caption for row in batch])
        choices = [
            choose_tags(scores[i], confidences[i], index, creator_tag_ids=creator_ids[i])
            for i in range(len(batch))
        ]
        stored = _store([row.video_id for row in batch], choices, creator_ids)
        video_tags_changed_announce(video_ids=stored)
        done += len(batch)
    logger.info("re-tagged %d videos for %s", done, version)
    return done
