"""A sound's page in a real browser: play it, "Use this sound", upload, and the new video's page
links the sound (whose audio the pipeline laid over the video)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.conftest import log_in

# No django_db mark: see test_browser_upload.py.
pytestmark = [pytest.mark.browser]
READY_TIMEOUT_MS = 150_000


@pytest.fixture(scope="module")
def web_sound(web_seed, django_db_blocker, tmp_path_factory) -> Iterator[object]:  # noqa: ANN001
    """A committed sound in the live server's store (the server is another process)."""
    from django.test import override_settings

    from sounds.models import Sound
    from sounds.services import sound_from_audio
    from tests.sounds.media import melody, write_audio

    path = write_audio(tmp_path_factory.mktemp("web-sound") / "tune.m4a", melody(11, seconds=10))
    with django_db_blocker.unblock(), override_settings(STORAGES=web_seed.storages):
        sound, _ = sound_from_audio(
            path=path, title="web test tune", creator=web_seed.users["alice"]
        )
        yield sound
        Sound.objects.filter(pk=sound.pk).delete()


def test_use_a_sound_from_its_page_and_the_new_video_links_it(
    desktop_page,
    web_seed,
    web_sound,
    celery_worker,
    tmp_path,  # noqa: ANN001
    django_db_blocker,  # noqa: ANN001
):
    from tests.sounds.media import melody, write_video
    from videos.models import Video

    page = desktop_page
    log_in(page, web_seed.users["bob"].username)
    page.goto(f"/sound/{web_sound.pk}")
    assert page.text_content("[data-role=sound-title]") == "web test tune"
    audio_url = page.get_attribute("[data-role=sound-audio]", "src")
    assert page.request.get(audio_url).status == 200

    page.click("[data-role=use-sound]")
    page.wait_for_url(f"**/upload?sound={web_sound.pk}")
    assert page.text_content("[data-role=sound-title]").strip() == "♫ web test tune"
    clip = write_video(tmp_path / "dance.mp4", melody(12, seconds=4), seconds=4)
    page.set_input_files("#upload-file", str(clip))
    page.fill("#upload-caption", "dancing to the tune")
    page.fill("#upload-sound-volume", "20")
    page.click("[data-role=submit]")
    page.wait_for_selector("[data-role=result][data-state=ready]", timeout=READY_TIMEOUT_MS)

    with django_db_blocker.unblock():
        video = Video.objects.get(owner=web_seed.users["bob"], caption="dancing to the tune")
    assert (video.sound_id, video.sound_volume) == (web_sound.pk, 0.2)
    page.click("[data-role=result-link]")
    page.wait_for_url(f"**/v/{video.pk}")
    link = page.locator("[data-role=video-sound]")
    assert link.text_content().strip() == "♫ web test tune"
    assert link.get_attribute("href") == f"/sound/{web_sound.pk}"
    link.click()
    page.wait_for_url(f"**/sound/{web_sound.pk}")
    page.wait_for_selector(f"[data-role=grid] [data-video-id='{video.pk}']")
