"""The media view over the real object store: HTTP range requests, content types, and who may
read which file (a private video's files are unreachable without authorization: through the
view, by a guessed or case-variant key, straight from the store, or with an expired signature)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from tests.factories import FollowFactory, UserFactory, VideoFactory
from videos.models import Privacy, VideoStatus

MP4 = bytes(range(256)) * 40
PLAYLIST = b"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_000.ts\n#EXT-X-ENDLIST\n"


def _files(store, video) -> None:  # noqa: ANN001
    prefix = f"videos/{video.media_key}/"
    store.put(prefix + "video.mp4", MP4)
    store.put(prefix + "hls/index.m3u8", PLAYLIST)
    store.put(prefix + "hls/seg_000.ts", b"\x47" * 188)
    store.put(prefix + "poster.jpg", b"\xff\xd8\xff")
    store.put(prefix + "original.mp4", b"original with its metadata")
    store.put(prefix + "audio.wav", b"RIFF")
    store.put(prefix + "frames/frame_000.jpg", b"\xff\xd8\xff")


def _url(video, name: str) -> str:  # noqa: ANN001
    return f"/media/videos/{video.media_key}/{name}"


@pytest.fixture
def public_video(db, media_store):  # noqa: ANN001
    video = VideoFactory()
    _files(media_store, video)
    return video


@pytest.fixture
def private_video(db, media_store):  # noqa: ANN001
    video = VideoFactory(privacy=Privacy.PRIVATE)
    _files(media_store, video)
    return video


def test_range_request_returns_206_with_the_requested_bytes(client, public_video):
    response = client.get(_url(public_video, "video.mp4"), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 100-199/10240"
    assert response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == MP4[100:200]


@pytest.mark.django_db(transaction=True)  # the handler's thread has its own connection
def test_ranges_stream_through_the_asgi_handler_and_the_file_is_closed(
    public_video, settings, monkeypatch
):  # noqa: ANN001
    from django.http import StreamingHttpResponse

    from tests.asgi_client import asgi_get

    settings.ALLOWED_HOSTS = ["localhost"]
    closed: list[int] = []
    close = StreamingHttpResponse.close

    def spy(self) -> None:  # noqa: ANN001
        closed.append(self.status_code)
        close(self)

    monkeypatch.setattr(StreamingHttpResponse, "close", spy)
    url = _url(public_video, "video.mp4")
    status, headers, body = asgi_get(url, [(b"range", b"bytes=1000-8999")])
    assert status == 206
    assert headers[b"Content-Range"] == b"bytes 1000-8999/10240"
    assert body == MP4[1000:9000]
    status, _, body = asgi_get(url)  # the whole file
    assert status == 200 and body == MP4
    assert closed == [206, 200]  # each closed once, after it was sent


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_sent_in_chunks_not_read_whole(public_video, media_store, settings):  # noqa: ANN001
    from tests.asgi_client import asgi_get_chunks
    from tiktok.asgi import django_asgi_app

    settings.ALLOWED_HOSTS = ["localhost"]
    data = bytes(range(251)) * 2000  # 502 kB
    media_store.put(f"videos/{public_video.media_key}/video.mp4", data)
    status, _, chunks = asgi_get_chunks(_url(public_video, "video.mp4"))
    assert status == 200 and b"".join(chunks) == data
    assert len(chunks) == -(-len(data) // django_asgi_app.chunk_size)  # one per block read


def test_open_ended_and_suffix_ranges(client, public_video):
    url = _url(public_video, "video.mp4")
    assert client.get(url, HTTP_RANGE="bytes=10000-")["Content-Range"] == "bytes 10000-10239/10240"
    assert client.get(url, HTTP_RANGE="bytes=-40")["Content-Range"] == "bytes 10200-10239/10240"


def test_unsatisfiable_range_is_416(client, public_video):
    response = client.get(_url(public_video, "video.mp4"), HTTP_RANGE="bytes=99999-")
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */10240"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("video.mp4", "video/mp4"),
        ("hls/index.m3u8", "application/vnd.apple.mpegurl"),
        ("hls/seg_000.ts", "video/mp2t"),
        ("poster.jpg", "image/jpeg"),
    ],
)
def test_full_file_has_the_right_content_type(client, public_video, name, content_type):  # noqa: ANN001
    response = client.get(_url(public_video, name))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    "path",
    [
        "videos/1/../../../etc/passwd",
        "videos/%2e%2e/%2e%2e/etc/passwd",
        "..%2fsecret",
        "videos/x/a",
        "secret",
    ],
)
def test_path_traversal_is_404(client, public_video, media_store, path):  # noqa: ANN001
    media_store.put("secret", b"top secret")
    response = client.get(f"/media/{path}")
    assert response.status_code == 404


def test_private_video_files_are_served_only_to_the_owner(client, private_video):  # noqa: ANN001
    for name in ("video.mp4", "hls/index.m3u8", "hls/seg_000.ts", "poster.jpg", "original.mp4"):
        assert client.get(_url(private_video, name)).status_code == 404, name
    client.force_login(private_video.owner)
    for name in ("video.mp4", "hls/index.m3u8", "hls/seg_000.ts", "poster.jpg", "original.mp4"):
        assert client.get(_url(private_video, name)).status_code == 200, name


def test_originals_audio_and_frames_are_the_owners_alone(client, public_video):  # noqa: ANN001
    client.force_login(UserFactory())
    for name in ("original.mp4", "audio.wav", "frames/frame_000.jpg"):
        assert client.get(_url(public_video, name)).status_code == 404, name
    assert client.get(_url(public_video, "video.mp4")).status_code == 200
    client.force_login(public_video.owner)
    response = client.get(_url(public_video, "original.mp4"))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_guessed_legacy_and_case_variant_paths_are_404(client, private_video):  # noqa: ANN001
    client.force_login(private_video.owner)
    key = private_video.media_key
    for path in (
        f"videos/{'0' * 32}/video.mp4",  # a guessed key
        f"videos/{private_video.pk}/video.mp4",  # the old sequential layout
        f"Videos/{key}/video.mp4",
        f"VIDEOS/{key}/video.mp4",
        f"videos/{key.upper()}/video.mp4",
        f"videos/{key}/VIDEO.MP4",
        f"videos/{key}/Original.mp4",
    ):
        assert client.get(f"/media/{path}").status_code == 404, path


def test_a_followers_only_video_reaches_followers_with_a_private_cache_header(
    client, db, media_store
):  # noqa: ANN001
    video = VideoFactory(privacy=Privacy.FOLLOWERS)
    _files(media_store, video)
    fan = UserFactory()
    client.force_login(fan)
    assert client.get(_url(video, "video.mp4")).status_code == 404
    FollowFactory(follower=fan, followee=video.owner)
    response = client.get(_url(video, "video.mp4"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")


def test_public_renditions_of_public_videos_are_cacheable(client, public_video, settings):  # noqa: ANN001
    response = client.get(_url(public_video, "video.mp4"))
    assert response["Cache-Control"] == (
        f"public, max-age={settings.MEDIA_PUBLIC_CACHE_SECONDS}, "
        f"s-maxage={settings.MEDIA_SHARED_CACHE_SECONDS}"
    )
    public_video.status = VideoStatus.PROCESSING
    public_video.save()
    client.force_login(public_video.owner)
    assert client.get(_url(public_video, "video.mp4"))["Cache-Control"].startswith("private")


def _object_url(settings, name: str) -> str:  # noqa: ANN001
    from django.core.files.storage import default_storage

    return (
        f"{settings.S3_ENDPOINT_URL}/{settings.S3_BUCKET}/{default_storage._normalize_name(name)}"
    )


def _http_status(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_object_can_be_read_from_the_store_without_credentials(
    settings, private_video, public_video
):  # noqa: ANN001
    for video in (private_video, public_video):
        for name in ("video.mp4", "hls/seg_000.ts", "original.mp4"):
            url = _object_url(settings, f"videos/{video.media_key}/{name}")
            assert _http_status(url) == 403, url


def test_redirect_delivery_signs_urls_that_expire(client, settings, private_video):  # noqa: ANN001
    settings.MEDIA_DELIVERY = "redirect"
    settings.MEDIA_SIGNED_URL_SECONDS = 2
    assert client.get(_url(private_video, "video.mp4")).status_code == 404
    client.force_login(private_video.owner)
    response = client.get(_url(private_video, "video.mp4"))
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Signature" in signed
    assert _http_status(signed, {"Range": "bytes=0-9"}) == 206
    time.sleep(3)
    assert _http_status(signed) == 403


def test_redirect_delivery_signs_each_segment_of_a_playlist(client, settings, private_video):  # noqa: ANN001
    settings.MEDIA_DELIVERY = "redirect"
    client.force_login(private_video.owner)
    response = client.get(_url(private_video, "hls/index.m3u8"))
    assert response.status_code == 200
    segment = next(line for line in response.content.decode().splitlines() if "seg_000" in line)
    assert "X-Amz-Signature" in segment
    assert _http_status(segment) == 200


def test_avatars_are_public_and_leave_shared_caches_soon(client, db, media_store, settings):  # noqa: ANN001
    media_store.put("avatars/1/a.jpg", b"\xff\xd8\xff")
    response = client.get("/media/avatars/1/a.jpg")
    assert response.status_code == 200
    # a suspended account's picture must stop being served by a CDN soon, as a hidden video
    assert response["Cache-Control"] == (
        f"public, max-age={settings.MEDIA_PUBLIC_CACHE_SECONDS}, "
        f"s-maxage={settings.MEDIA_SHARED_CACHE_SECONDS}"
    )
