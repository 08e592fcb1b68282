"""Semantic search through the real embedder service (CPU backend)."""

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
    assert body["method"] == "semantic"
    assert body["items"][0]["id"] == videos[0].pk
