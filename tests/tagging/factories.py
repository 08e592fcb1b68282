"""Known tag geometry for tagging tests: store tag vectors and a background without an embedder."""

from __future__ import annotations

import numpy as np

from tagging.background import background_hash
from tagging.models import Tag, TagBackground, TagEmbedding
from tagging.scoring import mean_tag_vector
from tagging.services.vectors import phrase_instruction, phrases_hash, tag_phrase_texts
from tests.factories import TEST_EMBEDDING_VERSION, TagFactory, TagPhraseFactory

DIM = 8


def axis(index: int, dim: int = DIM) -> list[float]:
    vector = np.zeros(dim, dtype=np.float32)
    vector[index] = 1.0
    return vector.tolist()


def blend(weights: dict[int, float], dim: int = DIM) -> list[float]:
    """A unit vector mixing axes, e.g. {0: 1.0, 1: 0.5}."""
    vector = np.zeros(dim, dtype=np.float32)
    for index, weight in weights.items():
        vector[index] = weight
    return (vector / np.linalg.norm(vector)).tolist()


def tag_vectors_store(
    tag: Tag, phrase_vectors: list[list[float]], version: str = TEST_EMBEDDING_VERSION
) -> TagEmbedding:
    """Store fresh vectors for a tag (hash matching its phrases, so nothing calls the embedder)."""
    vectors = np.asarray(phrase_vectors, dtype=np.float32)
    TagEmbedding.objects.filter(tag=tag, embedding_version=version).delete()
    return TagEmbedding.objects.create(
        tag=tag,
        embedding_version=version,
        phrases_hash=phrases_hash(tag_phrase_texts(tag), phrase_instruction()),
        embedding=mean_tag_vector(vectors),
        phrase_vectors=vectors.tobytes(),
        phrase_count=len(vectors),
    )


def background_store(version: str = TEST_EMBEDDING_VERSION, seed: int = 7) -> TagBackground:
    """60 background vectors living mostly on axes 4..7, slightly leaking into 0..3, so a tag on
    axis 0..3 has a small background mean and spread."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(60, DIM)).astype(np.float32)
    vectors[:, :4] *= 0.05
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return TagBackground.objects.update_or_create(
        embedding_version=version,
        defaults={"texts_hash": background_hash(), "dim": DIM, "vectors": vectors.tobytes()},
    )[0]


def tag_on_axis(slug: str, index: int, phrases: tuple[str, ...] = ()) -> Tag:
    """An active tag whose phrases all point along one axis."""
    tag = TagFactory(slug=slug)
    for text in phrases or (slug,):
        TagPhraseFactory(tag=tag, text=text)
    tag_vectors_store(tag, [axis(index)] * max(1, len(phrases or (slug,))))
    return tag
