"""An embedder outage longer than a few retries: a real worker's steps wait for it (backoff,
not a count of tries), health shows the backlog, and when a new embedder starts the video goes
on by itself and is published with its transcript (before, it failed or lost the transcript
after ~155 s). The retry policy's arithmetic is checked on its own."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.test import override_settings

from embedder_service.client import EmbedderClient, EmbedderUnavailable, EmbedderUnreachable
from tests.conftest import child_env, free_port, start_celery_worker, start_embedder, stop_process
from tests.support.http_server import serving
from tests.support.media import make_clip
from videos.models import StepState, Video, VideoStatus
from videos.pipeline.errors import StepOutage, StepTransientError
from videos.pipeline.policy import (
    MAX_STEP_RETRIES,
    outage_retry_limit,
    retry_allowed,
    retry_countdown_s,
)
from videos.selectors.pipeline import pipeline_backlog

WAIT_SECONDS = 240


def test_an_outage_is_waited_out_for_the_documented_time_and_other_errors_are_not() -> None:
    limit = outage_retry_limit()
    waited = sum(retry_countdown_s(n) for n in range(limit))
    assert 6 * 3600 <= waited < 6 * 3600 + 300  # the default maximum wait, 6 hours
    assert [retry_countdown_s(n) for n in range(8)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert retry_allowed(StepOutage("down"), MAX_STEP_RETRIES + 10)
    assert not retry_allowed(StepOutage("down"), limit)
    assert retry_allowed(StepTransientError("timeout"), MAX_STEP_RETRIES - 1)
    assert not retry_allowed(StepTransientError("timeout"), MAX_STEP_RETRIES)
    assert not retry_allowed(StepOutage("down"), None)
    with override_settings(PIPELINE_OUTAGE_MAX_WAIT_SECONDS=3600):
        assert outage_retry_limit() < limit


@contextmanager
def _server_answering(status: int, body: bytes) -> Iterator[str]:
    """A local HTTP server answering every request with this status and body."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url


def _error(code: str) -> bytes:
    return json.dumps({"error": code, "detail": "..."}).encode()


@pytest.mark.parametrize(
    ("status", "body", "outage"),
    [
        (503, _error("loading"), True),  # models loading
        (503, _error("vllm_unavailable"), True),  # the model server behind it is down
        (502, b"<html>Bad Gateway</html>", True),  # a proxy in front: the service is gone
        (504, b"<html>Gateway Timeout</html>", True),
        (502, _error("vllm_bad_response"), False),  # one bad answer about one input
        (500, _error("internal"), False),
    ],
)
def test_the_client_tells_an_outage_from_a_failed_request(
    status: int, body: bytes, outage: bool
) -> None:
    with _server_answering(status, body) as url, pytest.raises(EmbedderUnavailable) as raised:
        EmbedderClient(url).health()
    assert isinstance(raised.value, EmbedderUnreachable) is outage


def test_no_answer_at_all_is_an_outage() -> None:
    with pytest.raises(EmbedderUnreachable):
        EmbedderClient(f"http://127.0.0.1:{free_port()}").health()


def _wait(check, what: str, log: Path) -> None:  # noqa: ANN001
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)  # the worker is another process
def test_steps_wait_out_an_embedder_outage_and_resume_when_it_is_back(
    auth_client,  # noqa: ANN001
    tmp_path: Path,
    settings,  # noqa: ANN001
) -> None:
    port = free_port()  # the embedder's address: nothing there yet
    settings.EMBEDDER_URL = f"http://127.0.0.1:{port}"
    log = tmp_path / "worker.log"
    # Fast backoff: the old policy (5 retries) gives up after 3.1 s here.
    worker = start_celery_worker(
        env=child_env(
            EMBEDDER_URL=settings.EMBEDDER_URL,
            PIPELINE_RETRY_BASE_SECONDS="0.1",
            PIPELINE_RETRY_MAX_SECONDS="0.5",
        ),
        log_path=log,
    )
    embedder = None
    try:
        clip = make_clip(
            tmp_path / "talk.mp4", audio="speech", speech_text="the weather is sunny today"
        )
        with clip.open("rb") as handle:
            response = auth_client.post(
                "/api/videos", {"file": handle, "caption": "x"}, format="multipart"
            )
        assert response.status_code == 201, response.json()
        video = Video.objects.get(pk=response.json()["id"])
        transcribe = video.steps.filter(name="transcribe")
        # Well past the old number of tries, the step is still waiting, not failed.
        _wait(lambda: transcribe.get().attempts >= MAX_STEP_RETRIES + 4, "retries", log)
        step = transcribe.get()
        assert step.state in (StepState.PENDING, StepState.RUNNING)
        video.refresh_from_db()
        assert video.status == VideoStatus.PROCESSING
        backlog = pipeline_backlog()
        assert backlog["processing"] == 1
        _wait(lambda: pipeline_backlog()["waiting_for_retry"] == 1, "the backlog", log)
        assert "waiting for it to come back" in transcribe.get().last_error

        embedder = start_embedder(port, tmp_path / "embedder.log")
        _wait(
            lambda: Video.objects.get(pk=video.pk).status != VideoStatus.PROCESSING,
            "the video to finish",
            log,
        )
    finally:
        stop_process(worker)
        if embedder is not None:
            stop_process(embedder)
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.failure_reason
    assert transcribe.get().state == StepState.DONE
    assert "sunny" in video.transcript.lower()  # transcribed once the embedder was back
    assert pipeline_backlog()["waiting_for_retry"] == 0
