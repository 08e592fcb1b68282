"""Server-rendered sound pages: the sound's page, the upload page with a sound, the video page's
link to its sound."""

from __future__ import annotations

import html

from sounds.models import Sound
from tests.factories import UserFactory, VideoFactory
from videos.models import Privacy
from videos.pages import GRID_PAGE_SIZE


def test_sound_page_has_the_player_use_link_and_grid_in_both_orders(client, sound: Sound):  # noqa: ANN001
    watched = VideoFactory(sound=sound, view_count=10)
    newest = VideoFactory(sound=sound, view_count=0)
    hidden = VideoFactory(sound=sound, view_count=99, privacy=Privacy.PRIVATE)

    popular = client.get(f"/sound/{sound.pk}").text
    new = client.get(f"/sound/{sound.pk}?sort=new").text

    assert "melody one" in popular
    assert f'src="{sound.audio.url}"' in popular
    assert f'href="/upload?sound={sound.pk}"' in popular
    assert popular.index(f'data-video-id="{watched.pk}"') < popular.index(
        f'data-video-id="{newest.pk}"'
    )
    assert new.index(f'data-video-id="{newest.pk}"') < new.index(f'data-video-id="{watched.pk}"')
    assert f'data-video-id="{hidden.pk}"' not in popular


def test_the_pager_of_the_newest_keeps_that_order(client, sound: Sound):  # noqa: ANN001
    videos = [VideoFactory(sound=sound, view_count=n % 3) for n in range(GRID_PAGE_SIZE + 3)]
    new = client.get(f"/sound/{sound.pk}?sort=new").text
    assert 'href="?sort=new&amp;page=2"' in new
    second = client.get(f"/sound/{sound.pk}?sort=new&page=2").text
    shown = [v.pk for v in videos if f'data-video-id="{v.pk}"' in second]
    assert shown == [v.pk for v in videos[:3]]  # the oldest three
    assert 'href="?page=2"' in client.get(f"/sound/{sound.pk}").text


def test_unknown_sound_page_is_not_found(client, db):  # noqa: ANN001
    assert client.get("/sound/999999").status_code == 404


def test_upload_page_with_a_sound_shows_it_and_the_volume_control(client, sound: Sound):  # noqa: ANN001
    client.force_login(UserFactory())
    page = client.get(f"/upload?sound={sound.pk}").text
    assert f'data-sound-id="{sound.pk}"' in page
    assert 'id="upload-sound-volume"' in page
    plain = client.get("/upload?sound=999999").text
    assert "upload-sound-volume" not in plain


def test_upload_page_keeps_the_sound_through_sign_in(client, sound: Sound):  # noqa: ANN001
    response = client.get(f"/upload?sound={sound.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/login?next=/upload%3Fsound%3D{sound.pk}"


def test_video_page_links_its_sound(client, sound: Sound):  # noqa: ANN001
    video = VideoFactory(sound=sound)
    page = html.unescape(client.get(f"/v/{video.pk}").text)
    assert f'<a href="/sound/{sound.pk}" data-role="video-sound">♫ melody one</a>' in page
