"""Upload in a real browser: progress bar, then live pipeline status until ready."""

from __future__ import annotations

import pytest

from tests.web.conftest import log_in
from tests.web.scenes import Scene, make_scene_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
READY_TIMEOUT_MS = 150_000


def test_upload_shows_progress_and_reaches_ready(desktop_page, web_seed, celery_worker, tmp_path):  # noqa: ANN001
    from videos.models import Video

    clip = make_scene_clip(
        Scene("upload", (60, 90, 200), (10, 20, 60), (255, 255, 255), "", "my first upload"),
        tmp_path / "first.mp4",
    )
    page = desktop_page
    log_in(page, web_seed.users["bob"].username)
    page.goto("/upload")
    page.set_input_files("#upload-file", str(clip))
    page.fill("#upload-caption", "My first upload #hello")

    page.click("[data-role=submit]")

    page.wait_for_selector("[data-role=progress][aria-valuenow='100']")
    page.wait_for_function(
        "() => document.querySelector('[data-role=progress-label]').textContent === 'Uploaded'"
    )
    page.wait_for_selector("[data-role=steps] .step")
    page.wait_for_selector("[data-role=result][data-state=ready]", timeout=READY_TIMEOUT_MS)
    link = page.locator("[data-role=result-link]")
    video = Video.objects.get(owner=web_seed.users["bob"], caption="My first upload #hello")
    assert link.get_attribute("href") == f"/v/{video.pk}"
    states = page.eval_on_selector_all("[data-step]", "s => s.map(n => n.dataset.state)")
    assert set(states) <= {"done", "skipped"}
