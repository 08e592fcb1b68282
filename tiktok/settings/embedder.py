"""Where the embedder service lives and which embedding version the feed serves from."""

from __future__ import annotations

from .env import env_float, env_str, env_url

EMBEDDER_URL = env_url("EMBEDDER_URL", "http://127.0.0.1:8100", schemes=("http", "https"))
EMBEDDER_TIMEOUT_SECONDS = env_float("EMBEDDER_TIMEOUT_SECONDS", 120.0)
# The version the feed, similar videos, search and tagging read. Empty: the version the
# embedder reports in /healthz (what new videos are being embedded with).
ACTIVE_EMBEDDING_VERSION = env_str("ACTIVE_EMBEDDING_VERSION", "")
