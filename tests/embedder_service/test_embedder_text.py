"""POST /v1/embed/text on the real MiniLM model, and its error paths."""

from __future__ import annotations

import httpx
import numpy as np

from embedder_service.client import EmbedderClient


def test_text_embeddings_are_unit_float_vectors_of_the_configured_dim(
    embedder_client: EmbedderClient,
) -> None:
    result = embedder_client.embed_texts(["a cat on a sofa", "stock market news"])
    vectors = np.asarray(result.embeddings, dtype=np.float32)
    assert result.dim == 384
    assert result.embedding_version == "minilm-l6+efflite0:384:v2"
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert result.truncated == [False, False]


def test_similar_sentences_score_higher_than_unrelated_ones(
    embedder_client: EmbedderClient,
) -> None:
    texts = [
        "A kitten is playing with a ball of yarn.",
        "A small cat plays with wool.",
        "The central bank raised interest rates again.",
    ]
    kitten, cat, bank = np.asarray(embedder_client.embed_texts(texts).embeddings)
    assert float(kitten @ cat) > float(kitten @ bank) + 0.3


def test_text_over_the_token_budget_is_truncated_and_flagged(
    embedder_client: EmbedderClient,
) -> None:
    long_text = "skateboarding tricks at the park " * 200  # ~1000 tokens, budget is 256
    result = embedder_client.embed_texts(["short text", long_text])
    assert result.truncated == [False, True]
    assert np.isclose(np.linalg.norm(result.embeddings[1]), 1.0, atol=1e-5)


def test_client_splits_large_lists_into_batches_the_service_accepts(
    embedder_client: EmbedderClient,
) -> None:
    texts = [f"tag phrase number {i}" for i in range(300)]  # service accepts 256 per request
    result = embedder_client.embed_texts(texts)
    assert len(result.embeddings) == 300
    single = embedder_client.embed_texts([texts[299]])
    assert np.allclose(result.embeddings[299], single.embeddings[0], atol=1e-5)


def test_invalid_json_is_refused_with_400(http: httpx.Client) -> None:
    response = http.post(
        "/v1/embed/text", content=b'{"texts": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_empty_texts_list_is_refused_with_400(http: httpx.Client) -> None:
    response = http.post("/v1/embed/text", json={"texts": []})
    assert response.status_code == 400
    assert response.json()["error"] == "empty_texts"


def test_texts_that_are_not_strings_are_refused_with_422(http: httpx.Client) -> None:
    response = http.post("/v1/embed/text", json={"texts": ["ok", 3]})
    assert response.status_code == 422
    assert "texts[1]" in response.json()["detail"]


def test_more_texts_than_the_limit_are_refused_with_413(http: httpx.Client) -> None:
    response = http.post("/v1/embed/text", json={"texts": ["x"] * 257})
    assert response.status_code == 413
    assert response.json()["error"] == "too_many_texts"


def test_body_over_the_size_limit_is_refused_with_413(http: httpx.Client) -> None:
    huge = "word " * (2 * 1024 * 1024)  # 10 MiB; the test service's limit is 8 MiB
    response = http.post("/v1/embed/text", json={"texts": [huge]})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


def test_chunked_body_over_the_size_limit_is_refused_with_413(http: httpx.Client) -> None:
    def chunks():
        yield b'{"texts": ["'
        for _ in range(9):
            yield b"a" * (1024 * 1024)
        yield b'"]}'

    response = http.post(
        "/v1/embed/text", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


def test_form_body_on_embed_text_is_refused_with_415(http: httpx.Client) -> None:
    response = http.post("/v1/embed/text", data={"texts": "hello"})
    assert response.status_code == 415


def test_service_keeps_serving_after_bad_requests(http: httpx.Client) -> None:
    for body in (b"", b"null", b"[1,2]", b'{"texts": "not a list"}', b"\xff\xfe"):
        bad = http.post(
            "/v1/embed/text", content=body, headers={"content-type": "application/json"}
        )
        assert 400 <= bad.status_code < 500
        assert "error" in bad.json()
    assert http.post("/v1/embed/text", json={"texts": ["still alive"]}).status_code == 200


def test_a_huge_text_is_cut_before_it_is_read_and_flagged(embedder_client: EmbedderClient) -> None:
    """A text far past any budget (here 2 MB) is cut to what the budget can read; its vector
    is the one of that beginning."""
    opening = "a dog surfing a wave at sunset "
    huge = opening * 70_000
    result = embedder_client.embed_texts([huge, opening * 200])
    assert result.truncated == [True, True]
    assert np.allclose(result.embeddings[0], result.embeddings[1], atol=1e-5)


def test_json_nested_past_the_parser_is_refused_with_400(http: httpx.Client) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = http.post(
        "/v1/embed/text", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert http.get("/healthz").status_code == 200  # and the connection is still served


def test_a_lone_surrogate_is_refused_with_422(http: httpx.Client) -> None:
    body = '{"texts": ["fine", "\\ud800abc"]}'
    response = http.post(
        "/v1/embed/text", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_text"
    assert "texts[1]" in response.json()["detail"]


def test_leading_whitespace_does_not_push_a_texts_words_past_the_cut(
    embedder_client: EmbedderClient,
) -> None:
    words = "cute cats playing with yarn"
    result = embedder_client.embed_texts([" " * 30_000 + words + "\n\n\t " * 5_000, words])
    assert result.truncated == [False, False]
    assert np.allclose(result.embeddings[0], result.embeddings[1], atol=1e-5)


def test_a_text_of_invisible_characters_only_is_refused_with_422(http: httpx.Client) -> None:
    for blank in ("\u200b\u200b", "\ufeff \u2060", "\u00ad"):
        response = http.post("/v1/embed/text", json={"texts": ["fine", blank]})
        assert response.status_code == 422, blank
        assert response.json()["error"] == "blank_text"
        assert "texts[1]" in response.json()["detail"]
