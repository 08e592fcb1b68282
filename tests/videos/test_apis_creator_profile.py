"""Profiles: the public shape with counts, and editing your own."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import BlockFactory, FollowFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from tiktok.api.throttling import ScopedRateThrottle
from videos.models import Privacy, VideoStatus

pytestmark = pytest.mark.django_db


def image_upload(name: str = "me.png", size=(64, 48), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_profile_has_the_documented_shape(client_for, creator):
    body = client_for(None).get(f"/api/users/{creator.username}").json()

    assert set(body) == {
        "id",
        "username",
        "display_name",
        "bio",
        "avatar_url",
        "counts",
        "viewer",
        "is_private",
        "locked",
        "restricted",
    }
    assert set(body["counts"]) == {"followers", "following", "likes", "videos"}
    assert body["viewer"] == {
        "following": False,
        "requested": False,
        "is_self": False,
        "blocked": False,
    }


def test_profile_counts_followers_and_following(client_for, creator):
    FollowFactory.create_batch(2, followee=creator)
    FollowFactory(follower=creator)

    counts = client_for(None).get(f"/api/users/{creator.username}").json()["counts"]

    assert (counts["followers"], counts["following"]) == (2, 1)


def test_profile_likes_sum_only_visible_videos(client_for, creator):
    VideoFactory(owner=creator, like_count=3)
    VideoFactory(owner=creator, like_count=5, privacy=Privacy.PRIVATE)

    counts = client_for(None).get(f"/api/users/{creator.username}").json()["counts"]

    assert counts["likes"] == 3
    assert counts["videos"] == 1


def test_profile_counts_private_videos_for_the_owner(client_for, creator):
    VideoFactory(owner=creator, like_count=3)
    VideoFactory(owner=creator, like_count=5, privacy=Privacy.PRIVATE)

    counts = client_for(creator).get(f"/api/users/{creator.username}").json()["counts"]

    assert (counts["likes"], counts["videos"]) == (8, 2)


def test_profile_viewer_flags_for_a_follower(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)

    viewer = client_for(fan).get(f"/api/users/{creator.username}").json()["viewer"]

    assert viewer == {"following": True, "requested": False, "is_self": False, "blocked": False}


def test_profile_viewer_flags_for_yourself(client_for, creator):
    viewer = client_for(creator).get(f"/api/users/{creator.username}").json()["viewer"]

    assert viewer["is_self"] is True


def test_profile_viewer_flags_after_blocking(client_for, creator):
    viewer = UserFactory()
    BlockFactory(blocker=viewer, blocked=creator)

    flags = client_for(viewer).get(f"/api/users/{creator.username}").json()["viewer"]

    assert flags["blocked"] is True


def test_profile_lookup_ignores_username_case(client_for, creator):
    response = client_for(None).get(f"/api/users/{creator.username.upper()}")

    assert response.json()["id"] == creator.pk


def test_unknown_profile_is_404(client_for):
    assert_error_shape(client_for(None).get("/api/users/ghost"), 404)


def test_inactive_users_profile_is_404(client_for):
    gone = UserFactory(is_active=False)

    assert_error_shape(client_for(None).get(f"/api/users/{gone.username}"), 404)


def test_me_returns_your_own_profile(client_for, creator):
    body = client_for(creator).get("/api/users/me").json()

    assert body["username"] == creator.username
    assert body["viewer"]["is_self"] is True


def test_patch_me_updates_display_name_and_bio(client_for, creator):
    response = client_for(creator).patch(
        "/api/users/me", {"display_name": " Cat Person ", "bio": "I film cats"}, format="json"
    )

    assert response.status_code == 200
    creator.refresh_from_db()
    assert (creator.display_name, creator.bio) == ("Cat Person", "I film cats")
    assert response.json()["display_name"] == "Cat Person"


def test_patch_me_keeps_fields_that_were_not_sent(client_for, creator):
    creator.bio = "kept"
    creator.save()

    client_for(creator).patch("/api/users/me", {"display_name": "New"}, format="json")

    creator.refresh_from_db()
    assert creator.bio == "kept"


def test_patch_me_with_a_too_long_bio_is_400(client_for, creator):
    response = client_for(creator).patch("/api/users/me", {"bio": "b" * 281}, format="json")

    body = assert_error_shape(response, 400, "invalid")
    assert "bio" in body["fields"]


def test_patch_me_with_a_too_long_display_name_is_400(client_for, creator):
    response = client_for(creator).patch("/api/users/me", {"display_name": "d" * 65}, format="json")

    assert_error_shape(response, 400, "invalid")


def test_patch_me_anonymous_is_401(client_for):
    response = client_for(None).patch("/api/users/me", {"bio": "x"}, format="json")

    assert_error_shape(response, 401)


def test_avatar_upload_is_stored_as_a_square_jpeg(client_for, creator):
    response = client_for(creator).patch(
        "/api/users/me", {"avatar": image_upload()}, format="multipart"
    )

    assert response.status_code == 200
    assert response.json()["avatar_url"].endswith(".jpg")
    creator.refresh_from_db()
    with creator.avatar.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert stored.width == stored.height


def test_avatar_that_is_not_an_image_is_400(client_for, creator):
    fake = SimpleUploadedFile("me.png", b"<?php echo 1; ?>", content_type="image/png")

    response = client_for(creator).patch("/api/users/me", {"avatar": fake}, format="multipart")

    body = assert_error_shape(response, 400, "invalid")
    assert "avatar" in body["fields"]


def test_truncated_avatar_image_is_400(client_for, creator):
    upload = image_upload()
    broken = SimpleUploadedFile("me.png", upload.read()[:60], content_type="image/png")

    response = client_for(creator).patch("/api/users/me", {"avatar": broken}, format="multipart")

    assert_error_shape(response, 400, "invalid")


def test_avatar_over_the_size_cap_is_400(client_for, creator, settings):
    settings.MAX_AVATAR_BYTES = 100

    response = client_for(creator).patch(
        "/api/users/me", {"avatar": image_upload(size=(64, 64))}, format="multipart"
    )

    body = assert_error_shape(response, 400, "invalid")
    assert "avatar" in body["fields"]


def test_avatar_over_the_pixel_cap_is_refused_before_decoding(client_for, creator):
    # 5,001 x 5,001 one-bit pixels: a 3 KB PNG that would decode to 75 MB of RGB.
    buffer = io.BytesIO()
    Image.new("1", (5001, 5001)).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 100_000
    upload = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")

    response = client_for(creator).patch("/api/users/me", {"avatar": upload}, format="multipart")

    body = assert_error_shape(response, 400, "invalid")
    assert "5001x5001" in body["fields"]["avatar"][0]
    assert "25 megapixels" in body["fields"]["avatar"][0]
    creator.refresh_from_db()
    assert not creator.avatar


def test_a_phone_sized_photo_makes_a_square_avatar(client_for, creator):
    # 6,000 x 4,000 (24 MP, a phone camera's default) is under the cap and scales down.
    buffer = io.BytesIO()
    Image.new("RGB", (6000, 4000), (20, 120, 220)).save(buffer, format="JPEG", quality=70)
    upload = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")

    response = client_for(creator).patch("/api/users/me", {"avatar": upload}, format="multipart")

    assert response.status_code == 200, response.json()
    creator.refresh_from_db()
    with creator.avatar.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (512, 512)
        red, green, blue = stored.convert("RGB").getpixel((256, 256))
        assert blue > 180 and red < 60


def test_avatar_in_an_unsupported_format_is_400(client_for, creator):
    response = client_for(creator).patch(
        "/api/users/me", {"avatar": image_upload("me.bmp", fmt="BMP")}, format="multipart"
    )

    assert_error_shape(response, 400, "invalid")


def test_avatar_clear_removes_the_avatar(client_for, creator):
    client = client_for(creator)
    client.patch("/api/users/me", {"avatar": image_upload()}, format="multipart")

    response = client.patch("/api/users/me", {"avatar_clear": True}, format="json")

    assert response.json()["avatar_url"] is None


def test_profile_video_count_includes_owners_processing_videos(client_for, creator):
    VideoFactory(owner=creator, status=VideoStatus.PROCESSING)

    counts = client_for(creator).get(f"/api/users/{creator.username}").json()["counts"]

    assert counts["videos"] == 1


def test_profile_edits_have_their_own_rate_limit(client_for, creator, monkeypatch):  # noqa: ANN001
    # An avatar is a decode of up to MAX_AVATAR_SOURCE_PIXELS: not left to the 1200/min rate.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "profile_edits", "2/min")
    client = client_for(creator)

    statuses = [
        client.patch("/api/users/me", {"bio": f"take {n}"}, format="json").status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]
    creator.refresh_from_db()
    assert creator.bio == "take 1"
    assert client.get("/api/users/me").status_code == 200  # reading is not counted


def test_video_edits_have_their_own_rate_limit(client_for, creator, monkeypatch):  # noqa: ANN001
    # Each edit stores the caption's hashtags (new names for good), re-tags the video and
    # rebuilds its search document: 80 edits in a row were all taken.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "video_edits", "2/min")
    video = VideoFactory(owner=creator)
    client = client_for(creator)

    statuses = [
        client.patch(f"/api/videos/{video.pk}", {"caption": f"#take{n}"}, format="json").status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert client.get(f"/api/videos/{video.pk}").status_code == 200  # reading is not counted


def test_caption_edits_have_their_own_rate_limit(client_for, creator, monkeypatch):  # noqa: ANN001
    # Each is a run of the embedder on the video's frames: one account kept one running on
    # each of its videos.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "caption_edits", "2/min")
    videos = [VideoFactory(owner=creator) for _ in range(3)]
    client = client_for(creator)
    segments = {"segments": [{"start": 0.0, "end": 1.0, "text": "hello"}]}

    statuses = [
        client.put(f"/api/videos/{video.pk}/captions", segments, format="json").status_code
        for video in videos
    ]

    assert statuses == [200, 200, 429]
