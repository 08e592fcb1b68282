"""Which embedding version the product reads (feed, similar videos, search, tagging)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from tiktok.embedder import embedder_client
from videos.events import embedding_version_served_announce
from videos.models import ServedEmbeddingVersion, VideoEmbedding

logger = logging.getLogger(__name__)

ACTIVE_VERSION_CACHE_KEY = "embedding:active-version"
# Where releases before videos/0018 kept the version served last (now ServedEmbeddingVersion).
LEGACY_SERVED_VERSION_KEY = "embedding:served-version"
# The embedder's (new) version is read once it covers this share of the catalogue (the videos
# embedded in any version): during `reprocess --step embed --all` the old version keeps serving
# the whole catalogue.
ACTIVE_VERSION_SWITCH_SHARE = 0.95
ACTIVE_VERSION_CACHE_SECONDS = 300
# An embedder that did not answer is not asked again for this long: on an install with no
# vectors yet (its embedder down or loading) nothing else is cached, and every feed, search
# and similar-videos request waited up to EMBEDDER_VERSION_TIMEOUT_SECONDS for it.
EMBEDDER_DOWN_KEY = "embedding:embedder-down"
EMBEDDER_DOWN_SECONDS = 15
EMBEDDER_VERSION_TIMEOUT_SECONDS = 3.0


def active_embedding_version() -> str | None:
    """ACTIVE_EMBEDDING_VERSION if set; else what the embedder produces now, once that version
    covers the catalogue (ACTIVE_VERSION_SWITCH_SHARE of the videos embedded in any version);
    else the version served last (a re-embed in progress, or the embedder is down), or the
    most common stored one. None when no version is known at all (an empty catalogue and no
    embedder). A change of the served version is announced (`embedding_version_served`)."""
    if settings.ACTIVE_EMBEDDING_VERSION:
        return settings.ACTIVE_EMBEDDING_VERSION
    cached = cache.get(ACTIVE_VERSION_CACHE_KEY)
    if cached:
        return cached
    stored, catalogue = _stored_version_counts()
    last_served = ServedEmbeddingVersion.objects.filter(pk=ServedEmbeddingVersion.ROW).first()
    version = version_to_serve(
        _embedder_version(),
        stored,
        catalogue=catalogue,
        last_served=last_served.version if last_served else None,
    )
    if version:
        cache.set(ACTIVE_VERSION_CACHE_KEY, version, ACTIVE_VERSION_CACHE_SECONDS)
        if last_served is None:
            # The first resolution: the version served until now, as releases before this one
            # kept it in the cache, so a switch across the upgrade is still announced.
            last_served, _ = ServedEmbeddingVersion.objects.get_or_create(
                pk=ServedEmbeddingVersion.ROW,
                defaults={"version": cache.get(LEGACY_SERVED_VERSION_KEY) or version},
            )
        if version != last_served.version and _served_version_switch(last_served, version):
            logger.info("embedding version served: %s (was %s)", version, last_served.version)
            embedding_version_served_announce(version=version, previous=last_served.version)
    return version


def _served_version_switch(last_served: ServedEmbeddingVersion, version: str) -> bool:
    """Record `version` as served if the row still holds the version read: of processes that
    notice a switch at once, one records it and announces it."""
    return bool(
        ServedEmbeddingVersion.objects.filter(
            pk=last_served.pk, version=last_served.version
        ).update(version=version, served_since=timezone.now())
    )


def _embedder_version() -> str | None:
    if cache.get(EMBEDDER_DOWN_KEY):
        return None
    try:
        with embedder_client(timeout_s=EMBEDDER_VERSION_TIMEOUT_SECONDS) as client:
            return client.health().get("embedding_version")
    except Exception as exc:  # noqa: BLE001 - fall back to what is stored
        logger.warning("embedder unreachable while resolving the active version: %s", exc)
        cache.set(EMBEDDER_DOWN_KEY, 1, EMBEDDER_DOWN_SECONDS)
        return None


def version_to_serve(
    embedder_version: str | None,
    stored: dict[str, int],
    *,
    catalogue: int | None = None,
    last_served: str | None = None,
) -> str | None:
    """The embedder's version when it covers the catalogue (`catalogue` videos embedded in any
    version; the best-covered version's count when not given), else the version served last
    while it still has vectors, else the best-covered one. Without the embedder's answer the
    version served last stays: an embedder restarting after a switch had flipped serving back
    to the old version (it had as many rows, and won on its name) for minutes."""
    best = max(stored, key=lambda version: stored[version], default=None)
    fallback = last_served if last_served in stored else best
    if embedder_version is None:
        return fallback
    covered = stored.get(embedder_version, 0)
    if catalogue is None:
        catalogue = stored[best] if best is not None else 0
    if best is None or covered >= ACTIVE_VERSION_SWITCH_SHARE * catalogue:
        return embedder_version
    logger.info(
        "serving %s until %s covers the catalogue (%d of %d videos so far)",
        fallback,
        embedder_version,
        covered,
        catalogue,
    )
    return fallback


def _stored_version_counts() -> tuple[dict[str, int], int]:
    """Videos with a vector, per version, and in any version (the catalogue): videos uploaded
    during a re-embed have only the new version's, so counting rows of one version against
    another's switched with 79% of the catalogue covered."""
    rows = VideoEmbedding.objects.values("embedding_version").annotate(
        n=Count("video_id", distinct=True)
    )
    stored = {row["embedding_version"]: row["n"] for row in rows}
    catalogue = VideoEmbedding.objects.values("video_id").distinct().count() if stored else 0
    return stored, catalogue
