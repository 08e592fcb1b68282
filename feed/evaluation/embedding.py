"""Embedding item texts through the embedder service, in batches, with a progress bar.

An evaluation is often started right after the embedder (whose models take a minute to load on
a busy machine): a batch waits out an embedder that is down or still loading, up to
EMBED_WAIT_SECONDS, before the run gives up."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from embedder_service.client import (
    TEXT_BATCH_SIZE,
    EmbedderClient,
    EmbedderUnavailable,
    EmbedTextResult,
)
from feed.evaluation.progress import progress_bar
from tiktok.embedder import embedder_client
from tiktok.vectors import normalize_rows

EMBED_WAIT_SECONDS = 300.0
EMBED_RETRY_PAUSE_SECONDS = (1.0, 15.0)  # first pause, longest pause (doubling)


def texts_embed(texts: Sequence[str], *, progress: bool = True) -> tuple[np.ndarray, str]:
    """(unit vectors float32 [n, dim], embedding_version) for the texts, in input order."""
    vectors: list[list[float]] = []
    version = ""
    with (
        embedder_client() as client,
        progress_bar(total=len(texts), desc="embed items", unit="item", enabled=progress) as bar,
    ):
        for start in range(0, len(texts), TEXT_BATCH_SIZE):
            batch = [text or "untitled" for text in texts[start : start + TEXT_BATCH_SIZE]]
            result = _batch_embed(client, batch)
            if version and result.embedding_version != version:
                raise EmbedderUnavailable(
                    f"embedder version changed mid-run ({version} -> {result.embedding_version})"
                )
            version = result.embedding_version
            vectors.extend(result.embeddings)
            bar.update(len(batch))
    return normalize_rows(np.asarray(vectors, dtype=np.float32)), version


def _batch_embed(client: EmbedderClient, batch: list[str]) -> EmbedTextResult:
    """The batch's embeddings, retried while the embedder is unavailable (down, loading, a 5xx
    or a timeout) until EMBED_WAIT_SECONDS have passed; then its last error, saying so."""
    deadline = time.monotonic() + EMBED_WAIT_SECONDS
    pause, longest = EMBED_RETRY_PAUSE_SECONDS
    while True:
        try:
            return client.embed_texts(batch)
        except EmbedderUnavailable as exc:
            if time.monotonic() + pause > deadline:
                raise EmbedderUnavailable(
                    f"{exc} (still unavailable after {EMBED_WAIT_SECONDS:g} s)",
                    status_code=exc.status_code,
                    error=exc.error,
                    detail=exc.detail,
                ) from exc
            time.sleep(pause)
            pause = min(pause * 2, longest)
