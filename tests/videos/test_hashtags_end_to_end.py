"""A Unicode hashtag end to end: uploaded through the API, through the real pipeline, on the
hashtag's API and page (percent-encoded URL), moved by a caption edit."""

from __future__ import annotations

from urllib.parse import quote

from tests.factories import UserFactory
from videos.models import Hashtag, VideoStatus
from videos.pipeline.local import pipeline_run


def test_an_uploaded_video_with_a_unicode_hashtag_reaches_its_pages(
    db, embedder, media_store, clip, client_for, client
):
    owner = UserFactory()
    with clip.open("rb") as handle:
        upload = client_for(owner).post(
            "/api/videos", {"file": handle, "caption": "Lunch in #Café #東京"}, format="multipart"
        )
    assert upload.status_code == 201, upload.content
    video_id = upload.json()["id"]
    # Processing: nobody else sees it on the hashtag's page yet.
    assert client_for().get(f"/api/hashtags/{quote('東京')}").status_code == 404

    video = pipeline_run(video_id=video_id)
    assert video.status == VideoStatus.READY, video.failure_reason

    api = client_for().get(f"/api/hashtags/{quote('東京')}/videos").json()
    assert [card["id"] for card in api["results"]] == [video_id]
    header = client_for().get(f"/api/hashtags/{quote('Café')}").json()
    assert (header["name"], header["video_count"]) == ("café", 1)
    assert [r["name"] for r in header["related"]] == ["東京"]
    page = client.get(f"/hashtag/{quote('東京')}")
    assert page.status_code == 200
    assert f'data-video-id="{video_id}"' in page.content.decode()

    edit = client_for(owner).patch(
        f"/api/videos/{video_id}", {"caption": "Lunch in #Kyōto"}, format="json"
    )
    assert edit.status_code == 200, edit.content
    assert client_for().get(f"/api/hashtags/{quote('東京')}").status_code == 404
    moved = client_for().get(f"/api/hashtags/{quote('KYŌTO')}/videos").json()
    assert [card["id"] for card in moved["results"]] == [video_id]
    assert dict(Hashtag.objects.values_list("name", "video_count")) == {
        "café": 0,
        "東京": 0,
        "kyōto": 1,
    }
