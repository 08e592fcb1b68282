"""The media view: every stored byte reaches a browser through here, after the check of who may
see it (whatever the storage backend).

Paths are `videos/<media_key>/<file>` (the key is 128 random bits, never the video's id) and
`avatars/...` (public) and `sounds/<media_key>/audio.m4a` (public while the sound is not
hidden); anything else is not found, whatever its case. A video's renditions
(MP4, HLS playlist and segments, poster, thumbnail) follow the video's visibility; its original,
ASR audio and sampled frames are the owner's alone. MEDIA_DELIVERY=proxy streams the bytes with
HTTP range requests (public renditions of public videos marked cacheable, for a CDN in front);
MEDIA_DELIVERY=redirect answers with a short-lived presigned URL instead, and serves HLS
playlists with each segment presigned.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import PurePosixPath

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)

from sounds.selectors import sound_media_public
from tiktok.api.errors import UNAVAILABLE_RETRY_AFTER_SECONDS, error_body
from tiktok.storage import (
    StorageObjectMissing,
    StorageUnavailable,
    storage_read_range,
    storage_signed_url,
    storage_stat,
)
from tiktok.web.ranged import stored_file_response
from videos.models import Privacy, Video, VideoStatus
from videos.visibility import video_visible_to

logger = logging.getLogger(__name__)

MEDIA_KEY_RE = re.compile(r"^[0-9a-f]{32}$")
# Files of a video that only its owner may read: the untouched upload (with its metadata), the
# speech-recognition audio and the frames sampled for the embedder.
OWNER_ONLY_PREFIXES = ("original", "audio.", "frames/")
RENDITIONS = ("video.mp4", "poster.jpg", "thumb.jpg", "hls/")
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
}
SOUND_FILES = ("audio.m4a",)
RESTRICTED_CACHE = "private, max-age=300"


def _not_found() -> Http404:
    return Http404("no such file")


def _checked_parts(relative: str) -> list[str]:
    if "\x00" in relative or "\\" in relative:
        raise _not_found()
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise _not_found()
    return parts


def access_check(request: HttpRequest, relative: str) -> str:
    """The Cache-Control a file may be served with, or Http404 when this viewer may not read it
    (missing, hidden and forbidden answer the same)."""
    parts = _checked_parts(relative)
    if parts[0] == "avatars" and len(parts) >= 2:
        # A suspended account's picture, like a hidden sound, stops reaching a CDN soon.
        return public_cache_control()
    if parts[0] == "sounds":
        # A sound's preview is public while the sound is (its page plays it to anyone).
        if len(parts) != 3 or not MEDIA_KEY_RE.match(parts[1]) or parts[2] not in SOUND_FILES:
            raise _not_found()
        if not sound_media_public(media_key=parts[1]):
            raise _not_found()
        return public_cache_control()
    if parts[0] != "videos" or len(parts) < 3 or not MEDIA_KEY_RE.match(parts[1]):
        raise _not_found()
    rest = "/".join(parts[2:])
    if not rest.startswith(RENDITIONS + OWNER_ONLY_PREFIXES):
        raise _not_found()
    video = Video.objects.filter(media_key=parts[1]).select_related("owner").first()
    if video is None:
        raise _not_found()
    if rest.startswith(RENDITIONS) and _anyone_may_watch(video):
        # The same answer for every viewer, so the session is not read: the answer does not
        # vary on the cookie (a shared cache keyed per cookie would cache nothing), and a
        # player's requests cost no session lookup.
        return public_cache_control()
    visible = video_visible_to(video=video, viewer=request.user)
    # Staff review videos moderation hid (the queue's thumbnails), never cached; other videos
    # they may not see (private ones) stay private.
    reviewing = (
        not visible and video.hidden_at is not None and getattr(request.user, "is_staff", False)
    )
    if not (visible or reviewing):
        raise _not_found()
    if rest.startswith(OWNER_ONLY_PREFIXES):
        if video.owner_id != request.user.pk:
            raise _not_found()
        return "private, no-store"
    if reviewing:
        return "private, no-store"
    return RESTRICTED_CACHE


def _anyone_may_watch(video: Video) -> bool:
    """What `visible_videos` shows an anonymous visitor (`anyone_may_see_sql`)."""
    return (
        video.status == VideoStatus.READY
        and video.privacy == Privacy.PUBLIC
        and video.hidden_at is None  # its owner still reads it: never for a shared cache
        and not video.owner.is_private
    )


def public_cache_control() -> str:
    """For a file anyone may read now: shared caches keep it briefly, because a video or sound
    hidden by moderation (or made private, or of an account suspended) must stop being served
    by a CDN soon, while the viewer's own browser may keep it longer."""
    shared = min(settings.MEDIA_SHARED_CACHE_SECONDS, settings.MEDIA_PUBLIC_CACHE_SECONDS)
    return f"public, max-age={settings.MEDIA_PUBLIC_CACHE_SECONDS}, s-maxage={shared}"


def content_type_for(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _signed_playlist(name: str) -> HttpResponse:
    """An HLS playlist whose segment URIs are presigned (redirect delivery)."""
    folder = name.rsplit("/", 1)[0]
    text = b"".join(storage_read_range(name, 0, storage_stat(name).size - 1, 1 << 20)).decode()
    lines = []
    for line in text.splitlines():
        if line and not line.startswith("#") and "/" not in line and ":" not in line:
            line = storage_signed_url(f"{folder}/{line}", content_type=content_type_for(line))
        lines.append(line)
    response = HttpResponse("\n".join(lines) + "\n", content_type=content_type_for(name))
    response["Cache-Control"] = "private, no-store"  # its signatures expire
    return response


def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """GET/HEAD a media file; `Range: bytes=a-b` answers 206 with Content-Range; 503 with
    Retry-After while the store cannot be reached (a player or CDN retries; a 500 said the
    server broke, and logged a traceback per request)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    cache_control = access_check(request, path)
    try:
        return _media_response(request, path, cache_control)
    except StorageObjectMissing:  # gone between its stat and its read (a re-encode, a delete)
        raise _not_found() from None
    except StorageUnavailable as exc:
        logger.warning("media %s not served: %s", path, exc)
        return JsonResponse(
            error_body(exc.code, "media storage is unavailable for a moment; retry shortly"),
            status=503,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)},
        )


def _media_response(request: HttpRequest, path: str, cache_control: str) -> HttpResponse:
    stored = storage_stat(path)
    if stored is None:
        raise _not_found()
    content_type = content_type_for(path)
    if settings.MEDIA_DELIVERY == "redirect":
        if path.endswith(".m3u8"):
            return _signed_playlist(path)
        response = HttpResponseRedirect(storage_signed_url(path, content_type=content_type))
        response["Cache-Control"] = "private, no-store"
        return response
    return stored_file_response(
        request,
        path,
        stored=stored,
        content_type=content_type,
        headers={"Cache-Control": cache_control},
    )


def media_url_prefix() -> str:
    return settings.MEDIA_URL.strip("/") + "/" if settings.MEDIA_URL.strip("/") else ""
