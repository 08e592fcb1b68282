"""Embedding item texts through the embedder service, in batches, with a progress bar."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from embedder_service.client import TEXT_BATCH_SIZE, EmbedderUnavailable
from feed.evaluation.progress import progress_bar
from tiktok.embedder import embedder_client
from tiktok.vectors import normalize_rows

EMBED_ATTEMPTS = 3
EMBED_RETRY_PAUSE_SECONDS = 3.0


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
            for attempt in range(EMBED_ATTEMPTS):
                try:
                    result = client.embed_texts(batch)
                    break
                except EmbedderUnavailable:
                    if attempt == EMBED_ATTEMPTS - 1:
                        raise
                    time.sleep(EMBED_RETRY_PAUSE_SECONDS)
            if version and result.embedding_version != version:
                raise EmbedderUnavailable(
                    f"embedder version changed mid-run ({version} -> {result.embedding_version})"
                )
            version = result.embedding_version
            vectors.extend(result.embeddings)
            bar.update(len(batch))
    return normalize_rows(np.asarray(vectors, dtype=np.float32)), version
