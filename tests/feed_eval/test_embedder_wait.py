"""An evaluation started while the embedder is still loading its models waits for it, and one
whose embedder never comes ends with one line naming it (it used to give up after three tries
nine seconds apart, with a traceback, while the models took a minute to load)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import httpx
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feed.evaluation import embedding
from feed.evaluation.embedding import texts_embed
from feed.evaluation.synthetic import generate_dataset
from tests.conftest import free_port
from tests.support.http_server import serving

LOADING = json.dumps({"error": "loading", "detail": "models are still loading"}).encode()


@contextmanager
def _loading_then(upstream: str, loading_answers: int) -> Iterator[tuple[str, list[int]]]:
    """A front for the real embedder that answers the first POSTs as a loading embedder does
    (503 "loading") and passes the later ones through; yields its URL and the statuses sent."""
    sent: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if len(sent) < loading_answers:
                status, payload = 503, LOADING
            else:
                answer = httpx.post(
                    f"{upstream}{self.path}",
                    content=body,
                    headers={"Content-Type": self.headers.get("Content-Type", "")},
                    timeout=60,
                )
                status, payload = answer.status_code, answer.content
            sent.append(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url, sent


def test_embedding_waits_for_an_embedder_still_loading(embedder, settings, monkeypatch) -> None:  # noqa: ANN001
    texts = ["a dog catches a frisbee on the beach", "fresh pasta with tomato sauce"]
    direct, version = texts_embed(texts, progress=False)
    monkeypatch.setattr(embedding, "EMBED_RETRY_PAUSE_SECONDS", (0.01, 0.05))
    with _loading_then(embedder, loading_answers=5) as (url, sent):
        settings.EMBEDDER_URL = url
        vectors, waited_version = texts_embed(texts, progress=False)
    assert sent == [503] * 5 + [200]
    assert waited_version == version
    np.testing.assert_allclose(vectors, direct, atol=1e-5)


def test_an_embedder_that_never_comes_ends_the_command_with_one_line(
    settings,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
) -> None:
    items, interactions = generate_dataset(
        tmp_path, n_items=40, n_users=10, n_interactions=60, seed=2
    )
    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setattr(embedding, "EMBED_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(embedding, "EMBED_RETRY_PAUSE_SECONDS", (0.01, 0.05))
    with pytest.raises(CommandError) as raised:
        call_command("evaluate_feed", items=str(items), interactions=str(interactions))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"embedder at {settings.EMBEDDER_URL}: cannot reach embedder")
    assert message.endswith("(still unavailable after 0.2 s)")
