"""The embedder under load and odd input, without the models: text requests take turns with
the model, settings that cannot work are refused at start, and its client tells an answer
that is not the embedder's from one that is."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from embedder_service.backends.base import TextEmbeddings
from embedder_service.backends.cpu import TEXT_TURN, CpuBackend
from embedder_service.client import EmbedderClient, EmbedderUnavailable
from embedder_service.config import Settings


def test_a_short_request_takes_its_turn_between_the_parts_of_a_long_one() -> None:
    backend = CpuBackend(Settings(backend="cpu"))
    calls: list[tuple[str, int]] = []
    first_part_running = threading.Event()
    release = threading.Event()

    def model(texts: list[str]) -> TextEmbeddings:
        calls.append((texts[0], len(texts)))
        if len(calls) == 1:
            first_part_running.set()
            release.wait(10)
        return TextEmbeddings(
            vectors=np.ones((len(texts), 4), dtype=np.float32), truncated=[False] * len(texts)
        )

    backend._embed_texts_blocking = model  # the model's call, recorded

    async def scenario() -> tuple[TextEmbeddings, TextEmbeddings]:
        long = asyncio.create_task(backend.embed_texts(["long"] * (TEXT_TURN * 3), None))
        while not first_part_running.is_set():
            await asyncio.sleep(0.001)
        short = asyncio.create_task(backend.embed_texts(["short"], None))
        await asyncio.sleep(0)  # the short one is queued for the model now
        release.set()
        return await long, await short

    long, short = asyncio.run(scenario())

    assert calls == [("long", TEXT_TURN), ("short", 1), ("long", TEXT_TURN), ("long", TEXT_TURN)]
    assert long.vectors.shape == (TEXT_TURN * 3, 4) and len(long.truncated) == TEXT_TURN * 3
    assert short.vectors.shape == (1, 4)


@pytest.mark.parametrize(
    "overrides",
    [
        {"w_vis": float("nan")},
        {"w_text": float("inf")},
        {"request_deadline_s": float("nan")},
        {"vllm_timeout_s": float("nan")},
    ],
)
def test_settings_that_are_not_numbers_are_refused_at_start(overrides: dict) -> None:
    with pytest.raises(ValueError, match="must be"):
        Settings(**overrides).validate()


@pytest.fixture
def maintenance_page() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _page(self) -> None:
            body = b"<html><body>Down for maintenance</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _page  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_that_is_not_the_embedders_answer_is_an_outage_not_a_crash(
    maintenance_page: str,
) -> None:
    with EmbedderClient(maintenance_page) as client:
        with pytest.raises(EmbedderUnavailable, match="not an embedder's JSON answer"):
            client.embed_texts(["cats"])
        with pytest.raises(EmbedderUnavailable):
            client.health()


def test_other_models_or_another_token_budget_get_a_version_of_their_own(tmp_path) -> None:  # noqa: ANN001
    from embedder_service.backends.cpu import bundled_text_model_path
    from embedder_service.vision import bundled_weights_path

    default = CpuBackend(Settings(backend="cpu")).embedding_version
    named = CpuBackend(
        Settings(
            backend="cpu",
            text_model_path=str(bundled_text_model_path()),
            image_model_path=str(bundled_weights_path()),
        )
    ).embedding_version
    assert default == named == "minilm-l6+efflite0:384:v2"  # the bundled models keep theirs
    others = {
        CpuBackend(
            Settings(backend="cpu", text_model_path=str(tmp_path / "all-MiniLM-L12-v2"))
        ).embedding_version,
        CpuBackend(
            Settings(backend="cpu", image_model_path=str(tmp_path / "other.pth"))
        ).embedding_version,
        CpuBackend(Settings(backend="cpu", max_text_tokens=128)).embedding_version,
    }
    assert len(others) == 3 and default not in others


def test_other_image_weights_make_looks_of_their_own(tmp_path) -> None:  # noqa: ANN001
    # The look version stayed the bundled weights': copy detection compared looks made by
    # other weights with theirs.
    from embedder_service.vision import bundled_weights_path

    bundled = CpuBackend(Settings(backend="cpu")).look_version
    named = CpuBackend(
        Settings(backend="cpu", image_model_path=str(bundled_weights_path()))
    ).look_version
    other = CpuBackend(
        Settings(backend="cpu", image_model_path=str(tmp_path / "other.pth"))
    ).look_version

    assert bundled == named
    assert other != bundled and other.startswith(bundled)
