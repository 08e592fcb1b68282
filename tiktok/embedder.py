"""The Django side's client of the embedder service, configured from settings (one factory)."""

from __future__ import annotations

from django.conf import settings

from embedder_service.client import EmbedderClient

# Short calls made on a request path (a search query, resolving the active version).
EMBEDDER_QUICK_TIMEOUT_SECONDS = 10.0


def embedder_client(*, timeout_s: float | None = None) -> EmbedderClient:
    """A client of EMBEDDER_URL; the timeout defaults to EMBEDDER_TIMEOUT_SECONDS (pipeline
    steps, evaluations). Use it as a context manager so its connection pool is closed."""
    timeout = settings.EMBEDDER_TIMEOUT_SECONDS if timeout_s is None else timeout_s
    return EmbedderClient(settings.EMBEDDER_URL, timeout_s=float(timeout))
