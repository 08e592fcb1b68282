"""tagging.refresh_tag_embeddings with the real embedder: only missing/stale vectors are made."""

from __future__ import annotations

import numpy as np
import pytest

from tagging.models import TagBackground, TagEmbedding, TagPhrase
from tagging.services.vectors import tag_index_load
from tagging.tasks import refresh_tag_embeddings
from tests.factories import TagFactory, TagPhraseFactory

pytestmark = pytest.mark.django_db


def test_refresh_embeds_missing_and_stale_tags_only(embedder, settings) -> None:  # noqa: ANN001
    settings.ACTIVE_EMBEDDING_VERSION = ""
    cats, dogs = TagFactory(slug="cats"), TagFactory(slug="dogs")
    TagPhraseFactory(tag=cats, text="cat")
    TagPhraseFactory(tag=dogs, text="dog")

    assert refresh_tag_embeddings.apply().get() == 2
    version = TagEmbedding.objects.get(tag=cats).embedding_version
    assert TagBackground.objects.filter(embedding_version=version).exists()
    assert refresh_tag_embeddings.apply().get() == 0

    before = np.asarray(TagEmbedding.objects.get(tag=cats).embedding)
    TagPhrase.objects.filter(tag=cats).update(text="kitten")
    assert refresh_tag_embeddings.apply().get() == 1
    after = np.asarray(TagEmbedding.objects.get(tag=cats).embedding)
    assert float(before @ after) < 0.999

    index = tag_index_load(embedding_version=version)
    assert index is not None and len(index.tag_ids) == 2 and index.matrix.dim == 384


@pytest.mark.django_db(transaction=True)
def test_a_tag_deleted_while_its_phrases_are_embedded_leaves_the_others_refreshed(
    embedder,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    # Its row was upserted with the others: the commit failed on the foreign key and every
    # tag's new vector was lost (and the tag step refreshing beside it failed).
    from tagging.models import Tag
    from tagging.services.vectors import tag_vectors_refresh
    from tiktok.embedder import embedder_client

    settings.ACTIVE_EMBEDDING_VERSION = ""
    cats, dogs = TagFactory(slug="cats"), TagFactory(slug="dogs")
    TagPhraseFactory(tag=cats, text="cat")
    TagPhraseFactory(tag=dogs, text="dog")
    real = embedder_client()

    class DeletingMeanwhile:
        """The real embedder; the operator deletes a tag while it embeds the phrases."""

        def embed_texts(self, texts, **kwargs):  # noqa: ANN001, ANN003, ANN202
            Tag.objects.filter(pk=dogs.pk).delete()
            return real.embed_texts(texts, **kwargs)

        def close(self) -> None:
            real.close()

    tag_vectors_refresh(client=DeletingMeanwhile())

    assert list(TagEmbedding.objects.values_list("tag__slug", flat=True)) == ["cats"]
