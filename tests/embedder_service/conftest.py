"""Fixtures: the real CPU service as a subprocess, real media, a fake vLLM server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from embedder_service.client import EmbedderClient
from tests.embedder_service.fake_vllm import FakeVllm
from tests.embedder_service.media import jpeg_bytes
from tests.support.speech import make_speech_wav

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 120
# Small limits so the limit tests send small bodies (defaults: docs/embedder.md).
TEST_LIMITS = {
    "EMBEDDER_MAX_AUDIO_SECONDS": "20",
    "EMBEDDER_MAX_BODY_BYTES": str(8 * 1024 * 1024),
    "EMBEDDER_MAX_IMAGE_PIXELS": str(1_000_000),
    "EMBEDDER_MAX_FRAMES": "24",
    "EMBEDDER_MAX_TEXTS": "256",
}
SPEECH_TEXT = "The orange cat is sleeping on the kitchen table."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `python -m embedder_service` with the cpu backend once per session."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("embedder") / "service.log"
    env = {
        **os.environ,
        "EMBEDDER_BACKEND": "cpu",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO_ROOT),
        **TEST_LIMITS,
    }
    cmd = [sys.executable, "-m", "embedder_service", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"embedder exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"embedder not healthy after {STARTUP_TIMEOUT_SECONDS}s:\n"
                    f"{log_path.read_text()}"
                )
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    """The embedder touches neither Redis nor the database: skip the suite-wide Redis reset."""


@pytest.fixture(autouse=True)
def media_store() -> None:
    """The embedder never writes Django media: skip the suite-wide media store."""


@pytest.fixture(scope="session")
def embedder_client(service_url: str) -> Iterator[EmbedderClient]:
    with EmbedderClient(service_url) as client:
        yield client


@pytest.fixture(scope="session")
def http(service_url: str) -> Iterator[httpx.Client]:
    """A raw HTTP client for sending malformed requests."""
    with httpx.Client(base_url=service_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_speech_wav(SPEECH_TEXT, tmp_path_factory.mktemp("speech") / "cat.wav")


@pytest.fixture(scope="session")
def frame_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("frames")
    paths = []
    for index, color in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)]):
        path = folder / f"frame_{index}.jpg"
        path.write_bytes(jpeg_bytes(color))
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def fake_vllm() -> Iterator[FakeVllm]:
    server = FakeVllm().start()
    yield server
    server.stop()
