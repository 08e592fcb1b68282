"""Tag vectors per embedding version: compute missing/stale ones through the embedder, load them."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction

from embedder_service.client import EmbedderClient, EmbedderError
from tagging.background import BACKGROUND_SENTENCES, background_hash
from tagging.models import Tag, TagBackground, TagEmbedding
from tagging.scoring import TagMatrix, mean_tag_vector
from tiktok.embedder import embedder_client
from tiktok.vectors import normalize_rows
from videos.versions import active_embedding_version

logger = logging.getLogger(__name__)


class TaggingError(RuntimeError):
    """Tags cannot be assigned (no embedding, no tag vectors, embedder on another version)."""


class EmbeddingVersionUnknown(TaggingError):
    """No embedding version is known yet (embedder not up, nothing embedded): retry later."""


@dataclass(frozen=True)
class TagIndex:
    """What scoring needs for one embedding version: tags in order, their vectors, background."""

    embedding_version: str
    tag_ids: tuple[int, ...]
    matrix: TagMatrix
    background: np.ndarray  # (B, D) unit rows


def phrase_instruction() -> str | None:
    """Query-side instruction for instruction-tuned backends (Qwen3-VL); MiniLM ignores it."""
    return settings.TAGGING_PHRASE_INSTRUCTION or None


def tag_phrase_texts(tag: Tag) -> list[str]:
    """The texts embedded for a tag: its phrases (the name when it has none), templated."""
    phrases = sorted({phrase.text for phrase in tag.phrases.all()}) or [tag.name]
    template = settings.TAGGING_PHRASE_TEMPLATE
    return [template.format(phrase=phrase) for phrase in phrases]


def phrases_hash(texts: list[str], instruction: str | None) -> str:
    payload = "\n".join([f"instruction={instruction or ''}", *texts])
    return hashlib.sha256(payload.encode()).hexdigest()


def _vectors_to_bytes(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def _vectors_from_bytes(blob: bytes | memoryview, dim: int) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype=np.float32).reshape(-1, dim)


def _check_version(got: str, want: str) -> None:
    if got != want:
        raise TaggingError(
            f"the embedder serves embedding version {got!r}, not {want!r}: tag vectors for "
            f"{want!r} cannot be computed now"
        )


def tag_vectors_refresh(
    *, embedding_version: str | None = None, client: EmbedderClient | None = None
) -> int:
    """Embed the phrases of every active tag whose vector for the version is missing or stale,
    and the background sentences if needed. Returns how many tag vectors were written.

    Raises EmbedderUnavailable/EmbedderRejected from the embedder, TaggingError when the
    embedder serves another version than the one asked for.
    """
    version = embedding_version or active_embedding_version()
    if not version:
        raise EmbeddingVersionUnknown("no embedding version is known yet (no embedder, no videos)")
    instruction = phrase_instruction()
    stored = dict(
        TagEmbedding.objects.filter(embedding_version=version).values_list("tag_id", "phrases_hash")
    )
    stale: list[tuple[Tag, list[str], str]] = []
    for tag in Tag.objects.filter(is_active=True).prefetch_related("phrases"):
        texts = tag_phrase_texts(tag)
        digest = phrases_hash(texts, instruction)
        if stored.get(tag.pk) != digest:
            stale.append((tag, texts, digest))
    background_stale = not TagBackground.objects.filter(
        embedding_version=version, texts_hash=background_hash()
    ).exists()
    if not stale and not background_stale:
        return 0

    owns_client = client is None
    client = client or embedder_client()
    try:
        all_texts = [text for _, texts, _ in stale for text in texts]
        phrase_result = (
            client.embed_texts(all_texts, instruction=instruction) if all_texts else None
        )
        background_result = (
            client.embed_texts(list(BACKGROUND_SENTENCES)) if background_stale else None
        )
    finally:
        if owns_client:
            client.close()
    for result in (phrase_result, background_result):
        if result is not None:
            _check_version(result.embedding_version, version)

    with transaction.atomic():
        if background_result is not None:
            vectors = normalize_rows(np.asarray(background_result.embeddings, dtype=np.float32))
            TagBackground.objects.update_or_create(
                embedding_version=version,
                defaults={
                    "texts_hash": background_hash(),
                    "dim": vectors.shape[1],
                    "vectors": _vectors_to_bytes(vectors),
                },
            )
        if phrase_result is not None:
            matrix = normalize_rows(np.asarray(phrase_result.embeddings, dtype=np.float32))
            # The tags still there, held to the commit: one deleted while its phrases were
            # embedded (seconds, minutes for a large taxonomy) failed the whole upsert on the
            # foreign key, the other tags' new vectors with it, and the tag step beside it.
            present = set(
                Tag.objects.select_for_update(no_key=True)
                .filter(pk__in=[tag.pk for tag, _, _ in stale])
                .values_list("pk", flat=True)
            )
            rows, offset = [], 0
            for tag, texts, digest in stale:
                phrase_vectors = matrix[offset : offset + len(texts)]
                offset += len(texts)
                if tag.pk not in present:
                    continue
                rows.append(
                    TagEmbedding(
                        tag=tag,
                        embedding_version=version,
                        phrases_hash=digest,
                        embedding=mean_tag_vector(phrase_vectors),
                        phrase_vectors=_vectors_to_bytes(phrase_vectors),
                        phrase_count=len(texts),
                    )
                )
            # An upsert, not delete-then-insert: two refreshes that found the same tags stale
            # (the pipeline's tag steps refresh lazily, beside the admin's task) both write;
            # the second's insert conflicted and failed the tag step, publishing untagged.
            TagEmbedding.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["tag", "embedding_version"],
                update_fields=[
                    "phrases_hash",
                    "embedding",
                    "phrase_vectors",
                    "phrase_count",
                    "updated_at",
                ],
            )
    logger.info("tag vectors refreshed for %s: %d tags", version, len(stale))
    return len(stale)


_index_cache: dict[str, tuple[tuple, TagIndex]] = {}


def tag_index_load(*, embedding_version: str) -> TagIndex | None:
    """The stored vectors of active tags for a version (None when there are none), cached in
    process until a tag vector or the background changes."""
    stamps = tuple(
        TagEmbedding.objects.filter(embedding_version=embedding_version, tag__is_active=True)
        .order_by("tag_id")
        .values_list("tag_id", "phrases_hash", "updated_at")
    )
    background = (
        TagBackground.objects.filter(embedding_version=embedding_version)
        .values_list("texts_hash", "updated_at")
        .first()
    )
    if not stamps or background is None:
        return None
    key = (stamps, background)
    cached = _index_cache.get(embedding_version)
    if cached and cached[0] == key:
        return cached[1]
    rows = list(
        TagEmbedding.objects.filter(embedding_version=embedding_version, tag__is_active=True)
        .order_by("tag_id")
        .only("tag_id", "embedding", "phrase_vectors", "phrase_count")
    )
    per_tag = []
    for row in rows:
        dim = len(row.embedding)
        vectors = _vectors_from_bytes(row.phrase_vectors, dim) if row.phrase_count else None
        per_tag.append(
            vectors
            if vectors is not None and len(vectors)
            else np.asarray(row.embedding, dtype=np.float32)[None, :]
        )
    background_row = TagBackground.objects.get(embedding_version=embedding_version)
    index = TagIndex(
        embedding_version=embedding_version,
        tag_ids=tuple(row.tag_id for row in rows),
        matrix=TagMatrix.build(per_tag),
        background=_vectors_from_bytes(background_row.vectors, background_row.dim),
    )
    _index_cache[embedding_version] = (key, index)
    return index


def tag_index_ensure(*, embedding_version: str) -> TagIndex | None:
    """Refresh missing/stale tag vectors through the embedder, then load them (None: there are
    no active tags). When the embedder cannot help (down, or serving another version) the
    stored vectors are used if any exist."""
    if not Tag.objects.filter(is_active=True).exists():
        return None
    try:
        tag_vectors_refresh(embedding_version=embedding_version)
    except (EmbedderError, TaggingError) as exc:
        index = tag_index_load(embedding_version=embedding_version)
        if index is None:
            # EmbedderUnavailable stays itself so the pipeline retries the step later.
            raise
        logger.warning("tag vectors may be stale for %s: %s", embedding_version, exc)
        return index
    return tag_index_load(embedding_version=embedding_version)
