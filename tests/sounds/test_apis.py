"""The sounds API: a sound, its videos, favourites, uploads of sound files and the upload of a
video that uses a sound; bad input is a 4xx naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from profiles.services.suspension import user_suspend
from sounds.models import Sound, SoundFavorite
from tests.factories import BlockFactory, UserFactory, VideoFactory
from tests.sounds.media import melody, write_audio, write_reencoded_copy, write_video
from tests.support.errors import assert_error_shape
from videos.models import Privacy, Video, VideoStatus


def _post_file(client, url: str, path: Path, **fields):  # noqa: ANN001, ANN003, ANN202
    with path.open("rb") as handle:
        return client.post(url, {"file": handle, **fields}, format="multipart")


def test_sound_detail_shows_title_creator_duration_audio_and_counts(
    api_client, sound: Sound, settings
):  # noqa: ANN001
    body = api_client.get(f"/api/sounds/{sound.pk}").json()
    assert body["title"] == "melody one"
    assert body["creator"]["username"] == sound.creator.username
    assert 11.5 < body["duration_s"] < 12.5
    assert body["counts"] == {"videos": 0, "plays": 0, "favorites": 0}
    assert body["viewer"] == {"favorited": False}
    assert body["use_url"] == f"/upload?sound={sound.pk}"
    audio = api_client.get(body["audio_url"])
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/mp4"
    # a sound hidden by moderation must stop being served by a CDN soon
    assert f"s-maxage={settings.MEDIA_SHARED_CACHE_SECONDS}" in audio["Cache-Control"]


def test_unknown_or_hidden_sound_is_404(api_client, sound: Sound):
    assert_error_shape(api_client.get("/api/sounds/999999"), 404, "sound_not_found")
    Sound.objects.filter(pk=sound.pk).update(hidden_at="2026-01-01T00:00:00Z")
    assert_error_shape(api_client.get(f"/api/sounds/{sound.pk}"), 404, "sound_not_found")
    assert api_client.get(f"/media/sounds/{sound.media_key}/audio.m4a").status_code == 404


def test_favourites_are_saved_once_counted_and_listed(client_for, sound: Sound):
    fan = UserFactory()
    client = client_for(fan)
    assert client.post(f"/api/sounds/{sound.pk}/favorite").json() == {
        "favorited": True,
        "favorites": 1,
    }
    assert client.post(f"/api/sounds/{sound.pk}/favorite").json()["favorites"] == 1
    assert client.get(f"/api/sounds/{sound.pk}").json()["viewer"]["favorited"] is True
    listed = client.get("/api/me/favorite-sounds").json()["results"]
    assert [row["id"] for row in listed] == [sound.pk]
    assert client.delete(f"/api/sounds/{sound.pk}/favorite").json() == {
        "favorited": False,
        "favorites": 0,
    }
    assert client.delete(f"/api/sounds/{sound.pk}/favorite").json()["favorites"] == 0
    assert not SoundFavorite.objects.exists()


def test_favourites_need_an_account(api_client, sound: Sound):
    assert_error_shape(api_client.post(f"/api/sounds/{sound.pk}/favorite"), 401)


def test_play_counts_each_listener_once_an_hour(api_client, client_for, sound: Sound):
    # Anonymous plays from one address count once, whatever session id each one claims;
    # another address, and an account, are other listeners.
    for index in range(30):
        response = api_client.post(
            f"/api/sounds/{sound.pk}/play", HTTP_X_SESSION_ID=f"session-{index}"
        )
        assert response.status_code == 204
    assert Sound.objects.get(pk=sound.pk).play_count == 1
    api_client.post(f"/api/sounds/{sound.pk}/play", REMOTE_ADDR="10.0.0.7")
    assert Sound.objects.get(pk=sound.pk).play_count == 2
    listener = client_for(UserFactory())
    for _ in range(5):
        assert listener.post(f"/api/sounds/{sound.pk}/play").status_code == 204
    assert Sound.objects.get(pk=sound.pk).play_count == 3
    other = Sound.objects.create(title="another", creator=UserFactory(), kind="uploaded")
    assert api_client.post(f"/api/sounds/{other.pk}/play").status_code == 204
    assert Sound.objects.get(pk=other.pk).play_count == 1


def test_sound_videos_lists_only_visible_videos_most_watched_or_newest(api_client, sound: Sound):
    watched = VideoFactory(sound=sound, view_count=50)
    newest = VideoFactory(sound=sound, view_count=1)
    VideoFactory(sound=sound, view_count=99, privacy=Privacy.PRIVATE)
    VideoFactory(view_count=500)  # another sound's

    popular = api_client.get(f"/api/sounds/{sound.pk}/videos?sort=popular").json()["results"]
    new = api_client.get(f"/api/sounds/{sound.pk}/videos?sort=new").json()["results"]

    assert [card["id"] for card in popular] == [watched.pk, newest.pk]
    assert [card["id"] for card in new] == [newest.pk, watched.pk]
    assert popular[0]["sound"] == {
        "id": sound.pk,
        "title": "melody one",
        "url": f"/sound/{sound.pk}",
    }


def test_sound_videos_with_an_unknown_sort_is_400(api_client, sound: Sound):
    assert_error_shape(
        api_client.get(f"/api/sounds/{sound.pk}/videos?sort=loud"), 400, "invalid_sort"
    )


def test_uploading_a_sound_file_creates_it_and_a_copy_returns_the_existing_one(
    auth_client, tmp_path: Path
):
    created = _post_file(
        auth_client, "/api/sounds", write_audio(tmp_path / "a.m4a", melody(8)), title="riff"
    )
    assert created.status_code == 201, created.json()
    copy = write_reencoded_copy(tmp_path / "a.mp3", melody(8))
    again = _post_file(auth_client, "/api/sounds", copy, title="same riff")
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"] and again.json()["matched_existing"]


def test_a_file_that_is_not_audio_is_415(auth_client, tmp_path: Path):
    text = tmp_path / "notes.m4a"
    text.write_text("this is not audio at all " * 100)
    assert_error_shape(_post_file(auth_client, "/api/sounds", text, title="x"), 415, "not_audio")
    assert not Sound.objects.exists()


def test_a_video_without_an_audio_track_as_a_sound_is_400(auth_client, tmp_path: Path):
    silent = write_video(tmp_path / "silent.mp4", None, seconds=2)
    response = _post_file(auth_client, "/api/sounds", silent, title="x")
    body = assert_error_shape(response, 400, "no_audio_track")
    assert "no audio track" in body["detail"]


def test_a_sound_upload_needs_a_title_and_an_account(auth_client, client_for, tmp_path: Path):
    path = write_audio(tmp_path / "a.m4a", melody(8, seconds=3))
    assert_error_shape(_post_file(auth_client, "/api/sounds", path), 400)
    assert_error_shape(_post_file(client_for(None), "/api/sounds", path, title="x"), 401)
    assert not Sound.objects.exists()


def test_a_too_long_sound_is_400(auth_client, tmp_path: Path, settings):  # noqa: ANN001
    settings.MAX_VIDEO_DURATION_SECONDS = 4
    path = write_audio(tmp_path / "long.m4a", melody(8, seconds=8))
    assert_error_shape(_post_file(auth_client, "/api/sounds", path, title="x"), 400, "too_long")


def test_uploading_a_video_with_a_sound_links_it_and_counts_a_use_once_published(
    auth_client, tmp_path: Path, sound: Sound
):
    clip = write_video(tmp_path / "v.mp4", melody(5), seconds=3)
    response = _post_file(auth_client, "/api/videos", clip, sound=sound.pk, sound_volume=0.25)
    assert response.status_code == 201, response.json()
    video = Video.objects.get(pk=response.json()["id"])
    assert (video.sound_id, video.sound_volume) == (sound.pk, 0.25)
    assert Sound.objects.get(pk=sound.pk).use_count == 0
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.READY)
    assert Sound.objects.get(pk=sound.pk).use_count == 1


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"sound": 999999}, 404, "sound_not_found"),
        ({"sound": "abc"}, 400, None),
        ({"sound_volume": 1.5, "use_sound": True}, 400, None),
        ({"sound_volume": -0.1, "use_sound": True}, 400, None),
        ({"sound_volume": 0.5}, 400, "sound_volume_without_sound"),
    ],
)
def test_uploading_a_video_with_a_bad_sound_choice_is_refused(
    auth_client, tmp_path: Path, sound: Sound, fields: dict, status: int, code: str | None
):
    fields = dict(fields)
    if fields.pop("use_sound", False):
        fields["sound"] = sound.pk
    clip = write_video(tmp_path / "v.mp4", melody(5), seconds=2)
    body = assert_error_shape(_post_file(auth_client, "/api/videos", clip, **fields), status, code)
    assert body["detail"]
    assert not Video.objects.exists()


def test_a_sound_is_not_there_for_someone_its_creator_blocked_either_way(client_for, sound: Sound):
    blocked, blocking = UserFactory(), UserFactory()
    BlockFactory(blocker=sound.creator, blocked=blocked)
    BlockFactory(blocker=blocking, blocked=sound.creator)
    for viewer in (blocked, blocking):
        client = client_for(viewer)
        assert_error_shape(client.get(f"/api/sounds/{sound.pk}"), 404, "sound_not_found")
        assert_error_shape(client.post(f"/api/sounds/{sound.pk}/favorite"), 404, "sound_not_found")
        assert_error_shape(client.get(f"/api/sounds/{sound.pk}/videos"), 404, "sound_not_found")
    assert client_for(UserFactory()).get(f"/api/sounds/{sound.pk}").status_code == 200
    assert not SoundFavorite.objects.exists()


def test_a_copy_of_a_sound_the_uploader_may_not_see_becomes_their_own(
    auth_client, sound: Sound, tmp_path: Path
):
    # The sound's creator is suspended: answering with the match named them to anyone holding
    # the audio, and left the uploader with a sound "use this sound" then refused.
    user_suspend(user=sound.creator)
    copy = write_reencoded_copy(tmp_path / "copy.mp3", melody(1))
    response = _post_file(auth_client, "/api/sounds", copy, title="my melody")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] != sound.pk and not body["matched_existing"]
    assert body["creator"]["username"] != sound.creator.username
    assert auth_client.get(f"/api/sounds/{body['id']}").status_code == 200


def test_a_deleted_accounts_saved_sounds_stop_counting_it(client_for, sound: Sound):
    fan = UserFactory()
    assert client_for(fan).post(f"/api/sounds/{sound.pk}/favorite").json()["favorites"] == 1
    fan.delete()
    sound.refresh_from_db()
    assert sound.favorite_count == 0


def test_copies_of_a_sound_nobody_may_see_share_one_sound_of_their_own(
    client_for, sound: Sound, tmp_path: Path
):
    # The first copy becomes a usable sound; the next ones are copies of it, not more sounds.
    user_suspend(user=sound.creator)
    ids = []
    for index in range(3):
        copy = write_reencoded_copy(tmp_path / f"copy{index}.mp3", melody(1))
        response = _post_file(client_for(UserFactory()), "/api/sounds", copy, title="melody")
        assert response.status_code in (200, 201), response.json()
        ids.append(response.json()["id"])
    assert len(set(ids)) == 1 and sound.pk not in ids
    assert Sound.objects.count() == 2


def test_a_saved_sound_leaves_the_list_when_its_creator_and_the_fan_block(client_for, sound: Sound):
    fan = UserFactory()
    client = client_for(fan)
    client.post(f"/api/sounds/{sound.pk}/favorite")
    assert [item["id"] for item in client.get("/api/me/favorite-sounds").json()["results"]] == [
        sound.pk
    ]
    BlockFactory(blocker=sound.creator, blocked=fan)
    assert client.get("/api/me/favorite-sounds").json()["results"] == []


def test_a_video_card_names_its_sound_only_to_whom_the_sounds_page_would_show_it(
    client_for, api_client, sound: Sound
):
    # Someone else's video made with the sound: the card's "♫ title" links to the sound page,
    # so it is left out wherever that page answers 404 (a block either way, a suspended creator).
    video = VideoFactory(sound=sound)
    blocked, blocking, other = UserFactory(), UserFactory(), UserFactory()
    BlockFactory(blocker=sound.creator, blocked=blocked)
    BlockFactory(blocker=blocking, blocked=sound.creator)
    assert client_for(other).get(f"/api/videos/{video.pk}").json()["sound"]["id"] == sound.pk
    for viewer in (blocked, blocking):
        assert client_for(viewer).get(f"/api/videos/{video.pk}").json()["sound"] is None
    assert api_client.get(f"/api/videos/{video.pk}").json()["sound"]["title"] == "melody one"
    user_suspend(user=sound.creator)
    assert api_client.get(f"/api/videos/{video.pk}").json()["sound"] is None
    assert client_for(other).get(f"/api/videos/{video.pk}").json()["sound"] is None


def _walk(client, url: str, link: str = "next", max_pages: int = 20) -> list[list[int]]:  # noqa: ANN001
    pages: list[list[int]] = []
    while url and len(pages) < max_pages:
        body = client.get(url).json()
        pages.append([card["id"] for card in body["results"]])
        url = body[link]
    return pages


@pytest.fixture
def tied_sound_videos(monkeypatch) -> tuple[Sound, list[int]]:  # noqa: ANN001
    """Twelve videos of one sound with the same view count, and DRF's cursor offset cap lowered
    from 1000 to 5 so that a few rows stand for the thousand ties it could not page past."""
    from rest_framework.pagination import CursorPagination

    monkeypatch.setattr(CursorPagination, "offset_cutoff", 5)
    sound = Sound.objects.create(title="tied", kind="uploaded")
    owner = UserFactory()
    videos = [VideoFactory(owner=owner, sound=sound) for _ in range(12)]
    Video.objects.filter(sound=sound).update(view_count=7)
    return sound, sorted((video.pk for video in videos), reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["popular", "new"])
def test_pages_of_a_sound_reach_every_tied_video_once(client_for, tied_sound_videos, sort):
    sound, expected = tied_sound_videos
    pages = _walk(client_for(None), f"/api/sounds/{sound.pk}/videos?sort={sort}&limit=3")
    assert [pk for page in pages for pk in page] == expected
    assert len(pages) == 4


@pytest.mark.django_db
def test_previous_links_of_a_sounds_videos_walk_back_over_the_same_pages(
    client_for, tied_sound_videos
):
    sound, expected = tied_sound_videos
    client = client_for(None)
    url = f"/api/sounds/{sound.pk}/videos?sort=popular&limit=5"
    last = client.get(client.get(client.get(url).json()["next"]).json()["next"]).json()
    assert [card["id"] for card in last["results"]] == expected[10:]
    assert last["next"] is None
    back = _walk(client, last["previous"], link="previous")
    assert back == [expected[5:10], expected[:5]]


@pytest.mark.django_db
def test_a_changed_cursor_of_a_sounds_videos_is_a_400(client_for, tied_sound_videos):
    sound, _ = tied_sound_videos
    client = client_for(None)
    next_url = client.get(f"/api/sounds/{sound.pk}/videos?sort=popular&limit=3").json()["next"]
    assert_error_shape(client.get(next_url.replace("cursor=", "cursor=x")), 400, "invalid_cursor")


def test_favouriting_takes_the_rate_of_likes(client_for, sound, monkeypatch):  # noqa: ANN001
    # Add and remove had only the general 1200/min, each a write of the sound's count.
    from tiktok.api.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "likes", "2/min")
    client = client_for(UserFactory())

    statuses = [
        client.post(f"/api/sounds/{sound.pk}/favorite").status_code,
        client.delete(f"/api/sounds/{sound.pk}/favorite").status_code,
        client.post(f"/api/sounds/{sound.pk}/favorite").status_code,
    ]

    assert statuses == [200, 200, 429]
