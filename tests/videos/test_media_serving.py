"""Media files with HTTP range requests, right content types, and visibility checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import UserFactory, VideoFactory
from videos.models import Privacy


def _put(root: Path, relative: str, data: bytes) -> None:
    path = Path(root) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def public_video(db, _media_root):  # noqa: ANN001
    video = VideoFactory()
    _put(_media_root, f"videos/{video.pk}/video.mp4", bytes(range(256)) * 40)
    _put(_media_root, f"videos/{video.pk}/hls/index.m3u8", b"#EXTM3U\n")
    _put(_media_root, f"videos/{video.pk}/hls/seg_000.ts", b"\x47" * 188)
    _put(_media_root, f"videos/{video.pk}/poster.jpg", b"\xff\xd8\xff")
    return video


def test_range_request_returns_206_with_the_requested_bytes(client, public_video):
    response = client.get(f"/media/videos/{public_video.pk}/video.mp4", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 100-199/10240"
    assert response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == (bytes(range(256)) * 40)[100:200]


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
    url = f"/media/videos/{public_video.pk}/video.mp4"
    status, headers, body = asgi_get(url, [(b"range", b"bytes=1000-8999")])
    assert status == 206
    assert headers[b"Content-Range"] == b"bytes 1000-8999/10240"
    assert body == (bytes(range(256)) * 40)[1000:9000]
    status, _, body = asgi_get(url)  # the whole file (a FileResponse)
    assert status == 200 and body == bytes(range(256)) * 40
    assert closed == [206, 200]  # each closed once, after it was sent


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_sent_in_chunks_not_read_whole(public_video, _media_root, settings):  # noqa: ANN001
    from tests.asgi_client import asgi_get_chunks
    from tiktok.asgi import django_asgi_app

    settings.ALLOWED_HOSTS = ["localhost"]
    data = bytes(range(251)) * 2000  # 502 kB
    _put(_media_root, f"videos/{public_video.pk}/video.mp4", data)
    status, _, chunks = asgi_get_chunks(f"/media/videos/{public_video.pk}/video.mp4")
    assert status == 200 and b"".join(chunks) == data
    assert len(chunks) == -(-len(data) // django_asgi_app.chunk_size)  # one per block read


def test_open_ended_and_suffix_ranges(client, public_video):
    url = f"/media/videos/{public_video.pk}/video.mp4"
    assert client.get(url, HTTP_RANGE="bytes=10000-")["Content-Range"] == "bytes 10000-10239/10240"
    assert client.get(url, HTTP_RANGE="bytes=-40")["Content-Range"] == "bytes 10200-10239/10240"


def test_unsatisfiable_range_is_416(client, public_video):
    response = client.get(f"/media/videos/{public_video.pk}/video.mp4", HTTP_RANGE="bytes=99999-")
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
    response = client.get(f"/media/videos/{public_video.pk}/{name}")
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
    ],
)
def test_path_traversal_is_404(client, public_video, _media_root, path):  # noqa: ANN001
    _put(Path(_media_root).parent, "secret", b"top secret")
    response = client.get(f"/media/{path}")
    assert response.status_code == 404


def test_private_video_files_are_served_only_to_the_owner(client, db, _media_root):  # noqa: ANN001
    owner = UserFactory()
    video = VideoFactory(owner=owner, privacy=Privacy.PRIVATE)
    _put(_media_root, f"videos/{video.pk}/video.mp4", b"data")
    url = f"/media/videos/{video.pk}/video.mp4"
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_avatars_are_public(client, db, _media_root):  # noqa: ANN001
    _put(_media_root, "avatars/1/a.jpg", b"\xff\xd8\xff")
    assert client.get("/media/avatars/1/a.jpg").status_code == 200
