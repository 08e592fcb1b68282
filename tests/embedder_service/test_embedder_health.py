"""/healthz: what the service reports, and 503 while models load."""

from __future__ import annotations

import threading

import numpy as np
from fastapi.testclient import TestClient

from embedder_service.app import create_app
from embedder_service.asr import SpeechRecognizer
from embedder_service.backends.base import TextEmbeddings
from embedder_service.client import EmbedderClient
from embedder_service.config import Settings


def test_health_reports_cpu_backend_models_and_version(embedder_client: EmbedderClient) -> None:
    health = embedder_client.health()
    assert health["status"] == "ok"
    assert health["backend"] == "cpu"
    assert health["model"] == "all-MiniLM-L6-v2"
    assert health["image_model"] == "efficientnet-lite0"
    assert health["dim"] == 384
    assert health["embedding_version"] == "minilm-l6+efflite0:384:v2"
    assert health["device"] == "cpu"
    assert health["asr_model"] == "whisper-tiny.en"


class BlockedLoadBackend:
    """A backend whose load() waits until the test releases it."""

    name = "cpu"
    model = "blocked"
    dim = 4
    embedding_version = "blocked:4:v1"
    device = "cpu"
    has_image_model = False
    image_model = None
    look_version = None

    def __init__(self) -> None:
        self.release = threading.Event()
        self.speech = SpeechRecognizer(Settings())

    def load(self) -> None:
        self.release.wait(timeout=30)

    async def embed_texts(self, texts: list[str], instruction: str | None) -> TextEmbeddings:
        return TextEmbeddings(vectors=np.eye(4, dtype=np.float32)[: len(texts)], truncated=[False])

    async def embed_images(self, frames: list) -> np.ndarray:
        raise NotImplementedError

    async def unavailable_reason(self) -> str | None:
        return None

    async def aclose(self) -> None:
        pass


def test_health_and_endpoints_answer_503_loading_until_models_are_loaded() -> None:
    backend = BlockedLoadBackend()
    with TestClient(create_app(Settings(), backend)) as client:
        loading = client.get("/healthz")
        refused = client.post("/v1/embed/text", json={"texts": ["hi"]})
        backend.release.set()
        for _ in range(100):
            if client.get("/healthz").status_code == 200:
                break
            threading.Event().wait(0.05)
        ready = client.post("/v1/embed/text", json={"texts": ["hi"]})
    assert loading.status_code == 503
    assert loading.json()["error"] == "loading"
    assert loading.json()["status"] == "loading"
    assert refused.status_code == 503
    assert refused.json()["error"] == "loading"
    assert ready.status_code == 200
