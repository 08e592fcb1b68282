"""The whole pipeline in-process with the real embedder (few runs, tiny clips)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage

from tests.factories import UserFactory
from tests.support.media import make_clip
from videos.models import StepState, VideoEmbedding, VideoStatus
from videos.pipeline.local import pipeline_run
from videos.services.videos import video_create_from_path


def test_speech_clip_becomes_ready_with_transcript_embedding_and_assets(
    db, embedder, tmp_path: Path
):
    owner = UserFactory()
    path = make_clip(tmp_path / "talk.mp4", audio="speech", speech_text="my cat sleeps on the sofa")
    video, created = video_create_from_path(owner=owner, path=path, caption="sleepy cat")
    assert created

    video = pipeline_run(video_id=video.pk)

    assert video.status == VideoStatus.READY, video.failure_reason
    assert video.published_at is not None
    assert "cat" in video.transcript.lower()
    assert video.transcript_segments
    steps = {s.name: s for s in video.steps.all()}
    assert steps["transcode"].state == StepState.DONE
    assert steps["transcribe"].state == StepState.DONE
    assert steps["embed"].state == StepState.DONE
    assert steps["publish"].state == StepState.DONE
    assert all(s.duration_s is not None for s in steps.values() if s.state == StepState.DONE)
    embedding = VideoEmbedding.objects.get(video=video)
    assert embedding.dim == len(embedding.embedding)
    for field in (video.mp4, video.hls_playlist, video.poster, video.thumbnail):
        assert default_storage.exists(field.name)
    assert video.width == 160 and video.height == 284


def test_reprocess_embed_only_re_embeds_a_ready_video_and_keeps_it_ready(
    db, embedder, tmp_path: Path
):
    from io import StringIO

    from django.core.management import call_command

    video, _ = video_create_from_path(
        owner=UserFactory(),
        path=make_clip(tmp_path / "c.mp4", audio=None),
        caption="a quiet clip of waves",
    )
    pipeline_run(video_id=video.pk)
    out = StringIO()
    call_command("reprocess", str(video.pk), "--step", "embed", "--only", "--sync", stdout=out)
    video.refresh_from_db()
    embed = video.steps.get(name="embed")
    assert video.status == VideoStatus.READY
    assert embed.state == StepState.DONE and embed.attempts == 2
    assert VideoEmbedding.objects.filter(video=video).count() == 1
    assert "embed only for 1 video" in out.getvalue()
