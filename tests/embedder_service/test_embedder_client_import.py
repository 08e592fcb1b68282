"""The client stays importable without model dependencies (Django workers import it)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from embedder_service.client import EmbedderClient, EmbedderRejected, EmbedderUnavailable

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY_MODULES = ["fastapi", "starlette", "torch", "sentence_transformers", "faster_whisper", "av"]


def test_importing_client_loads_no_model_or_server_dependencies() -> None:
    code = (
        "import sys, embedder_service.client\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_client_raises_unavailable_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    client = EmbedderClient(f"http://127.0.0.1:{closed_port}", timeout_s=2)
    with client, pytest.raises(EmbedderUnavailable, match="cannot reach embedder"):
        client.embed_texts(["hello"])


def test_client_raises_rejected_with_service_error_for_4xx(embedder_client: EmbedderClient) -> None:
    with pytest.raises(EmbedderRejected) as caught:
        embedder_client.embed_texts(["fine", "   "])
    assert caught.value.status_code == 422
    assert caught.value.error == "blank_text"
    assert "texts[1]" in str(caught.value)
