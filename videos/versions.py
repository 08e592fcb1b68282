"""Which embedding version the product reads (feed, similar videos, search, tagging)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from tiktok.embedder import embedder_client
from videos.models import VideoEmbedding

logger = logging.getLogger(__name__)

ACTIVE_VERSION_CACHE_KEY = "embedding:active-version"
ACTIVE_VERSION_CACHE_SECONDS = 300
EMBEDDER_VERSION_TIMEOUT_SECONDS = 3.0


def active_embedding_version() -> str | None:
    """ACTIVE_EMBEDDING_VERSION if set; else what the embedder produces now; else the most
    common stored version (so reads keep working while the embedder is down). None when no
    version is known at all (an empty catalogue and no embedder)."""
    if settings.ACTIVE_EMBEDDING_VERSION:
        return settings.ACTIVE_EMBEDDING_VERSION
    cached = cache.get(ACTIVE_VERSION_CACHE_KEY)
    if cached:
        return cached
    version = _embedder_version() or _most_common_stored_version()
    if version:
        cache.set(ACTIVE_VERSION_CACHE_KEY, version, ACTIVE_VERSION_CACHE_SECONDS)
    return version


def _embedder_version() -> str | None:
    try:
        with embedder_client(timeout_s=EMBEDDER_VERSION_TIMEOUT_SECONDS) as client:
            return client.health().get("embedding_version")
    except Exception as exc:  # noqa: BLE001 - fall back to what is stored
        logger.warning("embedder unreachable while resolving the active version: %s", exc)
        return None


def _most_common_stored_version() -> str | None:
    row = (
        VideoEmbedding.objects.values("embedding_version")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row["embedding_version"] if row else None
