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
# The embedder's (new) version is read once it covers this share of the best-covered version's
# videos: during `reprocess --step embed --all` the old version keeps serving the whole catalogue.
ACTIVE_VERSION_SWITCH_SHARE = 0.95
ACTIVE_VERSION_CACHE_SECONDS = 300
EMBEDDER_VERSION_TIMEOUT_SECONDS = 3.0


def active_embedding_version() -> str | None:
    """ACTIVE_EMBEDDING_VERSION if set; else what the embedder produces now, once that version
    covers the catalogue (ACTIVE_VERSION_SWITCH_SHARE of the best-covered version's videos);
    else the most common stored version (a re-embed in progress, or the embedder is down).
    None when no version is known at all (an empty catalogue and no embedder)."""
    if settings.ACTIVE_EMBEDDING_VERSION:
        return settings.ACTIVE_EMBEDDING_VERSION
    cached = cache.get(ACTIVE_VERSION_CACHE_KEY)
    if cached:
        return cached
    version = version_to_serve(_embedder_version(), _stored_version_counts())
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


def version_to_serve(embedder_version: str | None, stored: dict[str, int]) -> str | None:
    """The embedder's version when it covers the catalogue, else the best-covered one."""
    best = max(stored, key=lambda version: (stored[version], version), default=None)
    if embedder_version is None:
        return best
    covered = stored.get(embedder_version, 0)
    if best is None or covered >= ACTIVE_VERSION_SWITCH_SHARE * stored[best]:
        return embedder_version
    logger.info(
        "serving %s (%d videos) until %s covers the catalogue (%d so far)",
        best,
        stored[best],
        embedder_version,
        covered,
    )
    return best


def _stored_version_counts() -> dict[str, int]:
    rows = VideoEmbedding.objects.values("embedding_version").annotate(n=Count("id"))
    return {row["embedding_version"]: row["n"] for row in rows}
