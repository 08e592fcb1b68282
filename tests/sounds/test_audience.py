"""Who may be shown a sound: an original sound (a video's audio) only while a video anyone may
see uses it; never a hidden sound or a suspended creator's; the SQL used by search and Discover
says the same as the queryset."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from sounds import selectors
from sounds.models import Sound, SoundKind
from sounds.selectors import public_sound_ids, public_sounds, sound_media_public
from tests.factories import UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from tiktok.db.sql import table
from videos.models import Privacy, Video
from videos.services.hashtags import video_hashtags_sync
from videos.visibility import sound_public_sql

pytestmark = pytest.mark.django_db


def _shown(api_client, sound: Sound) -> bool:  # noqa: ANN001
    response = api_client.get(f"/api/sounds/{sound.pk}")
    if response.status_code == 404:
        assert_error_shape(response, 404, "sound_not_found")
        return False
    assert response.status_code == 200
    return True


def test_an_original_sound_goes_private_with_the_video_it_came_from(api_client):
    owner = UserFactory()
    sound = Sound.objects.create(title="my voice", creator=owner)
    video = VideoFactory(owner=owner, sound=sound)
    assert _shown(api_client, sound) and sound_media_public(media_key=sound.media_key)
    Video.objects.filter(pk=video.pk).update(privacy=Privacy.FOLLOWERS)
    assert not _shown(api_client, sound)
    assert not sound_media_public(media_key=sound.media_key)
    Video.objects.filter(pk=video.pk).update(privacy=Privacy.PUBLIC, hidden_at=timezone.now())
    assert not _shown(api_client, sound)


def test_an_original_sound_stays_while_someone_elses_public_video_uses_it(api_client):
    sound = Sound.objects.create(title="the hook", creator=UserFactory())
    VideoFactory(owner=sound.creator, sound=sound, privacy=Privacy.PRIVATE)
    assert not _shown(api_client, sound)
    reuse = VideoFactory(sound=sound)
    assert _shown(api_client, sound)
    reuse.delete()
    assert not _shown(api_client, sound)


def test_an_uploaded_sound_stands_alone_until_hidden_or_its_creator_is_suspended(api_client):
    sound = Sound.objects.create(title="beat", creator=UserFactory(), kind=SoundKind.UPLOADED)
    assert _shown(api_client, sound)
    sound.creator.suspended_at = timezone.now()
    sound.creator.save(update_fields=["suspended_at"])
    assert not _shown(api_client, sound)


def test_the_sql_condition_agrees_with_the_queryset():
    owner, suspended = UserFactory(), UserFactory(suspended_at=timezone.now())
    sounds = [
        Sound.objects.create(title="public original", creator=owner),
        Sound.objects.create(title="private original", creator=owner),
        Sound.objects.create(title="unused original", creator=owner),
        Sound.objects.create(title="uploaded", creator=owner, kind=SoundKind.UPLOADED),
        Sound.objects.create(title="creatorless", kind=SoundKind.UPLOADED),
        Sound.objects.create(title="hidden", kind=SoundKind.UPLOADED, hidden_at=timezone.now()),
        Sound.objects.create(title="suspended", creator=suspended, kind=SoundKind.UPLOADED),
    ]
    VideoFactory(owner=owner, sound=sounds[0])
    VideoFactory(owner=owner, sound=sounds[1], privacy=Privacy.PRIVATE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id FROM {table(Sound)} s WHERE {sound_public_sql('s')}")
        by_sql = {row[0] for row in cursor.fetchall()}
    by_queryset = set(public_sounds().values_list("pk", flat=True))
    assert by_sql == by_queryset == {sounds[0].pk, sounds[3].pk, sounds[4].pk}
    # the ids asked about, checked by the statement compiled once (asked twice, apart)
    everyone = [sound.pk for sound in sounds]
    assert public_sound_ids(sound_ids=everyone) == by_queryset
    assert public_sound_ids(sound_ids=everyone[1:4]) == {sounds[3].pk}
    assert public_sound_ids(sound_ids=[]) == set()


def test_the_ids_check_follows_a_newly_registered_audience(monkeypatch):  # noqa: ANN001
    kept = Sound.objects.create(title="ok beat", kind=SoundKind.UPLOADED)
    other = Sound.objects.create(title="other beat", kind=SoundKind.UPLOADED)
    ids = [kept.pk, other.pk]
    assert public_sound_ids(sound_ids=ids) == {kept.pk, other.pk}
    monkeypatch.setattr(
        selectors, "_audiences", [*selectors._audiences, lambda: Q(title__startswith="ok")]
    )
    assert public_sound_ids(sound_ids=ids) == {kept.pk}


@pytest.mark.parametrize("position", ["abc", "1e400", "12.5x"])
def test_a_hand_made_cursor_is_a_400_not_a_500(api_client, position: str):
    sound = Sound.objects.create(title="beat", kind=SoundKind.UPLOADED)
    video_hashtags_sync(video=VideoFactory(sound=sound, caption="#beat"))
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    for url in (f"/api/sounds/{sound.pk}/videos", "/api/hashtags/beat/videos"):
        response = api_client.get(url, {"cursor": cursor})
        assert_error_shape(response, 400, "invalid_cursor")
