"""Where media lives and how it reaches viewers.

STORAGE_BACKEND=s3 (default): objects through the S3 API (django-storages + boto3). With neither
S3_ENDPOINT_URL nor S3_BUCKET set, the project starts an embedded SeaweedFS under var/seaweedfs
(tiktok/dev/seaweedfs.py); S3_BUCKET alone means AWS S3; S3_ENDPOINT_URL points at MinIO,
Cloudflare R2, a SeaweedFS cluster or any S3-compatible store. STORAGE_BACKEND=filesystem keeps
files under MEDIA_ROOT on this host (single-host setups only: workers on other hosts cannot see
them).

Every byte reaches viewers through the application's media view (/media/...), which checks who
may see it first: MEDIA_DELIVERY=proxy streams it (range requests, public renditions of public
videos marked cacheable for a CDN in front), MEDIA_DELIVERY=redirect answers with a presigned URL
valid MEDIA_SIGNED_URL_SECONDS (the store must then be reachable by browsers). Nothing in the
bucket is readable without the credentials.
"""

from __future__ import annotations

import os

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

from tiktok.dev import seaweedfs

from .env import VAR_DIR, embedded_service_allowed, env_int, env_str, env_url

STORAGE_BACKEND = env_str("STORAGE_BACKEND", "s3")
if STORAGE_BACKEND not in ("s3", "filesystem"):
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use s3 or filesystem")

MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))  # STORAGE_BACKEND=filesystem
MEDIA_DELIVERY = env_str("MEDIA_DELIVERY", "proxy")
if MEDIA_DELIVERY not in ("proxy", "redirect"):
    raise ImproperlyConfigured(f"MEDIA_DELIVERY={MEDIA_DELIVERY!r}: use proxy or redirect")
if MEDIA_DELIVERY == "redirect" and STORAGE_BACKEND != "s3":
    raise ImproperlyConfigured("MEDIA_DELIVERY=redirect needs STORAGE_BACKEND=s3")
MEDIA_SIGNED_URL_SECONDS = env_int("MEDIA_SIGNED_URL_SECONDS", 300)
MEDIA_PUBLIC_CACHE_SECONDS = env_int("MEDIA_PUBLIC_CACHE_SECONDS", 86400)
# How long a shared cache (CDN, proxy) may keep a public video's renditions (s-maxage): a video
# moderation hides, or its owner makes private, stops being served from it within this time.
MEDIA_SHARED_CACHE_SECONDS = env_int("MEDIA_SHARED_CACHE_SECONDS", 300)

S3_ENDPOINT_URL = env_url("S3_ENDPOINT_URL", "", schemes=("https", "http"))
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
S3_REGION = env_str("S3_REGION", "us-east-1")
# "path" for SeaweedFS and MinIO; AWS S3 and R2 take "virtual" too.
S3_ADDRESSING_STYLE = env_str("S3_ADDRESSING_STYLE", "path")
# A key prefix inside the bucket (several installations, or test runs, sharing one bucket).
S3_LOCATION = env_str("S3_LOCATION", "")
S3_CONNECT_TIMEOUT_SECONDS = env_int("S3_CONNECT_TIMEOUT_SECONDS", 5, minimum=1)
S3_READ_TIMEOUT_SECONDS = env_int("S3_READ_TIMEOUT_SECONDS", 60, minimum=1)
S3_EMBEDDED = STORAGE_BACKEND == "s3" and not S3_ENDPOINT_URL and not S3_BUCKET
EMBEDDED_S3_BUCKET = seaweedfs.EMBEDDED_BUCKET

if S3_EMBEDDED:
    embedded_service_allowed("SeaweedFS object store", "S3_ENDPOINT_URL or S3_BUCKET")
    _endpoint = seaweedfs.s3_endpoint(VAR_DIR / "seaweedfs", bucket=EMBEDDED_S3_BUCKET)
    S3_ENDPOINT_URL = _endpoint.url
    S3_ACCESS_KEY_ID = _endpoint.access_key
    S3_SECRET_ACCESS_KEY = _endpoint.secret_key
    S3_BUCKET = EMBEDDED_S3_BUCKET

if STORAGE_BACKEND == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("S3_ENDPOINT_URL is set but S3_BUCKET is not: name the bucket")

if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "tiktok.storage.S3MediaStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": S3_ACCESS_KEY_ID or None,
            "secret_key": S3_SECRET_ACCESS_KEY or None,
            "region_name": S3_REGION,
            "addressing_style": S3_ADDRESSING_STYLE,
            "signature_version": "s3v4",
            "location": S3_LOCATION,
            "default_acl": None,
            "file_overwrite": True,
            # An object read through the storage (a transcode's original, ...) is spooled to a
            # temporary file past 8 MB; the default, 0, kept every object whole in memory.
            "max_memory_size": 8 * 1024 * 1024,
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
            # A store that does not answer fails a request within seconds, not minutes.
            "client_config": Config(
                connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
                read_timeout=S3_READ_TIMEOUT_SECONDS,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": S3_ADDRESSING_STYLE},
                signature_version="s3v4",
                max_pool_connections=20,
            ),
        },
    }
else:
    _default_storage = {
        "BACKEND": "tiktok.storage.FileSystemMediaStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL, "allow_overwrite": True},
    }

STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The orphan sweep (videos/services/media_orphans.py) leaves younger files alone: an upload in
# progress stores its original before its row is committed.
MEDIA_ORPHANS_MIN_AGE_SECONDS = env_int("MEDIA_ORPHANS_MIN_AGE_SECONDS", 3600)
