"""Upload in a real browser: progress bar, then live pipeline status until ready; error pages
and a dropped status socket."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import log_in
from tests.web.helpers import HeldRequests, clock_run
from tests.web.scenes import Scene, make_scene_clip

# No django_db mark: the test's own transaction would hold back the worker fixture's cleanup
# of the uploads (this process reads through django_db_blocker, as the other browser tests).
pytestmark = [pytest.mark.browser]
READY_TIMEOUT_MS = 150_000


def test_upload_shows_progress_and_reaches_ready(
    desktop_page,  # noqa: ANN001
    web_seed,  # noqa: ANN001
    celery_worker,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
    django_db_blocker,  # noqa: ANN001
):
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
    with django_db_blocker.unblock():
        video = Video.objects.get(owner=web_seed.users["bob"], caption="My first upload #hello")
    assert link.get_attribute("href") == f"/v/{video.pk}"
    states = page.eval_on_selector_all("[data-step]", "s => s.map(n => n.dataset.state)")
    assert set(states) <= {"done", "skipped"}


# The upload's answers below come from routes: no file is stored or processed.
UPLOADED = {"id": 424242, "status": "processing", "steps": []}
ERROR_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"
POLL_MS = 2000  # upload.js's POLL_MS


def _open_upload_page(page, web_seed, *, answer) -> None:  # noqa: ANN001
    """Signed in on /upload with a file chosen; the upload is answered by the route `answer`."""
    log_in(page, web_seed.users["bob"].username)
    page.route("**/api/videos", answer)
    page.goto("/upload")
    page.set_input_files(
        "#upload-file", {"name": "clip.mp4", "mimeType": "video/mp4", "buffer": b"\0" * 64}
    )


def test_an_error_page_instead_of_the_upload_answer_is_shown_as_a_clear_message(
    desktop_page, web_seed
):  # noqa: ANN001
    page = desktop_page
    _open_upload_page(
        page,
        web_seed,
        answer=lambda route: route.fulfill(status=502, body=ERROR_PAGE, content_type="text/html"),
    )

    page.click("[data-role=submit]")

    error = page.locator("#upload-form [data-role=error]")
    expect(error).to_have_text(
        "The server sent an error page instead of an answer (HTTP 502) - try again in a moment."
    )
    assert page.locator("[data-role=submit]").is_enabled()


def test_the_processing_status_is_polled_one_request_at_a_time_and_an_error_page_is_explained(
    desktop_page, web_seed
):  # noqa: ANN001
    page = desktop_page
    page.route_web_socket("**/ws/videos/*/status", lambda socket: socket.close())
    status_polls = HeldRequests(page, f"**/api/videos/{UPLOADED['id']}")
    page.clock.install()
    _open_upload_page(page, web_seed, answer=lambda route: route.fulfill(status=201, json=UPLOADED))

    page.click("[data-role=submit]")

    status_polls.wait_held(1)  # the socket dropped: polling took over
    # Past the backstop poll's time, the first poll still unanswered: no second request.
    clock_run(page, POLL_MS * 6)
    assert len(status_polls.routes) == 1

    status_polls.routes[0].fulfill(status=502, body=ERROR_PAGE, content_type="text/html")

    expect(page.locator("[data-role=result-text]")).to_have_text(
        "Could not read the processing status: The server sent an error page instead of an "
        "answer (HTTP 502) - try again in a moment. Still trying."
    )
    clock_run(page, POLL_MS * 2)
    status_polls.wait_held(2)
    assert len(status_polls.routes) == 2
