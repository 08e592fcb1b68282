"""The vllm backend against a fake vLLM server: request shape, truncation, retries, outages."""

from __future__ import annotations

import base64
import io
import json
import socket
import time
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from embedder_service.app import create_app
from embedder_service.config import Settings
from tests.embedder_service.fake_vllm import FULL_DIM, FakeVllm, raw_vector_for, shape_problems
from tests.embedder_service.media import textured_jpeg

DIM = 1024


def vllm_settings(url: str, **overrides: object) -> Settings:
    values: dict = {
        "backend": "vllm",
        "dim": DIM,
        "max_text_tokens": 64,
        "vllm_url": url,
        "vllm_max_retries": 2,
        "vllm_retry_backoff_s": 0.01,
        "vllm_timeout_s": 5.0,
        **overrides,
    }
    return Settings(**values)


def wait_ready(client: TestClient) -> None:
    for _ in range(200):
        if client.app.state.models.status == "ok":
            return
        time.sleep(0.05)
    raise AssertionError(f"models not loaded: {client.app.state.models.error}")


@pytest.fixture(scope="module")
def vllm_service(fake_vllm: FakeVllm) -> Iterator[TestClient]:
    with TestClient(create_app(vllm_settings(fake_vllm.url))) as client:
        wait_ready(client)
        yield client


@pytest.fixture
def fake(fake_vllm: FakeVllm) -> FakeVllm:
    fake_vllm.reset()
    return fake_vllm


def expected(body: dict) -> np.ndarray:
    raw = raw_vector_for(body)[:DIM]
    return raw / np.linalg.norm(raw)


def test_health_reports_qwen_version_when_vllm_answers(vllm_service: TestClient, fake) -> None:
    health = vllm_service.get("/healthz")
    assert health.status_code == 200
    assert health.json()["backend"] == "vllm"
    assert health.json()["embedding_version"] == "qwen3-vl-emb-2b:1024:v1"
    assert health.json()["dim"] == DIM


def test_text_request_has_the_chat_embedding_shape(vllm_service: TestClient, fake) -> None:
    response = vllm_service.post("/v1/embed/text", json={"texts": ["a dog surfing"]})
    assert response.status_code == 200, response.text
    (body,) = fake.requests
    assert shape_problems(body) == []
    assert body["model"] == "Qwen/Qwen3-VL-Embedding-2B"
    system, user, assistant = body["messages"]
    assert system["content"] == [{"type": "text", "text": "Represent the user's input."}]
    assert user["content"] == [{"type": "text", "text": "a dog surfing"}]
    assert assistant == {"role": "assistant", "content": ""}
    assert body["continue_final_message"] is True
    assert body["add_special_tokens"] is True
    assert body["encoding_format"] == "float"


def test_instruction_goes_into_the_system_turn(vllm_service: TestClient, fake) -> None:
    instruction = "Retrieve videos relevant to the user's query."
    response = vllm_service.post(
        "/v1/embed/text", json={"texts": ["surfing dogs"], "instruction": instruction}
    )
    assert response.status_code == 200
    assert fake.requests[0]["messages"][0]["content"][0]["text"] == instruction


def test_vectors_are_matryoshka_truncated_and_renormalised(vllm_service: TestClient, fake) -> None:
    response = vllm_service.post("/v1/embed/text", json={"texts": ["one", "two", "three"]})
    payload = response.json()
    vectors = np.asarray(payload["embeddings"])
    assert payload["dim"] == DIM and vectors.shape == (3, DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    by_text = {body["messages"][1]["content"][0]["text"]: body for body in fake.requests}
    assert len(fake.requests) == 3  # one request per item
    for text, vector in zip(["one", "two", "three"], vectors, strict=True):
        assert np.allclose(vector, expected(by_text[text]), atol=1e-5)
    assert FULL_DIM > DIM


def test_long_text_is_cut_to_the_budget_and_flagged(vllm_service: TestClient, fake) -> None:
    response = vllm_service.post("/v1/embed/text", json={"texts": ["ok", "word " * 200]})
    assert response.json()["truncated"] == [False, True]
    sent = [b["messages"][1]["content"][0]["text"] for b in fake.requests]
    assert max(len(text) for text in sent) == 64 * 4  # max_text_tokens * 4 chars per token


def test_video_pools_frames_and_combines_with_text(vllm_service: TestClient, fake) -> None:
    blobs = [textured_jpeg(1), textured_jpeg(2)]
    files = [("frames", (f"f{i}.jpg", blob, "image/jpeg")) for i, blob in enumerate(blobs)]
    response = vllm_service.post(
        "/v1/embed/video", data={"transcript": "hello", "caption": "#red"}, files=files
    )
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["missing"] == []
    image_bodies = [b for b in fake.requests if b["messages"][1]["content"][0]["type"] != "text"]
    text_bodies = [b for b in fake.requests if b["messages"][1]["content"][0]["type"] == "text"]
    assert len(image_bodies) == 2 and len(text_bodies) == 1
    sent_images = sorted(
        base64.b64decode(b["messages"][1]["content"][0]["image_url"]["url"].split(",", 1)[1])
        for b in image_bodies
    )
    assert sent_images == sorted(blobs)
    assert text_bodies[0]["messages"][1]["content"][0]["text"] == "hello\n#red"
    e_vis = np.mean([expected(b) for b in image_bodies], axis=0)
    e_vis /= np.linalg.norm(e_vis)
    e_text = expected(text_bodies[0])
    e_video = 0.7 * e_vis + 0.3 * e_text
    e_video /= np.linalg.norm(e_video)
    assert np.allclose(payload["visual_embedding"], e_vis, atol=1e-5)
    assert np.allclose(payload["text_embedding"], e_text, atol=1e-5)
    assert np.allclose(payload["video_embedding"], e_video, atol=1e-5)


def test_silent_uncaptioned_video_uses_the_visual_part_only(vllm_service: TestClient, fake) -> None:
    files = [("frames", ("f.jpg", textured_jpeg(9), "image/jpeg"))]
    response = vllm_service.post("/v1/embed/video", data={"transcript": ""}, files=files)
    payload = response.json()
    assert payload["missing"] == ["text"]
    assert payload["text_embedding"] is None
    assert np.allclose(payload["video_embedding"], payload["visual_embedding"], atol=1e-6)


def test_5xx_from_vllm_is_retried_until_it_succeeds(vllm_service: TestClient, fake) -> None:
    fake.fail_next = 2
    response = vllm_service.post("/v1/embed/text", json={"texts": ["retry me"]})
    assert response.status_code == 200
    assert len(fake.requests) == 3


def test_an_item_vllm_fails_every_time_while_healthy_is_that_items_502(
    vllm_service: TestClient, fake
) -> None:
    assert vllm_service.get("/healthz").status_code == 200  # the model's width known
    fake.requests.clear()
    fake.fail_next = 100
    response = vllm_service.post("/v1/embed/text", json={"texts": ["never"]})
    assert response.status_code == 502
    assert response.json()["error"] == "vllm_failed_item"
    assert "HTTP 500" in response.json()["detail"]
    assert "healthy" in response.json()["detail"]
    assert len(fake.requests) == 3  # 1 try + VLLM_MAX_RETRIES=2


def test_persistent_5xx_from_an_unhealthy_vllm_gives_503_after_the_retries(
    vllm_service: TestClient, fake
) -> None:
    fake.fail_next = 100
    fake.health_status = 503
    response = vllm_service.post("/v1/embed/text", json={"texts": ["never"]})
    assert response.status_code == 503
    assert response.json()["error"] == "vllm_unavailable"
    assert "HTTP 500" in response.json()["detail"]


def test_vllm_rejecting_an_input_gives_422_with_its_message(vllm_service: TestClient, fake) -> None:
    fake.reject_all = True
    response = vllm_service.post("/v1/embed/text", json={"texts": ["too long for vllm"]})
    assert response.status_code == 422
    assert response.json()["error"] == "vllm_rejected_input"
    assert "prompt too long" in response.json()["detail"]


def test_vllm_down_gives_clear_503_on_requests_and_health() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with TestClient(create_app(vllm_settings(dead_url, vllm_max_retries=1))) as client:
        wait_ready(client)
        embed = client.post("/v1/embed/text", json={"texts": ["anyone there?"]})
        health = client.get("/healthz")
    assert embed.status_code == 503
    assert embed.json()["error"] == "vllm_unavailable"
    assert dead_url in embed.json()["detail"]
    assert health.status_code == 503
    assert health.json()["error"] == "vllm_unavailable"


def test_vllm_vectors_narrower_than_the_dim_give_502_and_health_says_why(
    fake_vllm: FakeVllm,
) -> None:
    fake_vllm.reset()
    too_wide = vllm_settings(fake_vllm.url, dim=FULL_DIM * 2)
    with TestClient(create_app(too_wide)) as client:
        wait_ready(client)
        response = client.post("/v1/embed/text", json={"texts": ["x"]})
        health = client.get("/healthz")
    assert response.status_code == 502
    assert response.json()["error"] == "vllm_bad_response"
    assert health.status_code == 503
    assert f"{FULL_DIM}-d vectors, narrower than EMBEDDER_DIM={FULL_DIM * 2}" in str(
        health.json()["detail"]
    )


def test_an_unknown_model_is_a_setup_problem_not_the_inputs(vllm_service: TestClient, fake) -> None:
    """vLLM's 404 for a model it does not serve must not fail the video for good (a 422 does):
    503, which the pipeline waits out, naming the setting to fix; /healthz says it too."""
    fake.unknown_model = True
    response = vllm_service.post("/v1/embed/text", json={"texts": ["anything"]})
    assert response.status_code == 503
    assert response.json()["error"] == "vllm_misconfigured"
    assert "VLLM_MODEL=Qwen/Qwen3-VL-Embedding-2B" in response.json()["detail"]
    fake.models = ["some/other-model"]
    health = vllm_service.get("/healthz")
    assert health.status_code == 503
    assert (
        "serves some/other-model, not VLLM_MODEL=Qwen/Qwen3-VL-Embedding-2B"
        in (health.json()["detail"])
    )


def test_text_of_wide_characters_is_cut_by_its_token_estimate(
    vllm_service: TestClient, fake
) -> None:
    """A character outside ASCII counts a whole token (Chinese, emoji), an ASCII one a quarter:
    the budget of 64 tokens keeps 64 such characters, not the 256 an English text keeps."""
    response = vllm_service.post("/v1/embed/text", json={"texts": ["猫" * 1000, "ab" + "猫" * 63]})
    assert response.json()["truncated"] == [True, False]
    sent = [b["messages"][1]["content"][0]["text"] for b in fake.requests]
    assert sorted(len(text) for text in sent) == [64, 65]


def test_a_large_frame_is_sent_scaled_down(vllm_service: TestClient, fake) -> None:
    big = textured_jpeg(4, size=(2400, 1600))
    files = [("frames", ("big.jpg", big, "image/jpeg"))]
    response = vllm_service.post("/v1/embed/video", data={"caption": "x"}, files=files)
    assert response.status_code == 200, response.text
    (image_body,) = [
        b for b in fake.requests if b["messages"][1]["content"][0]["type"] == "image_url"
    ]
    url = image_body["messages"][1]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.width * sent.height <= 1280 * 1280
    assert abs(sent.width / sent.height - 1.5) < 0.01


def test_a_request_past_the_deadline_is_a_503_not_a_late_answer(fake_vllm: FakeVllm) -> None:
    fake_vllm.reset()
    fake_vllm.delay_s = 2.0
    try:
        settings = vllm_settings(fake_vllm.url, request_deadline_s=0.3, vllm_max_retries=0)
        with TestClient(create_app(settings)) as client:
            wait_ready(client)
            response = client.post("/v1/embed/text", json={"texts": ["slow"]})
    finally:
        fake_vllm.reset()
    assert response.status_code == 503
    assert response.json()["error"] == "deadline"


def test_other_weights_or_instruction_get_a_version_of_their_own(fake_vllm: FakeVllm) -> None:
    versions = set()
    for overrides in ({}, {"w_vis": 0.5, "w_text": 0.5}, {"default_instruction": "Other."}):
        with TestClient(create_app(vllm_settings(fake_vllm.url, **overrides))) as client:
            wait_ready(client)
            versions.add(client.get("/healthz").json()["embedding_version"])
    assert len(versions) == 3
    assert f"qwen3-vl-emb-2b:{DIM}:v1" in versions  # the defaults keep theirs


def test_one_text_refused_cancels_the_others_of_its_request(fake_vllm: FakeVllm) -> None:
    fake_vllm.reset()
    fake_vllm.reject_text = "poison"
    one_at_a_time = vllm_settings(fake_vllm.url, vllm_max_concurrency=1)
    with TestClient(create_app(one_at_a_time)) as client:
        wait_ready(client)
        response = client.post(
            "/v1/embed/text", json={"texts": ["poison", *(f"text {n}" for n in range(10))]}
        )
        assert response.status_code == 422
        # The next request queues behind whatever of the first is still waiting its turn.
        assert client.post("/v1/embed/text", json={"texts": ["after"]}).status_code == 200
    texts = [json.dumps(body) for body in fake_vllm.requests]
    # "poison", at most the one given vLLM's turn before or as it failed (which of the two
    # took the first turn is the event loop's choice), and "after": not the ten.
    assert len(texts) <= 3, texts
    assert sum('"poison"' in text for text in texts[:-1]) == 1 and '"after"' in texts[-1]


def test_a_video_made_with_other_weights_reports_their_version(
    vllm_service: TestClient, fake
) -> None:
    frame = ("frames", ("f.jpg", _jpeg(), "image/jpeg"))
    default = vllm_service.post("/v1/embed/video", files=[frame], data={"caption": "a cat"})
    other = vllm_service.post(
        "/v1/embed/video", files=[frame], data={"caption": "a cat", "w_vis": "0", "w_text": "1"}
    )
    health = vllm_service.get("/healthz").json()["embedding_version"]
    assert default.json()["embedding_version"] == health
    assert other.json()["embedding_version"] not in (health, None)
    # ...the version a service configured with those weights reports.
    with TestClient(create_app(vllm_settings(fake.url, w_vis=0.0, w_text=1.0))) as configured:
        wait_ready(configured)
        assert (
            configured.get("/healthz").json()["embedding_version"]
            == (other.json()["embedding_version"])
        )


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_text_of_digits_and_symbols_is_cut_at_a_token_a_character(
    vllm_service: TestClient, fake
) -> None:
    """Qwen's tokenizer splits numbers into single digits: 256 digits are 256 tokens, four times
    the budget of 64, and so are runs of symbols; an English text of the same length fits."""
    digits, symbols = "1234567890" * 100, "#%&*+=<>" * 100
    mixed = "in 2024 it cost $3.50, " * 3  # 69 characters, 30 of them digits or punctuation
    response = vllm_service.post("/v1/embed/text", json={"texts": [digits, symbols, mixed]})
    assert response.json()["truncated"] == [True, True, False]
    sent = sorted(len(b["messages"][1]["content"][0]["text"]) for b in fake.requests)
    assert sent == [64, 64, len(mixed)]
