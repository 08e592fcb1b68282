"""Revalidating cached media: a file answers with a validator (ETag, Last-Modified), a player or
CDN holding the same file gets 304 and no body, and a Range with If-Range for a file since
replaced (a re-encode) gets the whole new file rather than a slice of it spliced onto the old.
A public video's renditions are the same for every viewer, so their answers do not vary on the
session cookie (a shared cache keyed per cookie caches nothing)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from tests.factories import VideoFactory
from tiktok.storage import storage_stat
from videos.models import Privacy

MP4 = bytes(range(256)) * 40
REPLACED = bytes(reversed(range(256))) * 40


@pytest.fixture
def public_video(db, media_store):  # noqa: ANN001, ANN201
    video = VideoFactory()
    media_store.put(f"videos/{video.media_key}/video.mp4", MP4)
    return video


def _url(video) -> str:  # noqa: ANN001
    return f"/media/videos/{video.media_key}/video.mp4"


def _body(response) -> bytes:  # noqa: ANN001
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_file_carries_a_validator_that_changes_with_its_content(
    client,  # noqa: ANN001
    public_video,  # noqa: ANN001
    media_store,  # noqa: ANN001
) -> None:
    first = client.get(_url(public_video))
    assert first.status_code == 200
    assert first["ETag"].startswith('"')  # strong: If-Range may use it
    assert first["Last-Modified"]
    assert client.get(_url(public_video))["ETag"] == first["ETag"]
    media_store.put(f"videos/{public_video.media_key}/video.mp4", REPLACED)
    assert client.get(_url(public_video))["ETag"] != first["ETag"]


def test_a_cached_copy_is_revalidated_with_304_and_no_body(client, public_video) -> None:  # noqa: ANN001
    first = client.get(_url(public_video))
    again = client.get(_url(public_video), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert _body(again) == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    by_date = client.get(_url(public_video), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304
    # Another validator: the file.
    other = client.get(_url(public_video), HTTP_IF_NONE_MATCH='"something-else"')
    assert (other.status_code, _body(other)) == (200, MP4)


def test_a_range_for_a_file_since_replaced_gets_the_whole_new_file(
    client,  # noqa: ANN001
    public_video,  # noqa: ANN001
    media_store,  # noqa: ANN001
) -> None:
    old = client.get(_url(public_video))
    same = client.get(_url(public_video), HTTP_RANGE="bytes=100-199", HTTP_IF_RANGE=old["ETag"])
    assert (same.status_code, _body(same)) == (206, MP4[100:200])
    by_date = client.get(
        _url(public_video), HTTP_RANGE="bytes=100-199", HTTP_IF_RANGE=old["Last-Modified"]
    )
    assert by_date.status_code == 206
    media_store.put(f"videos/{public_video.media_key}/video.mp4", REPLACED)
    # The player resumes the old file: it must not get the new file's bytes 100-199 as the old.
    resumed = client.get(_url(public_video), HTTP_RANGE="bytes=100-199", HTTP_IF_RANGE=old["ETag"])
    assert resumed.status_code == 200
    assert "Content-Range" not in resumed
    assert _body(resumed) == REPLACED
    # A weak validator never matches If-Range.
    weak = client.get(_url(public_video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE="W/" + old["ETag"])
    assert weak.status_code == 200


def test_public_renditions_do_not_vary_on_the_session_cookie(
    client,  # noqa: ANN001
    public_video,  # noqa: ANN001
    media_store,  # noqa: ANN001
) -> None:
    viewer = VideoFactory().owner
    client.force_login(viewer)
    response = client.get(_url(public_video))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    assert "cookie" not in response.get("Vary", "").lower()
    # A file whose answer depends on who asks still varies on the session.
    private = VideoFactory(owner=viewer, privacy=Privacy.PRIVATE)
    media_store.put(f"videos/{private.media_key}/video.mp4", MP4)
    own = client.get(_url(private))
    assert own.status_code == 200
    assert "cookie" in own["Vary"].lower()


def test_a_local_files_validator_changes_when_it_is_rewritten(settings, tmp_path) -> None:  # noqa: ANN001
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    assert default_storage.path("a.mp4").startswith(str(tmp_path))
    (tmp_path / "a.mp4").write_bytes(MP4)
    first = storage_stat("a.mp4")
    assert first is not None and first.etag is not None and first.etag.startswith('"')
    assert storage_stat("a.mp4") == first
    (tmp_path / "a.mp4").write_bytes(REPLACED + b"x")
    assert storage_stat("a.mp4").etag != first.etag
