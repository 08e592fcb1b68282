"""Semantic search through the real embedder service (CPU backend)."""

import numpy as np
import pytest

from embedder_service.client import EmbedderClient
from tests.factories import VideoEmbeddingFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_semantic_search_finds_the_video_that_means_the_query(api_client, embedder, settings):  # noqa: ANN001
    captions = ["a kitten playing with yarn", "how to change a car tyre", "pasta carbonara recipe"]
    with EmbedderClient(embedder) as client:
        result = client.embed_texts(captions)
    settings.ACTIVE_EMBEDDING_VERSION = result.embedding_version
    videos = []
    for caption, vector in zip(captions, result.embeddings, strict=True):
        video = VideoFactory(caption=caption)
        VideoEmbeddingFactory(
            video=video, embedding=vector, embedding_version=result.embedding_version
        )
        videos.append(video)
    body = api_client.get("/api/search", {"q": "cute cat"}).json()
    assert body["method"] == "fused"
    assert body["items"][0]["id"] == videos[0].pk


def test_search_within_a_tag_finds_tagged_videos_past_many_nearer_untagged_ones(
    api_client, embedder, settings
):  # noqa: ANN001
    from django.db import connection

    from tests.factories import TagFactory, VideoTagFactory
    from tests.support.planner import PREFER_INDEX, RESET_PREFERENCE
    from videos.vector_index import hnsw_index_ensure

    with EmbedderClient(embedder) as client:
        result = client.embed_texts(["a kitten chasing a ball of yarn", "baking sourdough bread"])
    version = result.embedding_version
    settings.ACTIVE_EMBEDDING_VERSION = version
    kitten, bread = result.embeddings
    rng = np.random.default_rng(3)
    for index in range(30):  # untagged, and all nearer to the query than the tagged video
        video = VideoFactory(caption=f"untagged {index}")
        # Distinct vectors: pgvector's HNSW folds identical ones into one graph element.
        vector = np.asarray(kitten) + rng.normal(scale=0.01, size=len(kitten))
        VideoEmbeddingFactory(
            video=video,
            embedding=(vector / np.linalg.norm(vector)).tolist(),
            embedding_version=version,
        )
    tagged = VideoFactory(caption="bread")
    VideoEmbeddingFactory(video=tagged, embedding=bread, embedding_version=version)
    VideoTagFactory(video=tagged, tag=TagFactory(slug="baking"))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CREATE INDEX inside the transaction
    hnsw_index_ensure(embedding_version=version, dim=len(kitten))
    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)  # the index, as at catalogue scale
        cursor.execute("SET hnsw.ef_search = 10")
    body = api_client.get("/api/search", {"q": "cute cat", "tag": "baking"}).json()
    with connection.cursor() as cursor:
        cursor.execute(RESET_PREFERENCE + "; RESET hnsw.ef_search")
    assert body["method"] == "fused"
    assert [item["id"] for item in body["items"]] == [tagged.pk]
