"""The five pipeline steps. Each gets the video and the typed outputs of the earlier steps it
needs (videos.pipeline.outputs), does its work, writes its results and returns its own output;
each is idempotent (a re-run replaces its outputs).

The tag step runs the tagger an app above videos registers (`tagger_register`: the tagging
app's, from its AppConfig.ready()); with none registered the step is skipped."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from embedder_service.client import EmbedderRejected, EmbedderUnavailable, EmbedderUnreachable
from sounds.models import Sound
from tiktok.embedder import embedder_client
from tiktok.errors import ApplicationError
from tiktok.storage import (
    storage_delete,
    storage_delete_prefix,
    storage_exists,
    storage_local_path,
    storage_local_paths,
    storage_put,
    storage_put_many,
    storage_temp_root,
)
from videos.duplicates import duplicate_mark
from videos.media.decoding import TranscodeLimits
from videos.media.hls import HLS_PLAYLIST_NAME, mp4_to_hls
from videos.media.probe import MediaRejected, probe_media
from videos.media.soundtrack import soundtrack_lay
from videos.media.transcode import TranscodeResult, transcode
from videos.models import StepName, Video, VideoEmbedding
from videos.pipeline.errors import (
    StepOutage,
    StepPermanentError,
    StepSkipped,
    StepTransientError,
    VideoGone,
    worker_trouble,
)
from videos.pipeline.outputs import (
    EmbedOutput,
    PublishOutput,
    StepOutput,
    TagOutput,
    TranscodeOutput,
    TranscribeOutput,
)
from videos.services.sounds import video_original_sound_link
from videos.services.storage import video_prefix
from videos.vector_index import hnsw_index_ensure

logger = logging.getLogger(__name__)


def transcode_limits() -> TranscodeLimits:
    return TranscodeLimits(
        max_duration_s=float(settings.MAX_VIDEO_DURATION_SECONDS),
        max_short_side_px=int(settings.MAX_VIDEO_DIMENSION_PIXELS),
        preset=settings.TRANSCODE_X264_PRESET,
    )


def step_transcode(video: Video) -> TranscodeOutput:
    """Probe, transcode to MP4 + HLS, and store poster, thumbnail, frames and ASR audio."""
    if not video.original:
        raise StepPermanentError("the video has no original file")
    prefix = video_prefix(video)
    limits = transcode_limits()
    with ExitStack() as stack:
        source = stack.enter_context(storage_local_path(video.original.name))
        workdir = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="transcode-", dir=storage_temp_root())
            )
        )
        try:
            info = probe_media(source, max_duration_s=limits.max_duration_s)
            result = transcode(source, workdir, info, limits)
            _chosen_sound_lay(video, result, workdir)
            playlist = mp4_to_hls(result.mp4, workdir / "hls")
        except MediaRejected as exc:
            raise StepPermanentError(str(exc)) from exc
        except SoftTimeLimitExceeded:
            raise  # the step's time limit: step_run records it as such
        except Exception as exc:
            trouble = worker_trouble(exc)
            if trouble is not None:
                raise trouble from exc  # the worker's disk or memory: tried again later
            # FFmpeg errors on hostile files land here too: permanent, never a crashed worker.
            logger.exception("transcode of video %s failed", video.pk)
            raise StepPermanentError(f"cannot transcode the file: {exc}") from exc
        for folder in ("hls", "frames"):
            storage_delete_prefix(prefix + folder)
        storage_delete(prefix + "audio.wav")
        segments = sorted(p for p in playlist.parent.iterdir() if p.name != HLS_PLAYLIST_NAME)
        frames = [prefix + "frames/" + p.name for p in result.frames]
        audio = prefix + "audio.wav" if result.audio_wav else ""
        storage_put_many(
            [(prefix + "hls/" + p.name, p) for p in segments]
            + list(zip(frames, result.frames, strict=True))
            + [(prefix + "video.mp4", result.mp4), (prefix + "poster.jpg", result.poster)]
            + [(prefix + "thumb.jpg", result.thumbnail)]
            + ([(audio, result.audio_wav)] if result.audio_wav else [])
        )
        # The playlist after its segments, so a player never sees it before them.
        video.hls_playlist.name = storage_put(prefix + "hls/" + HLS_PLAYLIST_NAME, playlist)
        video.mp4.name = prefix + "video.mp4"
        video.poster.name = prefix + "poster.jpg"
        video.thumbnail.name = prefix + "thumb.jpg"
        if result.has_audio:
            _original_sound_link(video, result.mp4)
    video.duration_s = result.duration_s
    video.width, video.height = result.width, result.height
    video.fps = result.fps
    video.has_audio = result.has_audio
    updated = Video.objects.filter(pk=video.pk).update(
        mp4=video.mp4.name,
        hls_playlist=video.hls_playlist.name,
        poster=video.poster.name,
        thumbnail=video.thumbnail.name,
        duration_s=video.duration_s,
        width=video.width,
        height=video.height,
        fps=video.fps,
        has_audio=video.has_audio,
    )
    if not updated:
        # Deleted while we worked: leave no orphan files behind.
        storage_delete_prefix(prefix)
        raise VideoGone(f"video {video.pk} was deleted during transcoding")
    return TranscodeOutput(
        frames=frames,
        audio=audio,
        source=info.as_dict(),
        rotation=result.rotation,
        mirrored=result.mirrored,
        decode_errors=result.decode_errors,
    )


def _chosen_sound_lay(video: Video, result: TranscodeResult, workdir: Path) -> None:
    """ "Use this sound": replace the transcoded video's audio with the chosen sound (its own
    audio mixed under it at sound_volume). A sound that cannot be laid (hidden by moderation
    since the upload, gone, or failing) leaves the video's own audio, and the video is no
    longer listed under that sound: it still publishes."""
    if video.sound_id is None or video.sound_volume is None:
        return
    sound = Sound.objects.filter(pk=video.sound_id, hidden_at__isnull=True).only("audio").first()
    if sound is None or not sound.audio:
        _chosen_sound_unlink(video)
        return
    mixed_mp4, mixed_wav = workdir / "with-sound.mp4", workdir / "with-sound.wav"
    try:
        with storage_local_path(sound.audio.name) as sound_audio:
            soundtrack_lay(
                video_mp4=result.mp4,
                sound_audio=sound_audio,
                out_mp4=mixed_mp4,
                out_wav=mixed_wav,
                own_volume=float(video.sound_volume),
                duration_s=result.duration_s,
            )
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("video %s: sound %s could not be laid", video.pk, video.sound_id)
        _chosen_sound_unlink(video)
        return
    result.mp4, result.audio_wav, result.has_audio = mixed_mp4, mixed_wav, True


def _chosen_sound_unlink(video: Video) -> None:
    """The chosen sound is not in the video after all (its use count follows by trigger)."""
    Video.objects.filter(pk=video.pk, sound_id=video.sound_id).update(sound=None, sound_volume=None)
    video.sound_id, video.sound_volume = None, None


def _original_sound_link(video: Video, media: Path) -> None:
    """The video's original sound (or the existing sound its audio copies): optional work, so
    any failure is logged and the video publishes without a sound."""
    try:
        video_original_sound_link(video=video, media_path=media)
    except SoftTimeLimitExceeded:
        raise
    except ApplicationError as exc:
        logger.info("video %s has no sound: %s", video.pk, exc)
    except Exception:
        logger.exception("video %s: original sound failed", video.pk)


def step_transcribe(video: Video, transcoded: TranscodeOutput) -> TranscribeOutput:
    """Speech to text through the embedder; no audio track is a skip, not a failure."""
    audio = transcoded.audio
    if not video.has_audio or not audio:
        raise StepSkipped("the video has no audio track")
    with storage_local_path(audio) as wav, embedder_client() as client:
        try:
            result = client.transcribe(wav)
        except EmbedderUnreachable as exc:
            raise StepOutage(str(exc)) from exc
        except EmbedderUnavailable as exc:
            raise StepTransientError(str(exc)) from exc
        except EmbedderRejected as exc:
            raise StepPermanentError(str(exc)) from exc
    video.transcript = (result.get("text") or "").strip()
    video.transcript_language = (result.get("language") or "")[:16]
    video.transcript_segments = [
        {
            "start": round(float(s["start"]), 3),
            "end": round(float(s["end"]), 3),
            "text": str(s["text"]).strip(),
        }
        for s in result.get("segments") or []
    ]
    if not Video.objects.filter(pk=video.pk).update(
        transcript=video.transcript,
        transcript_language=video.transcript_language,
        transcript_segments=video.transcript_segments,
    ):
        raise VideoGone(f"video {video.pk} was deleted during transcription")
    return TranscribeOutput(
        language=video.transcript_language,
        language_probability=result.get("language_probability"),
        chars=len(video.transcript),
    )


def step_embed(video: Video, transcoded: TranscodeOutput) -> EmbedOutput:
    """One vector from frames + transcript + caption, stored for the embedder's version."""
    frames = transcoded.frames
    if not frames:
        raise StepPermanentError("no sampled frames to embed (transcode first)")
    with ExitStack() as stack:
        paths = stack.enter_context(storage_local_paths(list(frames)))
        client = stack.enter_context(embedder_client())
        try:
            result = client.embed_video(paths, video.transcript, video.caption)
        except EmbedderUnreachable as exc:
            raise StepOutage(str(exc)) from exc
        except EmbedderUnavailable as exc:
            raise StepTransientError(str(exc)) from exc
        except EmbedderRejected as exc:
            raise StepPermanentError(str(exc)) from exc
    if problem := embedding_problem(
        version=result.embedding_version, dim=result.dim, vector=result.video_embedding
    ):
        raise StepPermanentError(f"the embedder's answer cannot be stored: {problem}")
    VideoEmbedding.objects.update_or_create(
        video=video,
        embedding_version=result.embedding_version,
        defaults={
            "dim": result.dim,
            "embedding": result.video_embedding,
            "missing": list(result.missing),
            "look_version": result.look_version or "",
            "look": result.look_embedding,
        },
    )
    _index_ensure(result.embedding_version, result.dim)
    original = duplicate_mark(
        video=video, look_version=result.look_version or "", look=result.look_embedding
    )
    return EmbedOutput(
        embedding_version=result.embedding_version,
        dim=result.dim,
        missing=list(result.missing),
        duplicate_of=original,
    )


# How far a stored vector's length may be from 1: nearest-neighbour search takes the inner
# product for the cosine.
UNIT_NORM_TOLERANCE = 1e-2


def embedding_problem(*, version: str, dim: int, vector: list[float]) -> str | None:
    """What makes an embedder's vector unfit to store, if anything: a vector of another length
    than its `dim` or than its version's vectors (the version's index could not be built and
    every search of it failed), a value that is not finite, a length far from 1 (it won every
    search: a "similarity" of 184), a version the column cannot hold."""
    field = VideoEmbedding._meta.get_field("embedding_version")
    if not version or len(version) > field.max_length:
        return f"version {version[:80]!r} is empty or longer than {field.max_length} characters"
    if len(vector) != dim:
        return f"a vector of {len(vector)} values for dimension {dim}"
    values = np.asarray(vector, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return "a vector with values that are not finite"
    norm = float(np.linalg.norm(values))
    if abs(norm - 1.0) > UNIT_NORM_TOLERANCE:
        return f"a vector of length {norm:.4g}, not a unit vector"
    stored = (
        VideoEmbedding.objects.filter(embedding_version=version)
        .exclude(dim=dim)
        .values_list("dim", flat=True)
        .first()
    )
    if stored is not None:
        return f"dimension {dim} where version {version} has {stored}"
    return None


def _index_ensure(embedding_version: str, dim: int) -> None:
    """Make sure the version's HNSW index exists (cheap when it does). A failure costs only
    speed, so it is logged, never fatal to the step."""
    try:
        with transaction.atomic():
            # Inside an outer transaction (tests, bulk scripts) deferred FK checks would block
            # CREATE INDEX; run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            hnsw_index_ensure(embedding_version=embedding_version, dim=dim)
    except DatabaseError as exc:
        logger.warning("HNSW index for %s not ensured: %s", embedding_version, exc)


class VideoTagger(Protocol):
    """Chooses and stores a video's tags from its vector; returns the tag slugs, best first."""

    def __call__(
        self, *, video_id: int, caption: str, vector: np.ndarray, embedding_version: str
    ) -> list[str]: ...


_tagger: list[VideoTagger] = []


def tagger_register(tagger: VideoTagger) -> None:
    """Install the tagger the tag step runs (one; a later call replaces it)."""
    _tagger[:] = [tagger]


def step_tag(video: Video, embedded: EmbedOutput) -> TagOutput:
    """Tags from the vector the embed step produced (the registered tagger chooses them)."""
    if not _tagger:
        raise StepSkipped("no tagger is installed")
    if {"visual", "text"} <= set(embedded.missing):
        raise StepSkipped("nothing seen or said to tag from (blank frames, no speech or caption)")
    embedding = (
        VideoEmbedding.objects.filter(video=video, embedding_version=embedded.embedding_version)
        .only("embedding")
        .first()
    )
    if embedding is None:
        raise StepPermanentError(f"video {video.pk} has no embedding to tag from")
    try:
        slugs = _tagger[0](
            video_id=video.pk,
            caption=video.caption,
            vector=np.asarray(embedding.embedding, dtype=np.float32),
            embedding_version=embedded.embedding_version,
        )
    except EmbedderUnreachable as exc:
        raise StepOutage(str(exc)) from exc
    except EmbedderUnavailable as exc:
        raise StepTransientError(str(exc)) from exc
    return TagOutput(tags=list(slugs))


def step_publish(video: Video, embedded: EmbedOutput) -> PublishOutput:
    """Check the video is playable and embedded; the caller marks it ready."""
    if not video.mp4 or not storage_exists(video.mp4.name):
        raise StepPermanentError("no playable rendition")
    version = embedded.embedding_version
    embeddings = VideoEmbedding.objects.filter(video=video)
    if version:
        embeddings = embeddings.filter(embedding_version=version)
    if not embeddings.exists():
        raise StepPermanentError("no embedding")
    return PublishOutput(embedding_version=version)


@dataclass(frozen=True)
class Step:
    """A step's function and the earlier steps whose outputs it takes, in argument order."""

    run: Callable[..., StepOutput]
    needs: tuple[str, ...] = ()


STEPS: dict[str, Step] = {
    StepName.TRANSCODE: Step(step_transcode),
    StepName.TRANSCRIBE: Step(step_transcribe, needs=(StepName.TRANSCODE,)),
    StepName.EMBED: Step(step_embed, needs=(StepName.TRANSCODE,)),
    StepName.TAG: Step(step_tag, needs=(StepName.EMBED,)),
    StepName.PUBLISH: Step(step_publish, needs=(StepName.EMBED,)),
}
OUTPUT_TYPES: dict[str, type] = {
    StepName.TRANSCODE: TranscodeOutput,
    StepName.TRANSCRIBE: TranscribeOutput,
    StepName.EMBED: EmbedOutput,
    StepName.TAG: TagOutput,
    StepName.PUBLISH: PublishOutput,
}
# Steps whose failure still lets the video be published (graceful degradation).
OPTIONAL_STEPS = {StepName.TRANSCRIBE, StepName.TAG}
